"""Debian's Chromium, headless, as the browser tests and the print benchmark start it.

Without the background-networking flags Chromium keeps trying to reach Google's
hosts, which this machine's closed network refuses.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
