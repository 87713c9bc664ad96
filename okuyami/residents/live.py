"""The live lookup: a municipality's system answers the case document for one 宛名番号 over HTTPS.

`OKUYAMI_RECORDS_URL` names the endpoint; `{number}` in it is replaced by the 宛名番号 (without
it, `?number=` is added) and `{code}` by the municipality's code. The answer must come within
`OKUYAMI_RECORDS_TIMEOUT` seconds as an okuyami-residents/1 case document (200), or 404 when
the records hold no such deceased person. Anything else is `LookupFailed`: the counter
carries on by hand. Plain http:// is refused except to this machine with
`OKUYAMI_RECORDS_ALLOW_LOCAL_HTTP=1` (a local fake in the tests, or a sidecar).
"""

import ipaddress
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from procedures.rules import parse_date

MAX_BYTES = 1 << 20  # a case document is a few kilobytes
LOCAL_HOSTS = ("localhost",)


class LookupFailed(Exception):
    """The endpoint did not answer a case document in time; `reason` (English) names why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LookupNotFound(LookupFailed):
    """The endpoint answered 404: it holds no deceased person with that 宛名番号."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    token: str = ""
    timeout: float = 5
    allow_local_http: bool = False


def url_problem(url: str, *, allow_local_http: bool) -> str | None:
    """Why the endpoint URL may not be used, or None."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "is not a URL"
    if not parts.hostname:
        return "is not a URL with a host"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and allow_local_http and _is_local(parts.hostname):
        return None
    if parts.scheme == "http" and allow_local_http:
        return "plain http:// is allowed only to this machine (127.0.0.1, ::1, localhost)"
    return "must be an https:// URL"


def _is_local(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lookup_url(template: str, *, number: str, code: str) -> str:
    quoted = urllib.parse.quote(number, safe="")
    if "{number}" in template:
        return template.replace("{number}", quoted).replace("{code}", code)
    separator = "&" if urllib.parse.urlsplit(template).query else "?"
    return f"{template.replace('{code}', code)}{separator}number={quoted}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could leave HTTPS or the municipality's network: it is a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def fetch_case_document(endpoint: Endpoint, *, number: str, code: str) -> dict[str, Any]:
    """The case document the endpoint answers for the 宛名番号; LookupFailed otherwise."""
    if problem := url_problem(endpoint.url, allow_local_http=endpoint.allow_local_http):
        raise LookupFailed(f"OKUYAMI_RECORDS_URL {problem}")
    url = lookup_url(endpoint.url, number=number, code=code)
    headers = {"Accept": "application/json"}
    if endpoint.token:
        headers["Authorization"] = f"Bearer {endpoint.token}"
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if _is_local(urllib.parse.urlsplit(url).hostname or ""):
        handlers.append(urllib.request.ProxyHandler({}))  # never send a local call to a proxy
    opener = urllib.request.build_opener(*handlers)
    deadline = time.monotonic() + endpoint.timeout
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=endpoint.timeout) as response:
            body = _read(response, deadline)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise LookupNotFound("the endpoint holds no such deceased person (404)") from None
        raise LookupFailed(f"the endpoint answered HTTP {exc.code}") from None
    except (urllib.error.URLError, HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        kind = "timed out" if isinstance(reason, TimeoutError) else f"failed ({type(reason).__name__})"
        raise LookupFailed(f"the request {kind}") from None
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise LookupFailed("the endpoint's answer is not JSON") from None
    if problem := case_document_problem(document):
        raise LookupFailed(f"the endpoint's answer is not a case document: {problem}")
    return document


def _read(response, deadline: float) -> bytes:
    chunks, size = [], 0
    while chunk := response.read(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            raise LookupFailed("the endpoint's answer is larger than 1 MiB")
        if time.monotonic() > deadline:
            raise TimeoutError
    return b"".join(chunks)


_DECEASED = {"name": 100, "kana": 100, "address": 200}
_MEMBER = {"name": 100, "kana": 100, "relation": 50}


def case_document_problem(document: Any) -> str | None:
    """Why `document` is not an okuyami-residents/1 case document, or None."""
    if not isinstance(document, dict):
        return "not a JSON object"
    if unknown := set(document) - {"deceased", "answers", "household"}:
        return f"unknown field {sorted(unknown)[0]}"
    deceased = document.get("deceased")
    if not isinstance(deceased, dict) or set(deceased) != {*_DECEASED, "birth_date", "death_date"}:
        return "deceased must hold exactly name, kana, birth_date, death_date and address"
    if problem := _texts(deceased, _DECEASED, "deceased"):
        return problem
    if parse_date(deceased["death_date"]) is None:
        return 'deceased.death_date is not a date "YYYY-MM-DD"'
    if deceased["birth_date"] is not None and parse_date(deceased["birth_date"]) is None:
        return 'deceased.birth_date is not a date "YYYY-MM-DD"'
    if not isinstance(document.get("answers", {}), dict):
        return "answers is not an object"
    household = document.get("household", [])
    if not isinstance(household, list):
        return "household is not a list"
    for index, member in enumerate(household):
        where = f"household[{index}]"
        if not isinstance(member, dict) or set(member) != {*_MEMBER, "birth_date"}:
            return f"{where} must hold exactly name, kana, relation and birth_date"
        if problem := _texts(member, _MEMBER, where):
            return problem
        if member["birth_date"] is not None and parse_date(member["birth_date"]) is None:
            return f'{where}.birth_date is not a date "YYYY-MM-DD"'
    return None


def _texts(data: dict, limits: dict[str, int], where: str) -> str | None:
    for name, limit in limits.items():
        value = data[name]
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            return f"{where}.{name} must be text of 1 to {limit} characters"
    return None
