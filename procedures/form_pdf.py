"""The municipality's own PDF forms: check an uploaded form, print forms pre-filled.

Pure Python, no Django: the catalog validates bundles with it and the counter prints
with it. pikepdf (qpdf) reads and writes the PDFs; HarfBuzz (uharfbuzz) measures the
text and subsets BIZ UDPGothic. Nothing a PDF holds is run or fetched: qpdf only
parses, JavaScript and other actions are dropped from the printed PDF, and the
printed pages carry no annotations (form fields are flattened into the page).

Coordinates follow docs/catalog-format.md: millimetres from the top-left corner
of the page as it is shown (after /Rotate, within the CropBox). Inside this module
drawing happens in "display points": points from the bottom-left corner of the shown
page, y up; `_Page.ctm` maps them to the page's own user space.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import struct
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import pikepdf
import uharfbuzz as hb
from pikepdf import Array, Dictionary, Name

from procedures.messages import CodedMessage

FONT_PATH = Path(__file__).resolve().parent.parent / "okuyami/static/okuyami/fonts/BIZUDPGothic-Regular.ttf"
FONT_NAME = "BIZUDPGothic"

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 20
DEFAULT_SIZE = 10.5  # pt
MIN_SIZE = 6.0  # pt: text that does not fit at this size is cut with an ellipsis
MAX_SIZE = 72.0  # pt
SIZE_TOLERANCE_MM = 2.0
# Paper a municipality's form is printed on, portrait (width, height) in mm; B is JIS B.
PAPER_SIZES = {
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "B4": (257.0, 364.0),
    "B5": (182.0, 257.0),
    "Letter": (215.9, 279.4),
}
ACCEPTED_SIZES = "A4, A3, B4, B5 (JIS) or Letter, portrait or landscape, within 2 mm"
ACCEPTED_SIZES_JA = "A4・A3・B4・B5（JIS）・レター（縦または横、誤差2mm以内）"
CHECK_MARK = "✓"
ELLIPSIS = "…"
MISSING = "〓"  # printed for a character the font lacks (the 下駄 mark), as typesetters do

MM = 72 / 25.4  # points per millimetre
PADDING = 2.0  # pt, inside a fillable field's box, as Acrobat leaves
COMB = 1 << 24  # a text field's flag: one character in each of MaxLen cells

# Refusals: code → (English for the CLI and API, Japanese for the screens). `{…}` are params.
NOT_PDF = "not_pdf"
DAMAGED = "damaged"
ENCRYPTED = "encrypted"
TOO_LARGE = "too_large"
TOO_MANY_PAGES = "too_many_pages"
NO_PAGES = "no_pages"
ODD_PAGE_SIZE = "odd_page_size"
XFA = "xfa"
UNBALANCED = "unbalanced"
REFUSALS = {
    NOT_PDF: ("is not a PDF", "PDFファイルではありません"),
    DAMAGED: (
        "the PDF is damaged ({detail}); save it again as PDF",
        "PDFが壊れています。PDFとして保存し直してください",
    ),
    ENCRYPTED: (
        "the PDF is encrypted or password-protected; save a copy without protection",
        "PDFが暗号化（パスワード保護）されています。保護のないPDFとして保存し直してください",
    ),
    TOO_LARGE: (
        "the PDF is {size_mib} MiB; at most {limit_mib} MiB",
        "PDFが大きすぎます（{size_mib}MB。{limit_mib}MBまで）",
    ),
    TOO_MANY_PAGES: (
        "the PDF has {pages} pages; at most {limit}",
        "ページが多すぎます（{pages}ページ。{limit}ページまで）",
    ),
    NO_PAGES: ("the PDF has no pages", "PDFにページがありません"),
    ODD_PAGE_SIZE: (
        f"page {{page}} is {{width}} × {{height}} mm; accepted: {ACCEPTED_SIZES}",
        f"{{page}}ページ目の大きさ（{{width}}×{{height}}mm）には対応していません。{ACCEPTED_SIZES_JA}のPDFにしてください",
    ),
    XFA: (
        "the PDF is a dynamic XFA form, which only Adobe Reader draws; print it to a plain PDF",
        "Adobe Readerでしか表示できないXFA形式の様式です。通常のPDFとして印刷・保存し直してください",
    ),
    UNBALANCED: (
        "page {page}'s drawing instructions are unbalanced (q/Q); print it to a new PDF",
        "{page}ページ目の描画命令に不整合があります。PDFとして印刷・保存し直してください",
    ),
}


class FormPdfError(CodedMessage, Exception):
    """A form the service refuses; `code` names the reason (see REFUSALS)."""

    TEXTS = REFUSALS

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(self.message)


@dataclass(frozen=True)
class PageInfo:
    number: int  # from 1
    width_mm: float  # as shown: after /Rotate, the CropBox
    height_mm: float
    paper: str  # "A4 portrait"


@dataclass(frozen=True)
class FillableField:
    """A fillable AcroForm field of a form, where it first appears."""

    name: str  # fully qualified, as `fields[].acroform` names it
    kind: str  # "text" or "checkbox"
    page: int
    x: float  # its box on the shown page, mm from the top-left corner
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class FormInfo:
    pages: tuple[PageInfo, ...]
    fields: tuple[FillableField, ...]

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def field(self, name: str) -> FillableField | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Placement:
    """One `forms[].fields[]` entry of the catalog: where a value is printed."""

    page: int
    value: str  # the value's name ("deceased.name"): warnings name it, never the text
    x: float | None = None
    y: float | None = None
    width: float | None = None
    size: float | None = None  # pt; DEFAULT_SIZE when None (a fillable field's own size, if set)
    acroform: str | None = None


PROBLEMS = {
    "page": (
        "page {page} is past the PDF's last page ({pages})",
        "{page}ページ目はありません（PDFは{pages}ページです）",
    ),
    "size": (
        f"size must be from {MIN_SIZE:g} to {MAX_SIZE:g} pt",
        f"文字の大きさは{MIN_SIZE:g}〜{MAX_SIZE:g}ptにしてください",
    ),
    "position": ("needs x and y, or acroform", "位置（x・y）か入力欄名を指定してください"),
    "position_twice": (
        "give either x/y or acroform, not both",
        "位置（x・y）と入力欄名のどちらか一方を指定してください",
    ),
    "acroform": ("the PDF has no fillable field '{name}'", "PDFに入力欄「{name}」はありません"),
    "acroform_page": (
        "fillable field '{name}' is on page {page}",
        "入力欄「{name}」は{page}ページ目にあります",
    ),
    "acroform_twice": ("fillable field '{name}' is filled twice", "入力欄「{name}」が二度指定されています"),
    "outside": (
        "the text's box is outside page {page} ({width} × {height} mm)",
        "文字の位置が{page}ページ目（{width}×{height}mm）の外にあります",
    ),
}


@dataclass(frozen=True)
class PlacementProblem(CodedMessage):
    TEXTS = PROBLEMS

    field: int  # index in the placements
    code: str  # a key of PROBLEMS
    params: dict


@dataclass(frozen=True)
class FormToFill:
    """A form to print: its PDF, its placements and the text for each.

    None or "" prints nothing. A `check` placement prints ✓ whatever its text (any text
    turns a check box on), so the caller may give it "✓" or "1".
    """

    pdf: bytes
    placements: Sequence[Placement]
    values: Sequence[str | None]
    title: str = ""


CUT = "cut"
MISSING_GLYPH = "missing_glyph"
WARNINGS = {
    CUT: (
        "does not fit at {min} pt and was cut with an ellipsis",
        f"{MIN_SIZE:g}ptでも収まらないため、末尾を「…」で省略しました",
    ),
    MISSING_GLYPH: (
        "has characters the font lacks, printed as 〓",
        "フォントにない文字があり、「〓」で印刷しました。手書きで補ってください",
    ),
}


@dataclass(frozen=True)
class FillWarning:
    """A field printed imperfectly. It names the field and its value, never the text (personal data)."""

    form: int  # index in the forms given
    title: str
    field: int  # index in that form's placements
    page: int
    value: str
    code: str

    @property
    def message(self) -> str:
        where = f"form {self.form + 1} ({self.title}) page {self.page}, field {self.field + 1} ({self.value})"
        return f"{where}: {WARNINGS[self.code][0].format(min=f'{MIN_SIZE:g}')}"

    @property
    def message_ja(self) -> str:
        where = f"{self.title} {self.page}ページ目 {self.field + 1}番目の欄（{self.value}）"
        return f"{where}: {WARNINGS[self.code][1]}"


@dataclass(frozen=True)
class FilledForms:
    pdf: bytes
    pages: int
    warnings: tuple[FillWarning, ...]


# ---------------------------------------------------------------------------
# Inspecting an uploaded form


def inspect_pdf(data: bytes, *, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> FormInfo:
    """Pages and fillable fields of a form, or FormPdfError saying why it is refused."""
    if len(data) > max_bytes:
        raise FormPdfError(TOO_LARGE, size_mib=_mib(len(data)), limit_mib=_mib(max_bytes))
    pdf = _open(data)
    with pdf:
        acroform = pdf.Root.get("/AcroForm")
        if isinstance(acroform, Dictionary) and "/XFA" in acroform and pdf.Root.get("/NeedsRendering"):
            raise FormPdfError(XFA)
        try:
            count = len(pdf.pages)
            if count == 0:
                raise FormPdfError(NO_PAGES)
            if count > max_pages:
                raise FormPdfError(TOO_MANY_PAGES, pages=count, limit=max_pages)
            pages = tuple(_page_info(number, page) for number, page in enumerate(pdf.pages, start=1))
            for number, page in enumerate(pdf.pages, start=1):
                _check_contents(number, page)
            fields = _fillable_fields(pdf)
        except pikepdf.PdfError as error:
            raise FormPdfError(DAMAGED, detail=_short(error)) from error
        repaired = pdf.get_warnings()  # qpdf read past damage (a broken xref, a bad stream)
        if repaired:
            raise FormPdfError(DAMAGED, detail=_short(repaired[0]))
    return FormInfo(pages, fields)


def placement_problems(info: FormInfo, placements: Sequence[Placement]) -> list[PlacementProblem]:
    """What is wrong with placements on this form (the value names are the catalog's to check)."""
    problems: list[PlacementProblem] = []
    filled: set[str] = set()
    for index, placement in enumerate(placements):
        for code, params in _problems(info, placement, filled):
            problems.append(PlacementProblem(index, code, params))
        if placement.acroform is not None:
            filled.add(placement.acroform)
    return problems


def _problems(info: FormInfo, placement: Placement, filled: set[str]) -> list[tuple[str, dict]]:
    if not 1 <= placement.page <= info.page_count:
        return [("page", {"page": placement.page, "pages": info.page_count})]
    found = []
    if placement.size is not None and not MIN_SIZE <= placement.size <= MAX_SIZE:
        found.append(("size", {}))
    if placement.acroform is not None:
        known = info.field(placement.acroform)
        name = {"name": placement.acroform}
        if placement.x is not None or placement.y is not None or placement.width is not None:
            found.append(("position_twice", {}))
        elif known is None:
            found.append(("acroform", name))
        elif known.page != placement.page:
            found.append(("acroform_page", {**name, "page": known.page}))
        elif placement.acroform in filled:
            found.append(("acroform_twice", name))
        return found
    if placement.x is None or placement.y is None:
        return [*found, ("position", {})]
    page = info.pages[placement.page - 1]
    right = placement.x + (placement.width if placement.width is not None else 0)
    if (
        min(placement.x, placement.y) < 0
        or (placement.width is not None and placement.width <= 0)
        or placement.x >= page.width_mm
        or right > page.width_mm
        or placement.y + (placement.size or DEFAULT_SIZE) / MM > page.height_mm
    ):
        found.append(("outside", {"page": placement.page, "width": page.width_mm, "height": page.height_mm}))
    return found


# ---------------------------------------------------------------------------
# Printing forms pre-filled


def fill_forms(forms: Sequence[FormToFill], *, font_path: Path = FONT_PATH) -> FilledForms:
    """One PDF: every page of every form, in the order given, with its values printed over it.

    The forms are ones `inspect_pdf` accepted and `placement_problems` found nothing
    wrong with; a form that cannot be read raises FormPdfError all the same. Pages
    keep their original content streams untouched; the text is added in new content
    streams after them, in BIZ UDPGothic (one subset for the whole PDF), clipped to
    its box. Fillable fields are flattened: the printed PDF has no form fields left.
    """
    font = replace(_font(str(font_path)), runs={})
    printing: list[_Printing] = []
    try:
        for index, form in enumerate(forms):
            source = _open(form.pdf)
            sheet = _Printing(index, form, source, len(source.pages))
            printing.append(sheet)
            drawn = _fill_fields(sheet, font)
            _place_text(sheet, font)
            _flatten(source, drawn)
        out = pikepdf.Pdf.new()
        used = sorted({gid for sheet in printing for line in sheet.all_lines() for gid in line.glyphs})
        font_object, new_gid = _embed_font(out, font, used) if used else (None, {})
        save_state = out.make_stream(b"q\n")  # one stream shared by every page printed on
        for sheet in printing:
            for number, (page, lines, boxes) in enumerate(
                zip(sheet.source.pages, sheet.lines, sheet.boxes, strict=True), start=1
            ):
                out.pages.append(page)
                if not lines and not boxes:
                    continue
                geometry = sheet.page(number)
                copied = out.pages[-1]
                font_name = _font_resource(copied, font_object) if lines else b""
                copied.contents_add(save_state, prepend=True)
                overlay = _overlay(geometry, lines, boxes, font_name, new_gid)
                copied.contents_add(out.make_stream(b"\nQ\n" + overlay), prepend=False)
        buffer = io.BytesIO()
        _save(out, buffer)
        found = tuple(warning for sheet in printing for warning in sheet.warnings)
        return FilledForms(buffer.getvalue(), len(out.pages), found)
    except pikepdf.PdfError as error:
        raise FormPdfError(DAMAGED, detail=_short(error)) from error
    finally:
        for sheet in printing:
            sheet.source.close()


def copy_pages(pdfs: Sequence[bytes]) -> bytes:
    """Every page of the PDFs into one, unmodified: the floor `fill_forms` is measured against."""
    sources = [_open(data) for data in pdfs]
    try:
        out = pikepdf.Pdf.new()
        buffer = io.BytesIO()
        with warnings.catch_warnings():  # the fields are copied without their form, as the floor should
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
            for source in sources:
                out.pages.extend(source.pages)
            _save(out, buffer)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()


def _save(pdf: pikepdf.Pdf, buffer: io.BytesIO) -> None:
    # Existing streams are written as they are (not decoded and compressed again); new ones are compressed.
    pdf.save(
        buffer,
        compress_streams=True,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        object_stream_mode=pikepdf.ObjectStreamMode.preserve,
    )


@dataclass
class _Printing:
    """A form being printed: its source (kept open until saved: qpdf copies stream data
    lazily), its pages and what is drawn over each."""

    index: int
    form: FormToFill
    source: pikepdf.Pdf
    page_count: int
    lines: list[list[_Line]] = field(default_factory=list)
    boxes: list[list[bytes]] = field(default_factory=list)  # fillable fields' own background and border
    warnings: list[FillWarning] = field(default_factory=list)

    _pages: dict[int, _Page] = field(default_factory=dict)

    def __post_init__(self):
        self.lines = [[] for _ in range(self.page_count)]
        self.boxes = [[] for _ in range(self.page_count)]

    def page(self, number: int) -> _Page:
        """The geometry of a page, worked out for the pages printed on only."""
        if number not in self._pages:
            self._pages[number] = _Page(self.source.pages[number - 1])
        return self._pages[number]

    def all_lines(self) -> list[_Line]:
        return [line for lines in self.lines for line in lines]

    def add(self, field_index: int, page: int, line: _Line) -> None:
        self.lines[page - 1].append(line)
        value = self.form.placements[field_index].value
        for happened, code in ((line.cut, CUT), (line.missing, MISSING_GLYPH)):
            if happened:
                self.warnings.append(FillWarning(self.index, self.form.title, field_index, page, value, code))


def _place_text(sheet: _Printing, font: _Font) -> None:
    """Lay out the values placed at x/y on the pages."""
    for index, (placement, text) in enumerate(zip(sheet.form.placements, sheet.form.values, strict=True)):
        if placement.acroform is not None or not text:
            continue
        if placement.value == "check":
            text = CHECK_MARK
        if not 1 <= placement.page <= sheet.page_count or placement.x is None or placement.y is None:
            continue  # placement_problems reports these; a print never fails on them
        page = sheet.page(placement.page)
        left, top = placement.x * MM, page.height - placement.y * MM
        width = placement.width * MM if placement.width else page.width - left
        size = placement.size or DEFAULT_SIZE
        line = _layout(font, text, size=size, box=(left, top - size, left + width, top))
        sheet.add(index, placement.page, line)


# ---------------------------------------------------------------------------
# Reading


def _open(data: bytes) -> pikepdf.Pdf:
    if b"%PDF-" not in data[:1024]:
        raise FormPdfError(NOT_PDF)
    try:
        pdf = pikepdf.Pdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as error:
        raise FormPdfError(ENCRYPTED) from error
    except pikepdf.PdfError as error:
        raise FormPdfError(DAMAGED, detail=_short(error)) from error
    if pdf.is_encrypted:  # opened with an empty user password: still protected, often against change
        pdf.close()
        raise FormPdfError(ENCRYPTED)
    return pdf


def _short(error: object) -> str:
    text = re.sub(r"\s+", " ", str(error)).strip()
    text = re.sub(r"^(stream )?<[^>]*>,? ?|^[^:]*\.pdf: ", "", text)  # qpdf names the file; ours is in memory
    return text[:160] or type(error).__name__


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def _page_info(number: int, page: pikepdf.Page) -> PageInfo:
    rotate = page.obj.get("/Rotate", 0)
    if not isinstance(rotate, int) or rotate % 90:
        raise FormPdfError(DAMAGED, detail=f"page {number} is rotated by {rotate}, not a multiple of 90°")
    geometry = _Page(page)
    width, height = round(geometry.width / MM, 1), round(geometry.height / MM, 1)
    paper = _paper(width, height)
    if paper is None:
        raise FormPdfError(ODD_PAGE_SIZE, page=number, width=f"{width:g}", height=f"{height:g}")
    return PageInfo(number, width, height, paper)


def _paper(width: float, height: float) -> str | None:
    for name, (short, long) in PAPER_SIZES.items():
        for w, h, orientation in ((short, long, "portrait"), (long, short, "landscape")):
            if abs(width - w) <= SIZE_TOLERANCE_MM and abs(height - h) <= SIZE_TOLERANCE_MM:
                return f"{name} {orientation}"
    return None


def _check_contents(number: int, page: pikepdf.Page) -> None:
    """Parse the page's content (a damaged stream fails here) and check q/Q are balanced.

    The printed text is drawn after the page's content; a page that leaves a saved
    graphics state open would shift or clip it.
    """
    depth = 0
    for operands, operator in pikepdf.parse_content_stream(page):
        del operands
        if operator == pikepdf.Operator("q"):
            depth += 1
        elif operator == pikepdf.Operator("Q"):
            depth -= 1
            if depth < 0:
                break
    if depth != 0:
        raise FormPdfError(UNBALANCED, page=number)


def _fillable_fields(pdf: pikepdf.Pdf) -> tuple[FillableField, ...]:
    if "/AcroForm" not in pdf.Root:
        return ()
    pages = [_Page(page) for page in pdf.pages]
    page_of = _annotation_pages(pdf)
    found: dict[str, FillableField] = {}
    for form_field in pdf.acroform.fields:
        kind = _kind(form_field)
        name = str(form_field.fully_qualified_name)
        if kind is None or not name or name in found:
            continue
        for widget in pdf.acroform.get_annotations_for_field(form_field):
            number = page_of.get(widget.obj.objgen)
            if number is None:
                continue
            x0, y0, x1, y1 = pages[number - 1].display_rect(widget.obj.get("/Rect"))
            top = pages[number - 1].height - y1
            found[name] = FillableField(
                name,
                kind,
                number,
                round(x0 / MM, 2),
                round(top / MM, 2),
                round((x1 - x0) / MM, 2),
                round((y1 - y0) / MM, 2),
            )
            break
    return tuple(sorted(found.values(), key=lambda f: (f.page, f.y, f.x, f.name)))


def _kind(form_field) -> str | None:
    if form_field.is_text:
        return "text"
    if form_field.is_checkbox:
        return "checkbox"
    return None  # radio buttons, choices, signatures and push buttons are not filled


def _annotation_pages(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    page_of = {}
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", ()):
            if annotation.is_indirect:
                page_of[annotation.objgen] = number
    return page_of


# ---------------------------------------------------------------------------
# Page geometry


class _Page:
    """The shown page: its size in points and the matrix from display points to user space."""

    def __init__(self, page: pikepdf.Page):
        box = _box(page.obj.get("/CropBox") or page.mediabox)
        media = _box(page.mediabox)
        x0, y0 = max(box[0], media[0]), max(box[1], media[1])
        x1, y1 = min(box[2], media[2]), min(box[3], media[3])
        if x1 <= x0 or y1 <= y0:
            x0, y0, x1, y1 = media
        unit = _number(page.obj.get("/UserUnit", 1)) or 1.0
        rotate = int(_number(page.obj.get("/Rotate", 0))) // 90 * 90 % 360
        w, h = (x1 - x0) * unit, (y1 - y0) * unit
        self.width, self.height = (w, h) if rotate in (0, 180) else (h, w)
        # display (X, Y) → user: rotate clockwise as the viewer does, then scale by 1/UserUnit
        a, b, c, d, e, f = {
            0: (1, 0, 0, 1, x0, y0),
            90: (0, 1, -1, 0, x1, y0),
            180: (-1, 0, 0, -1, x1, y1),
            270: (0, -1, 1, 0, x0, y1),
        }[rotate]
        self.ctm = (a / unit, b / unit, c / unit, d / unit, e, f)

    def display_rect(self, rect) -> tuple[float, float, float, float]:
        """A user-space rectangle in display points (x0, y0, x1, y1)."""
        a, b, c, d, e, f = self.ctm
        det = a * d - b * c
        ux0, uy0, ux1, uy1 = _box(rect)
        xs, ys = [], []
        for ux, uy in ((ux0, uy0), (ux1, uy1)):
            dx, dy = ux - e, uy - f
            xs.append((d * dx - c * dy) / det)
            ys.append((a * dy - b * dx) / det)
        return min(xs), min(ys), max(xs), max(ys)


def _box(array) -> tuple[float, float, float, float]:
    if not isinstance(array, Array | list | tuple) or len(array) != 4:
        raise FormPdfError(DAMAGED, detail="a page or field box is not four numbers")
    x0, y0, x1, y1 = (_number(v) for v in array)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _number(value) -> float:
    if type(value) not in (int, float, Decimal):  # not bool, nor a name or a string
        raise FormPdfError(DAMAGED, detail=f"{value!r} where a number belongs")
    return float(value)


# ---------------------------------------------------------------------------
# The font: metrics and subsetting with HarfBuzz


@dataclass
class _Font:
    face: hb.Face
    hb_font: hb.Font
    upem: int
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    glyphs: dict[int, tuple[int, int]] = field(default_factory=dict)  # code point → (gid, advance)
    unicode: dict[int, str] = field(default_factory=dict)  # gid → the text it was used for
    # text → its glyphs, for one print only (`fill_forms` gives each print its own): names recur
    # on form after form, and a family's details are not kept once printed
    runs: dict[str, tuple[tuple[tuple[int, int], ...], bool]] = field(default_factory=dict)

    def glyph(self, codepoint: int, selector: int | None = None) -> tuple[int, int] | None:
        if selector is not None:
            gid = self.hb_font.get_variation_glyph(codepoint, selector)
            if gid:
                return gid, self.hb_font.get_glyph_h_advance(gid)
        known = self.glyphs.get(codepoint)
        if known is None:
            gid = self.hb_font.get_nominal_glyph(codepoint)
            if not gid:
                return None
            known = self.glyphs[codepoint] = (gid, self.hb_font.get_glyph_h_advance(gid))
        return known


@functools.cache
def _font(path: str) -> _Font:
    face = hb.Face(hb.Blob(Path(path).read_bytes()))
    hb_font = hb.Font(face)
    head = face.reference_table("head").data
    os2 = face.reference_table("OS/2").data
    extents = hb_font.get_font_extents("ltr")
    return _Font(
        face=face,
        hb_font=hb_font,
        upem=face.upem,
        bbox=struct.unpack(">hhhh", head[36:44]),
        ascent=extents.ascender,
        descent=extents.descender,
        cap_height=struct.unpack(">h", os2[88:90])[0] if len(os2) >= 90 else extents.ascender,
    )


def _font_dictionary(subtype: Name, base_font: Name, **entries: object) -> Dictionary:
    """A /Font: the Type0 font and its one CIDFontType2 descendant both name the subset."""
    return Dictionary(Type=Name.Font, Subtype=subtype, BaseFont=base_font, **entries)


def _embed_font(pdf: pikepdf.Pdf, font: _Font, gids: list[int]) -> tuple[pikepdf.Object, dict[int, int]]:
    """A Type0 font holding a subset of BIZ UDPGothic with these glyphs, and old → new glyph ids."""
    subset_input = hb.SubsetInput()
    for gid in gids:
        subset_input.glyph_set.add(gid)
    for tag in ("GSUB", "GPOS", "GDEF", "vhea", "vmtx", "DSIG", "meta"):
        subset_input.drop_table_tag_set.add(_tag(tag))
    subset_input.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    plan = hb.SubsetPlan(font.face, subset_input)
    mapping = plan.old_to_new_glyph_mapping
    new_gid = {gid: mapping[gid] for gid in gids}
    data = plan.execute().blob.data
    scale = 1000 / font.upem
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(gids).encode()).digest()[:6])
    base_font = Name(f"/{tag}+{FONT_NAME}")
    widths = Array()
    for gid in gids:
        widths.extend([new_gid[gid], Array([round(font.hb_font.get_glyph_h_advance(gid) * scale)])])
    font_file = pikepdf.Stream(pdf, data)
    font_file.Length1 = len(data)
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=base_font,
        Flags=4,
        FontBBox=Array([round(v * scale) for v in font.bbox]),
        ItalicAngle=0,
        Ascent=round(font.ascent * scale),
        Descent=round(font.descent * scale),
        CapHeight=round(font.cap_height * scale),
        StemV=80,
        FontFile2=font_file,
    )
    cid_font = _font_dictionary(
        Name.CIDFontType2,
        base_font,
        CIDSystemInfo=Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        CIDToGIDMap=Name.Identity,
        DW=1000,
        W=widths,
    )
    type0 = _font_dictionary(
        Name.Type0,
        base_font,
        Encoding=Name("/Identity-H"),
        DescendantFonts=Array([pdf.make_indirect(cid_font)]),
        ToUnicode=pikepdf.Stream(pdf, _to_unicode({new_gid[g]: font.unicode.get(g, "") for g in gids})),
    )
    return pdf.make_indirect(type0), new_gid


