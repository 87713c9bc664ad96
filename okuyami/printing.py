"""The printed documents: 手続きのご案内 (checklist), 順路表 (route) and 共通申請書 (application).

Each is a Django template (okuyami/print/) over the guide of `okuyami.guide`, with
partials the screens include too; WeasyPrint turns it into an A4 PDF. The fonts
(BIZ UDPGothic, bundled under static/) and the stylesheet are loaded once per
process, and the URL fetcher serves files under okuyami/static/ only: a render
never touches the network and never depends on the fonts a machine has.
"""

from __future__ import annotations

import contextlib
import functools
import mimetypes
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NotRequired, TypedDict, Unpack
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from core.collector import collector_paused
from okuyami import selectors
from okuyami.display import guide_for_display
from okuyami.guide import correction_of, is_outside, procedure_count
from okuyami.models import Case
from procedures.wareki import wareki

DOCUMENTS = ("checklist", "route", "application")
TITLES = {"checklist": "手続きのご案内", "route": "順路表", "application": "共通申請書"}
# Every document prints in large print (14pt, nothing under 12.6pt; ?large=1, --large); the
# result screen offers it for the papers the family carries.
LARGE_PRINT_OFFERED = ("checklist", "route")
STATIC_DIR = Path(__file__).resolve().parent / "static"
STYLESHEET = "okuyami/css/print.css"


class PrintResourceRefused(Exception):
    """A document asked for a URL the print fetcher does not serve."""


class PrintFetcher(URLFetcher):
    """Serves files under okuyami/static/ and data: URLs; refuses everything else.

    Static URLs ("/static/okuyami/…", as `{% static %}` writes them) and file: URLs
    inside the static folder are read from disk. Any refusal stops the render
    (fail_on_errors), so a document never comes out silently missing a part.
    """

    def __init__(self):
        super().__init__(fail_on_errors=True, allowed_protocols=("data",))

    def fetch(self, url, headers=None):
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise PrintResourceRefused(
                f"{url}: printing never fetches from the network; only files under okuyami/static/ are served"
            )
        path = _static_path(unquote(urlsplit(url).path))
        if path is None:
            raise PrintResourceRefused(f"{url}: only files under okuyami/static/ are served to the printer")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def _static_path(url_path: str) -> Path | None:
    """The file a file: URL path names, if it is inside the static folder."""
    candidates = [Path(url_path)]
    prefix = static("")  # "/static/"
    if url_path.startswith(prefix):
        candidates.append(STATIC_DIR / url_path[len(prefix) :])
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_relative_to(STATIC_DIR) and resolved.is_file():
            return resolved
    return None


@dataclass(frozen=True)
class _Resources:
    font_config: FontConfiguration
    fetcher: PrintFetcher
    stylesheet: CSS


@functools.cache
def _resources() -> _Resources:
    """Fonts and stylesheet, parsed once per process: @font-face is read here, not per PDF."""
    font_config = FontConfiguration()
    fetcher = PrintFetcher()
    stylesheet = CSS(filename=str(STATIC_DIR / STYLESHEET), font_config=font_config, url_fetcher=fetcher)
    return _Resources(font_config, fetcher, stylesheet)


# One FontConfiguration is shared by every render, and Fontconfig is not thread-safe.
_render_lock = threading.Lock()


@contextlib.contextmanager
def _printing():
    """One render at a time, with Python's cycle collector paused while it runs (core.collector):
    a render allocates a few hundred thousand objects, and the collector's passes took a fifth of
    a checklist's time; memory stays flat (`make bench` measures both)."""
    with _render_lock, collector_paused():
        yield


@functools.cache
def _template(document: str):
    return get_template(f"okuyami/print/{document}.html")


# --- Context ------------------------------------------------------------------------


# Who is printed with which details: declared once, with the personal data, on the case model.
PERSON_FIELDS = {
    person: tuple(printed for printed, _ in fields) for person, fields in Case.personal_data.printed().items()
}


