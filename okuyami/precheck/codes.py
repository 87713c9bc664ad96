"""受付コード: short, unambiguous, easy to read out on the telephone. Pure Python.

24 characters: the digits 2–9 and 16 capital letters. Left out: 0, O, 1, I and L (read as each
other), S, Z, B and G (read as 5, 2, 8 and 6), U and V (ブイ is heard as ビー), and Q (キュー,
like 9).
A code is 9 of them, shown in three groups (K7M-9PX-3AE); staff may type it with or without the
hyphens, in small or full-width letters.

How hard it is to guess: 24**9 ≈ 2.6 × 10**12 codes (41 bits). Only a logged-in counter user of
the code's own municipality can look a code up (the code step and the reception form each count),
at most `lookup` times an hour (settings: OKUYAMI_PRECHECK_RATES, 60 by default), and a code
lives 14 days: one account guessing without pause tries 60 × 24 × 14 = 20,160 codes in a code's
life. Against even 1,000 live codes of its municipality (several times the deaths of a city of
600,000 in 14 days) the chance of hitting any is 20,160 × 1,000 / 2.6 × 10**12 ≈ 8 in a
million, and what it would find is answers without a name. The public pages take no code at
all, so they cannot be used to guess.
"""

import secrets
import unicodedata

ALPHABET = "23456789ACDEFHJKMNPRTWXY"
LENGTH = 9
GROUP = 3
SEPARATORS = "-‐‑‒–—―ー－ 　"


def new_code() -> str:
    """A random code (the caller makes sure it is not taken)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """'K7M9PX3AE' -> 'K7M-9PX-3AE'."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


class CodeUnreadable(Exception):
    """Text that cannot be a code; the message (Japanese) says why."""


def read_code(text: str) -> str:
    """The code in `text` as stored (9 characters, no hyphens), or CodeUnreadable."""
    cleaned = unicodedata.normalize("NFKC", text or "").upper()
    cleaned = "".join(ch for ch in cleaned if ch not in SEPARATORS and not ch.isspace())
    if not cleaned:
        raise CodeUnreadable("受付コードを入力してください。")
    foreign = sorted({ch for ch in cleaned if ch not in ALPHABET})
    if foreign:
        listed = "、".join(f"「{ch}」" for ch in foreign[:5])
        raise CodeUnreadable(f"受付コードに使わない文字{listed}があります。コードを確かめてください。")
    if len(cleaned) != LENGTH:
        raise CodeUnreadable(f"受付コードは{LENGTH}文字です（入力は{len(cleaned)}文字）。")
    return cleaned