def _tag(text: str) -> int:
    return int.from_bytes(text.encode("ascii"), "big")


def _to_unicode(texts: dict[int, str]) -> bytes:
    entries = [(gid, text) for gid, text in sorted(texts.items()) if text]
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{gid:04X}> <{text.encode('utf-16-be').hex().upper()}>" for gid, text in chunk]
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    return "\n".join(lines).encode("ascii")


# ---------------------------------------------------------------------------
# Laying out a line of text in its box


@dataclass(frozen=True)
class _Line:
    glyphs: tuple[int, ...]  # the font's own glyph ids
    size: float
    x: float  # display points: the baseline's start
    baseline: float
    clip: tuple[float, float, float, float]  # display points: the box the text may not leave
    cut: bool
    missing: bool


_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_CHARACTER = re.compile("([^\ufe00-\ufe0f\U000e0100-\U000e01ef])([\ufe00-\ufe0f\U000e0100-\U000e01ef]?)")


def _glyphs(font: _Font, text: str) -> tuple[tuple[tuple[int, int], ...], bool]:
    """(gid, advance) for each character, and whether the font lacked any."""
    text = " ".join(text.split())  # one line: new lines and tabs are spaces
    known = font.runs.get(text)
    if known is not None:
        return known
    if _SELECTORS.search(text):  # 異体字: a variation selector (U+E0100 …) follows its character
        pairs = [(m[1], ord(m[2]) if m[2] else None) for m in _CHARACTER.finditer(text)]
    else:
        pairs = [(char, None) for char in text]
    glyphs: list[tuple[int, int]] = []
    missing = False
    for char, selector in pairs:
        glyph = font.glyph(ord(char), selector)
        if glyph is None:
            missing, char = True, MISSING
            glyph = font.glyph(ord(MISSING))
        font.unicode.setdefault(glyph[0], char)
        glyphs.append(glyph)
    font.runs[text] = result = (tuple(glyphs), missing)
    return result


