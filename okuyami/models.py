"""Cases at the counter (the interview); built in the counter-screens issue."""
