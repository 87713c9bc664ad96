"""A family's answers at home, kept in their own browser until they ask for a 受付コード.

The answers travel in one cookie, signed with the secret key (django.core.signing) so that the
server can trust what it gets back, scoped to the municipality's pages (its path, and a salt per
municipality) and kept for a week. The server stores nothing of it: no session, no row. A cookie
that fails its signature, is too old or does not read as answers is a fresh start.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from django.conf import settings
from django.core import signing

from okuyami.precheck.codes import ALPHABET, LENGTH

COOKIE = "okuyami_check"
MAX_AGE = 7 * 24 * 3600
MAX_AGE_YEARS = 130


@dataclass(frozen=True)
class Home:
    """What the family has told us so far."""

    death_date: date | None = None
    age: int | None = None  # completed years on the day of death
    age_unknown: bool = False  # answered わからない
    answers: dict[str, Any] = field(default_factory=dict)  # JSON values, as a case stores them
    unknown: tuple[str, ...] = ()
    code: str = ""  # the 受付コード issued for exactly these answers
    code_expires: date | None = None

    @property
    def age_answered(self) -> bool:
        return self.age is not None or self.age_unknown

    def with_answer(self, key: str, value: Any = None, *, unknown: bool = False) -> Home:
        """A copy with one question answered (or わからない); the code no longer fits it."""
        answers = {k: v for k, v in self.answers.items() if k != key}
        unknowns = tuple(k for k in self.unknown if k != key)
        if unknown:
            unknowns += (key,)
        else:
            answers[key] = value
        return replace(self, answers=answers, unknown=unknowns, code="", code_expires=None)

    def with_facts(self, **facts: Any) -> Home:
        """A copy with the date of death or the age changed; the code no longer fits it."""
        return replace(self, **facts, code="", code_expires=None)


def _salt(municipality_code: str) -> str:
    return f"okuyami.precheck.state:{municipality_code}"


def cookie_path(municipality_code: str) -> str:
    return f"/check/{municipality_code}/"


def load(request, municipality_code: str) -> Home:
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return Home()
    try:
        data = signing.loads(raw, salt=_salt(municipality_code), max_age=MAX_AGE)
    except signing.BadSignature:
        return Home()
    return _read(data) or Home()


def _read(data: Any) -> Home | None:
    """The signed document as a Home; None when it is not one (a change of format)."""
    if not isinstance(data, dict):
        return None
    try:
        death = date.fromisoformat(data["d"]) if data.get("d") else None
        expires = date.fromisoformat(data["ce"]) if data.get("ce") else None
    except (TypeError, ValueError):
        return None
    age, answers, unknown, code = data.get("a"), data.get("q", {}), data.get("u", []), data.get("c", "")
    if age is not None and not (isinstance(age, int) and 0 <= age <= MAX_AGE_YEARS):
        return None
    if not isinstance(answers, dict) or not isinstance(unknown, list):
        return None
    if not all(isinstance(k, str) for k in [*answers, *unknown]):
        return None
    if code and not (isinstance(code, str) and len(code) == LENGTH and set(code) <= set(ALPHABET)):
        return None
    return Home(death, age, bool(data.get("au")), answers, tuple(unknown), code or "", expires)


def _document(home: Home) -> dict[str, Any]:
    values = asdict(home)
    document = {
        "d": home.death_date.isoformat() if home.death_date else None,
        "a": home.age,
        "au": home.age_unknown,
        "q": values["answers"],
        "u": list(home.unknown),
        "c": home.code,
        "ce": home.code_expires.isoformat() if home.code_expires else None,
    }
    return {name: value for name, value in document.items() if value not in (None, "", False, [], {})}


def save(response, municipality_code: str, home: Home) -> None:
    response.set_cookie(
        COOKIE,
        signing.dumps(_document(home), salt=_salt(municipality_code), compress=True),
        max_age=MAX_AGE,
        path=cookie_path(municipality_code),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget(response, municipality_code: str) -> None:
    response.delete_cookie(COOKIE, path=cookie_path(municipality_code), samesite="Lax")