def _layout(
    font: _Font,
    text: str,
    *,
    size: float,
    box: tuple[float, float, float, float],
    align: int = 0,
    comb: int = 0,
    clip: tuple[float, float, float, float] | None = None,
) -> _Line:
    """One line in `box` (display points): made smaller down to MIN_SIZE to fit, then cut with '…'.

    The line's height is the font's em (BIZ UDPGothic: ascent + descent = 1 em): the
    text's top is the box's top. `align` 0/1/2 is left/centre/right. Drawing is
    clipped to `clip` (default: the box).
    """
    x0, _, x1, y1 = box
    width = max(x1 - x0, 0.0)
    glyphs, missing = _glyphs(font, text)
    cut = False
    if comb:  # a field of `comb` equal cells, one character each
        cut = len(glyphs) > comb
        glyphs = glyphs[:comb]
    if comb:
        units = max((advance for _, advance in glyphs), default=0) * comb
    else:
        units = sum(advance for _, advance in glyphs)
    if units * size / font.upem > width and units:
        fitted = math.floor(width * font.upem / units * 100) / 100
        if fitted >= MIN_SIZE:
            size = fitted
        else:
            size = MIN_SIZE
            if not comb:
                glyphs, cut = _cut(font, glyphs, width * font.upem / size), True
    scale = size / font.upem
    line_width = sum(advance for _, advance in glyphs) * scale
    x = x0
    if align == 1 and not comb:
        x = x0 + (width - line_width) / 2
    elif align == 2:
        x = x1 - line_width
    baseline = y1 - font.ascent * scale
    if comb:
        cell = width / comb
        glyph_ids = tuple(gid for gid, _ in glyphs)
        offsets = tuple(x0 + cell * i + (cell - advance * scale) / 2 for i, (_, advance) in enumerate(glyphs))
        return _CombLine(glyph_ids, size, x, baseline, clip or box, cut, missing, offsets)
    return _Line(tuple(gid for gid, _ in glyphs), size, x, baseline, clip or box, cut, missing)