def _people(people: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every field present (empty when not given), dates also in 和暦."""
    shown: dict[str, dict[str, str]] = {}
    for role, fields in PERSON_FIELDS.items():
        given = people.get(role) or {}
        person = {name: str(given.get(name) or "").strip() for name in fields}
        for name in ("birth_date", "death_date"):
            if name in person:
                person[f"{name}_wareki"] = wareki(date.fromisoformat(person[name])) if person[name] else ""
        shown[role] = person
    return shown


def _shared_documents(stops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents needed at two or more stops, first use first, each with a `mark` (A, B, …)
    and the numbers of the stops that use it."""
    used_at: dict[str, list[int]] = {}
    for stop in stops:
        for text in dict.fromkeys(d for p in stop["procedures"] for d in p["documents"]):
            used_at.setdefault(text, []).append(stop["number"])
    shared = [(text, numbers) for text, numbers in used_at.items() if len(numbers) > 1]
    return [
        {"mark": _mark(index), "text": text, "stops": numbers, "everywhere": len(numbers) == len(stops)}
        for index, (text, numbers) in enumerate(shared)
    ]


def _mark(index: int) -> str:
    """A, B, … Z, then A2, B2, …: short enough to print after each procedure."""
    letter, round_ = chr(ord("A") + index % 26), index // 26
    return letter if round_ == 0 else f"{letter}{round_ + 1}"


def _split_documents(stops: list[dict[str, Any]], shared: list[dict[str, Any]]) -> None:
    """Give each stop its `own_documents` and `shared_marks`, and each procedure its `bring`:
    the lines the checklist prints, the marks of the shared documents it needs first
    ("・共通の持ち物 A・C", sharing a line with its first own document), then its own
    documents in full."""
    marks = {item["text"]: item["mark"] for item in shared}
    order = {item["text"]: index for index, item in enumerate(shared)}
    for stop in stops:
        own = dict.fromkeys(d for p in stop["procedures"] for d in p["documents"])
        stop["own_documents"] = [text for text in own if text not in marks]
        stop["shared_marks"] = [shared[i]["mark"] for i in sorted(order[t] for t in own if t in order)]
        for procedure in stop["procedures"]:
            used = [shared[i]["mark"] for i in sorted(order[t] for t in procedure["documents"] if t in order)]
            procedure["shared_marks"] = used
            lines = [f"・{text}" for text in procedure["documents"] if text not in marks]
            if used:
                shared_line = f"・共通の持ち物 {'・'.join(used)}"
                lines[:1] = [f"{shared_line}　{lines[0]}" if lines else shared_line]
            procedure["bring"] = lines


def document_context(
    document: str,
    *,
    guide: dict[str, Any],
    people: dict[str, Any],
    printed_on: date,
    large: bool = False,
) -> dict[str, Any]:
    """Everything a print template reads; plain data, no request."""
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r}; one of {', '.join(DOCUMENTS)}")
    shown = guide_for_display(guide, today=printed_on)
    person = _people(people)
    stops = shown["stops"]
    correction = correction_of(guide)
    context = {
        "document": document,
        "title": TITLES[document],
        "large": large,
        "guide": shown,
        "municipality": shown["municipality"],
        "stops": stops,
        "maybe": shown["maybe"],
        "dropped": shown["dropped"],
        "deceased": person["deceased"],
        "visitor": person["visitor"],
        "death_date_wareki": wareki(date.fromisoformat(guide["death_date"]), weekday=True),
        "printed_on_wareki": wareki(printed_on, weekday=True),
        "procedure_count": procedure_count(shown),
        "stylesheet_url": static(STYLESHEET),
        "sandbox": settings.OKUYAMI_SANDBOX,
        # A reprint after a correction says so on every document, with the day it was corrected.
        "correction": {**correction, "on_wareki": wareki(correction["on"])} if correction else None,
    }
    if document == "application":
        # The 共通申請書 is the municipality's own form: other offices (年金事務所, 税務署 …) have theirs.
        own = [stop for stop in stops if not is_outside(stop)]
        context["stops"] = own
        context["procedure_count"] = sum(len(stop["procedures"]) for stop in own)
        context["outside_offices"] = list(dict.fromkeys(s["name"] for s in stops if is_outside(s)))
    if document in ("checklist", "route"):
        shared = _shared_documents(stops)
        _split_documents(stops, shared)
        context["shared_documents"] = shared
    return context


# --- Rendering ----------------------------------------------------------------------


class PrintedFrom(TypedDict):
    """What a document is printed from: the keyword arguments of `document_context`."""

    guide: dict[str, Any]
    people: dict[str, Any]
    printed_on: date
    large: NotRequired[bool]


def render_html(document: str, *, stylesheet_url: str | None = None, **given: Unpack[PrintedFrom]) -> str:
    """The document as a standalone HTML page (the print preview), linking print.css."""
    return _html(document, given, stylesheet_url)


def render_pdf(document: str, **given: Unpack[PrintedFrom]) -> bytes:
    """The document as an A4 PDF with BIZ UDPGothic embedded."""
    return print_document(document, **given).pdf


@dataclass(frozen=True)
class Printed:
    html: str  # the HTML laid out (print.css not linked: it is passed to WeasyPrint parsed)
    pdf: bytes


def print_document(document: str, **given: Unpack[PrintedFrom]) -> Printed:
    """The document as a PDF, with the HTML it was laid out from (what the benchmark gives Chromium).

    One layout for every document: the route sheet keeps to one page by its layout,
    never by smaller type, and goes on to a second page when its counters need one.
    """
    html = _html(document, given, stylesheet_url="")  # the parsed stylesheet is passed in instead
    return Printed(html, _pdf(html))


def _html(document: str, given: PrintedFrom, stylesheet_url: str | None) -> str:
    context = document_context(document, **given)
    if stylesheet_url is not None:
        context["stylesheet_url"] = stylesheet_url
    return _template(document).render(context)


def pdf_from_html(html: str) -> bytes:
    """Any HTML through the print pipeline (fonts, print.css, the static-only fetcher)."""
    return _pdf(html)


def _pdf(html: str) -> bytes:
    with _printing():
        return _render(html).write_pdf()


def _render(html: str):
    """Lay out `html` (inside `_printing()`)."""
    resources = _resources()
    try:
        return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=resources.fetcher).render(
            font_config=resources.font_config, stylesheets=[resources.stylesheet]
        )
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, PrintResourceRefused):
            raise PrintResourceRefused(str(cause)) from None
        raise


def pdf_response(case, document: str, *, large: bool) -> HttpResponse:
    """A case's document as a PDF download, printed today; the file name carries no personal data."""
    pdf = render_pdf(
        document,
        guide=selectors.guide_for(case),
        people=selectors.people_for(case),
        printed_on=timezone.localdate(),
        large=large,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = "-large" if large else ""
    response["Content-Disposition"] = f'attachment; filename="{document}{suffix}-{case.pk}.pdf"'
    return response