@dataclass(frozen=True)
class _CombLine(_Line):
    offsets: tuple[float, ...] = ()


def _cut(font: _Font, glyphs: list[tuple[int, int]], units: float) -> list[tuple[int, int]]:
    ellipsis = font.glyph(ord(ELLIPSIS))
    assert ellipsis is not None
    font.unicode.setdefault(ellipsis[0], ELLIPSIS)
    kept: list[tuple[int, int]] = []
    total = ellipsis[1]
    for glyph in glyphs:
        if total + glyph[1] > units:
            break
        kept.append(glyph)
        total += glyph[1]
    return [*kept, ellipsis]


# ---------------------------------------------------------------------------
# Fillable fields: filled ones are drawn like placed text, all are flattened


def _fill_fields(sheet: _Printing, font: _Font) -> set[tuple[int, int]]:
    """Lay out the values of fillable fields; return the widgets drawn here (not by their appearance)."""
    drawn: set[tuple[int, int]] = set()
    form, source = sheet.form, sheet.source
    wanted = [
        (index, placement, text)
        for index, (placement, text) in enumerate(zip(form.placements, form.values, strict=True))
        if placement.acroform is not None and text
    ]
    if not wanted or "/AcroForm" not in source.Root:
        return drawn
    acroform = source.acroform
    page_of = _annotation_pages(source)
    by_name: dict[str, list] = {}
    for form_field in acroform.fields:
        by_name.setdefault(str(form_field.fully_qualified_name), []).append(form_field)
    for index, placement, text in wanted:
        for form_field in by_name.get(placement.acroform, ()):
            kind = _kind(form_field)
            for widget in acroform.get_annotations_for_field(form_field):
                number = page_of.get(widget.obj.objgen)
                if number is None or kind is None or (kind == "checkbox" and _check(widget)):
                    continue  # a check box turned on is flattened with its own appearance
                box = sheet.page(number).display_rect(widget.obj.get("/Rect"))
                sheet.boxes[number - 1].append(_field_box(widget.obj, box))
                sheet.add(index, number, _field_line(font, form_field, kind, placement, text, box))
                drawn.add(widget.obj.objgen)
    return drawn


def _field_line(font: _Font, form_field, kind: str, placement: Placement, text: str, box) -> _Line:
    """A fillable field's value in its box: vertically centred, its quadding and comb honoured."""
    x0, y0, x1, y1 = box[0] + PADDING, box[1] + 1, box[2] - PADDING, box[3] - 1
    align, comb = 1, 0
    if kind == "checkbox":
        text = CHECK_MARK
    else:
        align = int(form_field.get_inheritable_field_value("/Q") or 0)
        max_len = int(form_field.get_inheritable_field_value("/MaxLen") or 0)
        comb = max_len if int(form_field.flags) & COMB and max_len else 0
    if comb:  # the cells span the whole box
        x0, x1 = box[0], box[2]
    height = y1 - y0
    size = min(placement.size or _da_size(form_field) or DEFAULT_SIZE, max(height, MIN_SIZE))
    top = y0 + (height + size) / 2 if size <= height else y1
    return _layout(font, text, size=size, box=(x0, top - size, x1, top), align=align, comb=comb, clip=box)


def _check(widget) -> bool:
    """Turn a checkbox widget on with its own appearance; False when it has none."""
    normal = widget.obj.get("/AP", {}).get("/N")
    if not isinstance(normal, Dictionary):
        return False
    states = [key for key in normal if key != "/Off"]
    if not states:
        return False
    widget.obj.AS = Name(states[0])
    return True


def _da_size(form_field) -> float:
    match = re.search(r"([\d.]+)\s+Tf", str(form_field.default_appearance or b"", "latin-1"))
    return float(match.group(1)) if match else 0.0


def _field_box(widget: Dictionary, box: tuple[float, float, float, float]) -> bytes:
    """The field's background and border (/MK), which its own appearance would have drawn."""
    characteristics = widget.get("/MK")
    if not isinstance(characteristics, Dictionary) or not {"/BG", "/BC"} & set(characteristics.keys()):
        return b""
    x0, y0, x1, y1 = box
    ops = []
    background = _color(characteristics.get("/BG"), fill=True)
    if background:
        ops.append(f"{background} {_n(x0)} {_n(y0)} {_n(x1 - x0)} {_n(y1 - y0)} re f")
    border = _color(characteristics.get("/BC"), fill=False)
    width = _number(widget.get("/BS", {}).get("/W", 1))
    if border and width > 0:
        half = width / 2
        ops.append(
            f"{border} {_n(width)} w {_n(x0 + half)} {_n(y0 + half)} "
            f"{_n(x1 - x0 - width)} {_n(y1 - y0 - width)} re S"
        )
    return ("q " + " ".join(ops) + " Q\n").encode() if ops else b""


def _color(values, *, fill: bool) -> str | None:
    if not isinstance(values, Array) or len(values) not in (1, 3, 4):
        return None
    operator = {1: "g", 3: "rg", 4: "k"}[len(values)]
    return " ".join(_n(_number(v)) for v in values) + " " + (operator if fill else operator.upper())


def _flatten(source: pikepdf.Pdf, drawn: set[tuple[int, int]]) -> None:
    """Draw printable annotations' appearances into their pages; drop every annotation and action."""
    if not any("/Annots" in page.obj for page in source.pages):
        for page in source.pages:
            _drop_actions(page.obj)
        return
    for page in source.pages:
        annotations = page.obj.get("/Annots")
        if isinstance(annotations, Array) and drawn:
            page.obj.Annots = Array([a for a in annotations if not (a.is_indirect and a.objgen in drawn)])
    acroform = source.Root.get("/AcroForm")
    if isinstance(acroform, Dictionary) and "/NeedAppearances" in acroform:
        del acroform["/NeedAppearances"]  # else qpdf would make its own appearances, in its own font
    source.flatten_annotations("print")
    for page in source.pages:
        _drop_actions(page.obj)


def _drop_actions(page: Dictionary) -> None:
    for key in ("/Annots", "/AA", "/B"):
        if key in page:
            del page[key]


# ---------------------------------------------------------------------------
# Writing the text


def _font_resource(page: pikepdf.Page, font_object) -> bytes:
    resources = page.obj.get("/Resources")
    if not isinstance(resources, Dictionary):
        resources = page.obj.Resources = Dictionary()
    fonts = resources.get("/Font")
    if not isinstance(fonts, Dictionary):
        fonts = resources.Font = Dictionary()
    number = 0
    while f"/OkyF{number}" in fonts and fonts[f"/OkyF{number}"].objgen != font_object.objgen:
        number += 1
    fonts[f"/OkyF{number}"] = font_object
    return f"/OkyF{number}".encode()


def _overlay(page: _Page, lines: list[_Line], boxes: list[bytes], font_name: bytes, new_gid: dict) -> bytes:
    parts = [b"q " + " ".join(_n(v) for v in page.ctm).encode() + b" cm\n", *boxes]
    for line in lines:
        x0, y0, x1, y1 = line.clip
        clip = f"q {_n(x0)} {_n(y0)} {_n(x1 - x0)} {_n(y1 - y0)} re W n BT 0 g ".encode()
        parts.append(clip + font_name + f" {_n(line.size)} Tf ".encode())
        if isinstance(line, _CombLine):
            for gid, offset in zip(line.glyphs, line.offsets, strict=True):
                parts.append(f"1 0 0 1 {_n(offset)} {_n(line.baseline)} Tm <{new_gid[gid]:04X}> Tj ".encode())
        else:
            hexed = "".join(f"{new_gid[gid]:04X}" for gid in line.glyphs)
            parts.append(f"1 0 0 1 {_n(line.x)} {_n(line.baseline)} Tm <{hexed}> Tj ".encode())
        parts.append(b"ET Q\n")
    parts.append(b"Q\n")
    return b"".join(parts)


def _n(value: float) -> str:
    return f"{value:.2f}"
