"""The municipality's own forms (procedures.form_pdf): checking an uploaded PDF, printing forms pre-filled.

Real PDFs throughout: the demo city's forms in fixtures/forms/ and small PDFs built
here with pikepdf. The printed text is read back with its coordinates by pdfplumber
(pdfminer), a reader independent of the code under test.
"""

import io
import json
import re
import socket
import threading
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from procedures import form_pdf
from procedures.form_pdf import (
    MIN_SIZE,
    MM,
    FormPdfError,
    FormToFill,
    Placement,
    copy_pages,
    fill_forms,
    inspect_pdf,
    placement_problems,
)

ROOT = Path(__file__).resolve().parent.parent.parent
FORMS = ROOT / "fixtures/forms"
TOLERANCE_MM = 1.0
# The demo family's details, as the counter resolves them.
VALUES = {
    "today": "令和8年11月27日",
    "deceased.name": "見本 太郎",
    "deceased.kana": "ミホン タロウ",
    "deceased.birth_date": "昭和25年4月2日",
    "deceased.death_date": "令和8年11月20日",
    "deceased.address": "見本県みほん市中央一丁目2番3号",
    "visitor.name": "見本 花子",
    "visitor.kana": "ミホン ハナコ",
    "visitor.relation": "妻",
    "visitor.phone": "000-000-1234",
    "visitor.address": "見本県みほん市中央二丁目4番5号",
    "check": "✓",
}


def demo(name: str, values: dict | None = None) -> FormToFill:
    entry = json.loads((FORMS / f"{name}.json").read_text(encoding="utf-8"))
    placements = [Placement(**field) for field in entry["fields"]]
    chosen = VALUES | (values or {})
    pdf = (FORMS / f"{name}.pdf").read_bytes()
    return FormToFill(pdf, placements, [chosen.get(placement.value) for placement in placements])


def blank_pdf(*sizes_mm: tuple[float, float], content: bytes = b"", **page_keys) -> bytes:
    """A PDF with a page of each size, each drawing `content` (Helvetica as /F1), with `page_keys` set."""
    pdf = pikepdf.Pdf.new()
    helvetica = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for width, height in sizes_mm or ((210, 297),):
        page = pdf.add_blank_page(page_size=(width * MM, height * MM))
        page.obj.Resources = Dictionary(Font=Dictionary(F1=helvetica))
        page.obj.Contents = pdf.make_stream(content)
        for key, value in page_keys.items():
            page.obj[f"/{key}"] = value
    return save(pdf)


def print_one(text: str, pdf: bytes | None = None, *, value: str = "v", page: int = 1, **where):
    """Print one value on a form (a blank A4 page by default)."""
    placement = Placement(page, value, **where)
    return fill_forms([FormToFill(pdf or blank_pdf(), [placement], [text], title="見本様式")])


def one_field_pdf(**field) -> bytes:
    """A blank A4 page with one fillable field (a printable widget) of these keys."""
    source = pikepdf.Pdf.open(io.BytesIO(blank_pdf()))
    widget = Dictionary(Type=Name.Annot, Subtype=Name.Widget, F=4, P=source.pages[0].obj)
    for key, value in field.items():
        widget[f"/{key}"] = value
    widget = source.make_indirect(widget)
    source.pages[0].obj.Annots = Array([widget])
    source.Root.AcroForm = Dictionary(Fields=Array([widget]))
    return save(source)


def save(pdf: pikepdf.Pdf, **options) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, **options)
    return buffer.getvalue()


def runs(pdf: bytes, page: int) -> list[dict]:
    """The printed runs of text on a page (1-based) in BIZ UDPGothic: text, x and top in mm, size, x1."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = [c for c in document.pages[page - 1].chars if c["fontname"].endswith("+BIZUDPGothic")]
    found: list[dict] = []
    for char in chars:
        last = found[-1] if found else None
        if last and abs(char["top"] - last["top_pt"]) < 0.01 and abs(char["x0"] - last["x1_pt"]) < 0.6:
            last["text"] += char["text"]
            last["x1_pt"] = char["x1"]
            last["x1"] = char["x1"] / MM
            continue
        found.append(
            {
                "text": char["text"],
                "x": char["x0"] / MM,
                "top": char["top"] / MM,
                "top_pt": char["top"],
                "x1_pt": char["x1"],
                "x1": char["x1"] / MM,
                "size": round(char["size"], 2),
            }
        )
    return found


def run_of(pdf: bytes, page: int, text: str) -> dict:
    matches = [run for run in runs(pdf, page) if run["text"].replace(" ", "") == text.replace(" ", "")]
    assert len(matches) == 1, f"{text!r} printed {len(matches)} times on page {page}: {runs(pdf, page)}"
    return matches[0]


def page_text(pdf: bytes, page: int) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return re.sub(r"\s+", "", document.pages[page - 1].extract_text())


# ---------------------------------------------------------------------------
# Printing at x/y


@pytest.mark.parametrize("name", ["kokuho_loss", "kokuho_sosaihi"])
def test_it_prints_each_value_where_its_field_says(name):
    form = demo(name)
    printed = fill_forms([form])

    assert printed.warnings == ()
    for placement, text in zip(form.placements, form.values, strict=True):
        run = run_of(printed.pdf, placement.page, text) if text != "✓" else None
        if run is None:
            continue
        assert abs(run["x"] - placement.x) <= TOLERANCE_MM, (placement, run)
        assert abs(run["top"] - placement.y) <= TOLERANCE_MM, (placement, run)
        assert MIN_SIZE <= run["size"] <= (placement.size or 10.5)  # made smaller where it had to
        assert run["x1"] <= placement.x + placement.width + 0.01


def test_the_check_mark_is_printed_in_its_box():
    printed = fill_forms([demo("kokuho_loss")])

    checks = [run for run in runs(printed.pdf, 1) if run["text"] == "✓"]
    assert len(checks) == 1
    # the 死亡 box of src/kokuho_loss.html: 3.5 mm square at (50, 174.5)
    assert checks[0]["x"] >= 50 and checks[0]["x1"] <= 53.5
    assert 174.5 <= checks[0]["top"] <= 174.5 + 3.5


def test_the_original_pages_stay_as_they_were_with_the_text_over_them():
    form = demo("kokuho_sosaihi")
    printed = fill_forms([form])

    assert "国民健康保険葬祭費支給申請書" in page_text(printed.pdf, 1)
    assert "委任状" in page_text(printed.pdf, 2)
    assert "見本太郎" in page_text(printed.pdf, 1)
    with pikepdf.open(io.BytesIO(form.pdf)) as source, pikepdf.open(io.BytesIO(printed.pdf)) as out:
        for original, copied in zip(source.pages, out.pages, strict=True):
            before = [original.obj.Contents] if isinstance(original.obj.Contents, pikepdf.Stream) else []
            before = before or list(original.obj.Contents)
            after = list(copied.obj.Contents)
            assert len(after) == len(before) + 2  # our "q" before, "Q" and the text after
            raw = [stream.read_raw_bytes() for stream in after[1:-1]]
            assert raw == [stream.read_raw_bytes() for stream in before]  # byte for byte, still vector
            assert list(copied.mediabox) == list(original.mediabox)


def test_the_pdf_has_every_page_of_every_form_in_the_order_given():
    forms = [demo("kokuho_loss"), demo("juminzei_daihyo"), demo("kokuho_sosaihi"), demo("kokuho_loss")]
    printed = fill_forms(forms)

    assert printed.pages == 8
    with pdfplumber.open(io.BytesIO(printed.pdf)) as document:
        assert len(document.pages) == 8
        titles = [re.sub(r"\s+", "", page.extract_text())[:60] for page in document.pages]
    assert "被保険者資格喪失届" in titles[0]
    assert "相続人代表者指定届出書" in titles[2]
    assert "葬祭費支給申請書" in titles[4]
    assert "被保険者資格喪失届" in titles[6]


def test_bizud_gothic_is_embedded_once_as_a_subset():
    printed = fill_forms([demo("kokuho_loss"), demo("kokuho_sosaihi"), demo("juminzei_daihyo")])

    with pikepdf.open(io.BytesIO(printed.pdf)) as pdf:
        ours = {
            obj.objgen: obj
            for obj in pdf.objects
            if isinstance(obj, Dictionary) and str(obj.get("/BaseFont", "")).endswith("+BIZUDPGothic")
            if obj.get("/Subtype") == Name.Type0
        }
        assert len(ours) == 1
        (font,) = ours.values()
        assert re.fullmatch(r"/[A-Z]{6}\+BIZUDPGothic", str(font.BaseFont))
        font_file = font.DescendantFonts[0].FontDescriptor.FontFile2
        subset = font_file.read_bytes()
        assert len(subset) == int(font_file.Length1) < 60_000  # the whole font is 4.6 MB
        assert "/ToUnicode" in font
    assert "見本太郎" in page_text(printed.pdf, 1)


def test_a_value_the_case_lacks_prints_nothing():
    form = demo("kokuho_loss", {"visitor.phone": None, "visitor.kana": ""})
    printed = fill_forms([form])

    texts = [run["text"] for run in runs(printed.pdf, 1)]
    assert "000-000-1234" not in texts
    assert not any("ハナコ" in text for text in texts)
    assert "見本 花子" in texts


def test_nothing_to_print_still_gives_every_page():
    form = demo("kokuho_loss")
    printed = fill_forms([FormToFill(form.pdf, form.placements, [None] * len(form.placements))])

    assert printed.pages == 2
    assert runs(printed.pdf, 1) == []
    assert "被保険者資格喪失届" in page_text(printed.pdf, 1)


# ---------------------------------------------------------------------------
# Fitting the text in its box


def test_text_wider_than_its_width_is_made_smaller_to_fit():
    pdf = blank_pdf()
    text = "見本県みほん市中央一丁目2番3号"  # 16 characters: about 59 mm at 10.5 pt
    printed = fill_forms([FormToFill(pdf, [Placement(1, "deceased.address", x=20, y=40, width=40)], [text])])

    run = run_of(printed.pdf, 1, text)
    assert MIN_SIZE <= run["size"] < 10.5
    assert run["x1"] <= 20 + 40 + 0.01
    assert abs(run["top"] - 40) <= TOLERANCE_MM
    assert printed.warnings == ()


def test_text_that_does_not_fit_at_6_pt_is_cut_with_an_ellipsis_and_a_warning():
    pdf = blank_pdf()
    text = "見本県みほん市中央一丁目2番3号みほんマンション東棟1001号室"
    placements = [Placement(1, "deceased.address", x=20, y=40, width=30)]
    printed = fill_forms([FormToFill(pdf, placements, [text], title="国民健康保険 資格喪失届")])

    (run,) = runs(printed.pdf, 1)
    assert run["size"] == MIN_SIZE
    assert run["text"].endswith("…")
    assert text.startswith(run["text"][:-1])
    assert run["x1"] <= 20 + 30 + 0.01
    (warning,) = printed.warnings
    assert (warning.form, warning.field, warning.page, warning.value, warning.code) == (
        0,
        0,
        1,
        "deceased.address",
        "cut",
    )
    assert "deceased.address" in warning.message and "6 pt" in warning.message
    assert "「…」で省略" in warning.message_ja and "国民健康保険 資格喪失届" in warning.message_ja
    assert "みほん" not in warning.message + warning.message_ja  # the family's details stay out of warnings


def test_without_a_width_the_text_stops_at_the_page_edge():
    pdf = blank_pdf()
    text = "見本県みほん市中央一丁目2番3号" * 3
    printed = fill_forms([FormToFill(pdf, [Placement(1, "deceased.address", x=170, y=40)], [text])])

    (run,) = runs(printed.pdf, 1)
    assert run["x1"] <= 210
    assert run["text"].endswith("…")
    assert [w.code for w in printed.warnings] == ["cut"]


def test_the_text_is_clipped_to_its_box():
    printed = print_one("見本", x=20, y=40, width=30, size=12)

    with pikepdf.open(io.BytesIO(printed.pdf)) as pdf:
        overlay = pdf.pages[0].obj.Contents[-1].read_bytes().decode()
    clip = re.search(r"q ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re W n BT", overlay)
    x, y, w, h = (float(v) for v in clip.groups())
    assert (round(x / MM, 2), round(w / MM, 2), round(h, 2)) == (20, 30, 12)
    assert round((297 * MM - (y + h)) / MM, 2) == 40


def test_a_character_the_font_lacks_is_printed_as_geta_with_a_warning():
    printed = print_one("見本 \U0001f600子", x=20, y=40)

    (run,) = runs(printed.pdf, 1)
    assert run["text"] == "見本 〓子"
    assert [w.code for w in printed.warnings] == ["missing_glyph"]


def test_a_variation_selector_picks_the_fonts_variant_glyph():
    # 葛 with U+E0100 (IVS) is a glyph of its own in BIZ UDPGothic
    printed = print_one("葛\U000e0100西", x=20, y=40)

    (run,) = runs(printed.pdf, 1)
    assert run["text"] == "葛西"
    assert printed.warnings == ()


def test_new_lines_in_a_value_print_as_one_line():
    printed = print_one("見本県\nみほん市", x=20, y=40)

    assert [run["text"] for run in runs(printed.pdf, 1)] == ["見本県 みほん市"]


# ---------------------------------------------------------------------------
# Rotated and cropped pages: millimetres from the top-left corner of the page as shown


@pytest.mark.parametrize("rotate", [0, 90, 180, 270, -90])
def test_text_is_placed_from_the_shown_pages_top_left_corner_and_upright(rotate):
    pdf = blank_pdf((210, 297), Rotate=rotate)
    printed = print_one("見本 花子", pdf, x=30, y=50, width=60)

    with pdfplumber.open(io.BytesIO(printed.pdf)) as document:
        page = document.pages[0]
        shown = (round(page.width / MM), round(page.height / MM))
        chars = [c for c in page.chars if c["text"] == "見"]
    assert shown == ((210, 297) if rotate % 180 == 0 else (297, 210))
    (char,) = chars
    assert char["upright"]
    assert abs(char["x0"] / MM - 30) <= TOLERANCE_MM
    assert abs(char["top"] / MM - 50) <= TOLERANCE_MM


@pytest.mark.parametrize(
    ("rotate", "offset_pt"),
    [
        # An A4 CropBox [30 40 625.28 881.89] on a 700 × 900 pt MediaBox (a printer's bleed).
        # pdfplumber measures from the MediaBox's shown top-left corner, so the CropBox's
        # shown corner lies this far from it (pt, across and down):
        (0, (30, 900 - 881.89)),  # the left side; the top side
        (90, (40, 30)),  # shown clockwise: the bottom side comes to the left, the left side to the top
        (180, (700 - 625.28, 40)),
        (270, (900 - 881.89, 700 - 625.28)),
    ],
)
def test_coordinates_start_at_the_cropbox(rotate, offset_pt):
    source = pikepdf.Pdf.open(io.BytesIO(blank_pdf((210, 297), Rotate=rotate)))
    source.pages[0].obj.MediaBox = Array([0, 0, 700, 900])
    source.pages[0].obj.CropBox = Array([30, 40, 625.28, 881.89])
    pdf = save(source)
    info = inspect_pdf(pdf)
    printed = fill_forms([FormToFill(pdf, [Placement(1, "visitor.name", x=30, y=50)], ["見本"])])

    assert info.pages[0].paper == ("A4 portrait" if rotate % 180 == 0 else "A4 landscape")
    run = run_of(printed.pdf, 1, "見本")
    assert abs(run["x"] - (30 + offset_pt[0] / MM)) <= TOLERANCE_MM
    assert abs(run["top"] - (50 + offset_pt[1] / MM)) <= TOLERANCE_MM


def test_a_landscape_a3_page_is_measured_as_shown():
    info = inspect_pdf(blank_pdf((420, 297)))
    page = info.pages[0]
    assert (page.width_mm, page.height_mm, page.paper) == (420, 297, "A3 landscape")


def test_user_unit_scales_the_page():
    # a page of 105 × 148.5 units of 2/72 inch is A4 as shown
    pdf = blank_pdf((105, 148.5), UserUnit=2)
    info = inspect_pdf(pdf)
    printed = fill_forms([FormToFill(pdf, [Placement(1, "v", x=30, y=50)], ["見本"])])

    assert info.pages[0].paper == "A4 portrait"
    with pdfplumber.open(io.BytesIO(printed.pdf)) as document:
        (char, *_) = [c for c in document.pages[0].chars if c["text"] == "見"]
    # pdfminer ignores UserUnit, so it reports default units: half the millimetres
    assert abs(char["x0"] / MM * 2 - 30) <= TOLERANCE_MM
    assert abs(char["top"] / MM * 2 - 50) <= TOLERANCE_MM


# ---------------------------------------------------------------------------
# Fillable (AcroForm) fields


def test_inspect_lists_the_fillable_fields_with_their_page_and_box():
    info = inspect_pdf((FORMS / "juminzei_daihyo.pdf").read_bytes())

    names = {field.name: field for field in info.fields}
    assert len(names) == 51
    shimei = names["daihyo_shimei"]
    # the cell of src/juminzei_daihyo.html: left 50 mm, top 105 mm, 70 × 10 mm
    assert (shimei.kind, shimei.page) == ("text", 1)
    assert (shimei.x, shimei.y, shimei.width, shimei.height) == pytest.approx((50, 105, 70, 10), abs=0.05)
    assert names["sofu_daihyo"].kind == "checkbox"
    assert names["sozokunin8_denwa"].page == 2
    assert inspect_pdf((FORMS / "kokuho_loss.pdf").read_bytes()).fields == ()


def test_fillable_fields_get_their_values_in_bizud_gothic_inside_their_boxes():
    form = demo("juminzei_daihyo")
    info = inspect_pdf(form.pdf)
    printed = fill_forms([form])

    for placement, text in zip(form.placements, form.values, strict=True):
        box = info.field(placement.acroform)
        if box.kind == "checkbox":
            continue
        run = run_of(printed.pdf, placement.page, text)
        assert box.x <= run["x"] and run["x1"] <= box.x + box.width, (placement, run)
        assert box.y <= run["top"] <= box.y + box.height, (placement, run)
    assert "代表者のほかの相続人" in page_text(printed.pdf, 1)


def test_fillable_fields_are_flattened_and_the_form_is_gone():
    printed = fill_forms([demo("juminzei_daihyo")])

    with pikepdf.open(io.BytesIO(printed.pdf)) as pdf:
        assert "/AcroForm" not in pdf.Root
        assert all("/Annots" not in page.obj for page in pdf.pages)


def test_a_check_box_is_turned_on_with_its_own_appearance():
    printed = fill_forms([demo("juminzei_daihyo")])

    with pdfplumber.open(io.BytesIO(printed.pdf)) as document:
        dingbats = [c for c in document.pages[0].chars if "ZapfDingbats" in c["fontname"]]
    # sofu_daihyo (53, 135.2) is checked; zeimoku_* stay empty
    assert len(dingbats) == 1
    assert 53 <= dingbats[0]["x0"] / MM <= 56.5
    assert 135 <= dingbats[0]["top"] / MM <= 139


def test_a_check_box_without_an_on_appearance_gets_a_check_mark():
    pdf = one_field_pdf(FT=Name.Btn, T=String("agree"), Rect=Array([100, 500, 112, 512]))
    assert inspect_pdf(pdf).field("agree").kind == "checkbox"

    printed = fill_forms([FormToFill(pdf, [Placement(1, "check", acroform="agree")], ["✓"])])

    (run,) = runs(printed.pdf, 1)
    assert run["text"] == "✓"
    assert run["x"] >= 100 / MM and run["x1"] <= 112 / MM


def test_a_comb_field_gets_one_character_in_each_cell():
    form = demo("juminzei_daihyo")
    info = inspect_pdf(form.pdf)
    number = "123456789012"
    printed = fill_forms(
        [FormToFill(form.pdf, [Placement(1, "visitor.my_number", acroform="daihyo_kojin_bango")], [number])]
    )

    box = info.field("daihyo_kojin_bango")
    with pdfplumber.open(io.BytesIO(printed.pdf)) as document:
        chars = [c for c in document.pages[0].chars if c["fontname"].endswith("+BIZUDPGothic")]
    assert "".join(c["text"] for c in chars) == number
    cell = box.width / 12
    for index, char in enumerate(chars):
        centre = (char["x0"] + char["x1"]) / 2 / MM
        assert abs(centre - (box.x + cell * (index + 0.5))) <= 0.3


def test_unfilled_fields_print_nothing():
    form = demo("juminzei_daihyo")
    printed = fill_forms([FormToFill(form.pdf, form.placements, [None] * len(form.placements))])

    assert runs(printed.pdf, 1) == runs(printed.pdf, 2) == []
    assert printed.pages == 2


# ---------------------------------------------------------------------------
# Placements checked against the form


@pytest.mark.parametrize(
    ("placement", "code"),
    [
        (Placement(3, "deceased.name", x=20, y=20), "page"),
        (Placement(0, "deceased.name", x=20, y=20), "page"),
        (Placement(1, "deceased.name"), "position"),
        (Placement(1, "deceased.name", x=20), "position"),
        (Placement(1, "deceased.name", x=20, y=20, acroform="daihyo_shimei"), "position_twice"),
        (Placement(1, "deceased.name", acroform="no_such_field"), "acroform"),
        (Placement(1, "deceased.name", acroform="sozokunin8_denwa"), "acroform_page"),
        (Placement(1, "deceased.name", x=200, y=20, width=20), "outside"),
        (Placement(1, "deceased.name", x=20, y=295), "outside"),
        (Placement(1, "deceased.name", x=-1, y=20), "outside"),
        (Placement(1, "deceased.name", x=20, y=20, width=0), "outside"),
        (Placement(1, "deceased.name", x=20, y=20, size=5), "size"),
        (Placement(1, "deceased.name", x=20, y=20, size=80), "size"),
    ],
)
def test_it_reports_a_placement_that_does_not_fit_the_form(placement, code):
    info = inspect_pdf((FORMS / "juminzei_daihyo.pdf").read_bytes())

    (problem,) = placement_problems(info, [Placement(1, "today", acroform="todokede_bi"), placement])
    assert (problem.field, problem.code) == (1, code)
    assert problem.message and problem.message_ja


def test_a_fillable_field_named_twice_is_reported():
    info = inspect_pdf((FORMS / "juminzei_daihyo.pdf").read_bytes())
    twice = [Placement(1, "today", acroform="todokede_bi"), Placement(1, "check", acroform="todokede_bi")]

    assert [(p.field, p.code) for p in placement_problems(info, twice)] == [(1, "acroform_twice")]


def test_the_demo_forms_placements_fit_their_forms():
    for name in ("kokuho_loss", "kokuho_sosaihi", "juminzei_daihyo"):
        form = demo(name)
        assert placement_problems(inspect_pdf(form.pdf), form.placements) == [], name


# ---------------------------------------------------------------------------
# Refusals


def refusal(data: bytes, **limits) -> FormPdfError:
    with pytest.raises(FormPdfError) as caught:
        inspect_pdf(data, **limits)
    assert caught.value.message and caught.value.message_ja
    return caught.value


def encrypted(user: str) -> bytes:
    with pikepdf.open(io.BytesIO(blank_pdf())) as pdf:
        return save(pdf, encryption=pikepdf.Encryption(owner="owner-secret", user=user))


@pytest.mark.parametrize(
    "data",
    [b"", b"Hello, this is a text file", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, b"PK\x03\x04" + b"\0" * 100],
)
def test_it_refuses_what_is_not_a_pdf(data):
    assert refusal(data).code == "not_pdf"


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_it_refuses_a_damaged_pdf(cut):
    data = (FORMS / "kokuho_sosaihi.pdf").read_bytes()
    error = refusal(data[: int(len(data) * cut)])

    assert error.code == "damaged"
    assert "damaged" in error.message


def test_it_refuses_a_pdf_that_is_only_a_header():
    assert refusal(b"%PDF-1.7\n%garbage that is no PDF at all\n").code == "damaged"


def test_it_refuses_a_page_whose_content_cannot_be_read():
    with pikepdf.open(io.BytesIO(blank_pdf())) as pdf:
        broken = pikepdf.Stream(pdf, b"this is not deflate data")
        broken.Filter = Name.FlateDecode
        pdf.pages[0].obj.Contents = broken
        data = save(pdf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)

    assert refusal(data).code == "damaged"


@pytest.mark.parametrize("user", ["family-secret", ""])
def test_it_refuses_an_encrypted_pdf(user):
    # with a user password it cannot be opened; with only an owner password it opens, still protected
    error = refusal(encrypted(user))

    assert error.code == "encrypted"
    with pytest.raises(FormPdfError) as caught:
        fill_forms([FormToFill(encrypted(user), [], [])])
    assert caught.value.code == "encrypted"


def test_it_refuses_a_pdf_over_the_size_limit():
    data = (FORMS / "kokuho_loss.pdf").read_bytes()
    error = refusal(data, max_bytes=20_000)

    assert (error.code, error.params["limit_mib"]) == ("too_large", "0")
    assert inspect_pdf(data, max_bytes=len(data)).page_count == 2
    assert form_pdf.MAX_BYTES == 10 * 1024 * 1024


def test_it_refuses_a_pdf_over_the_page_limit():
    error = refusal(blank_pdf(*[(210, 297)] * 21))

    assert (error.code, error.params) == ("too_many_pages", {"pages": 21, "limit": 20})
    assert "21" in error.message_ja
    assert inspect_pdf(blank_pdf(*[(210, 297)] * 20)).page_count == 20


def test_it_refuses_a_pdf_without_pages():
    pdf = pikepdf.Pdf.new()
    assert refusal(save(pdf)).code == "no_pages"


@pytest.mark.parametrize(
    ("size", "paper"),
    [
        ((210, 297), "A4 portrait"),
        ((297, 210), "A4 landscape"),
        ((297, 420), "A3 portrait"),
        ((257, 364), "B4 portrait"),
        ((364, 257), "B4 landscape"),
        ((182, 257), "B5 portrait"),
        ((215.9, 279.4), "Letter portrait"),
        ((209, 298.5), "A4 portrait"),  # within 2 mm
    ],
)
def test_it_accepts_the_usual_paper_sizes(size, paper):
    assert inspect_pdf(blank_pdf(size)).pages[0].paper == paper


@pytest.mark.parametrize("size", [(100, 100), (210, 300), (250, 353), (148, 210), (216, 356)])
def test_it_refuses_pages_of_odd_sizes(size):
    error = refusal(blank_pdf((210, 297), size))

    assert (error.code, error.params["page"]) == ("odd_page_size", 2)
    assert "A4, A3, B4, B5" in error.message
    assert "A4・A3・B4・B5" in error.message_ja


def test_it_refuses_a_page_that_leaves_its_graphics_state_open():
    error = refusal(blank_pdf((210, 297), content=b"q 1 0 0 1 50 50 cm 0 0 10 10 re f"))
    assert (error.code, error.params) == ("unbalanced", {"page": 1})
    assert inspect_pdf(blank_pdf(content=b"q 1 0 0 1 50 50 cm 0 0 10 10 re f Q")).page_count == 1


def test_it_refuses_a_dynamic_xfa_form():
    with pikepdf.open(io.BytesIO(blank_pdf())) as pdf:
        pdf.Root.AcroForm = Dictionary(Fields=Array(), XFA=pdf.make_stream(b"<xdp:xdp/>"))
        pdf.Root.NeedsRendering = True
        data = save(pdf)

    assert refusal(data).code == "xfa"


def test_a_refusal_names_its_reason_in_english_and_japanese():
    error = refusal(b"not a pdf")

    assert str(error) == "is not a PDF"
    assert error.message_ja == "PDFファイルではありません"


# ---------------------------------------------------------------------------
# Nothing a PDF holds is run or fetched


@pytest.fixture
def listener():
    """A local HTTP port that counts connections: a PDF's links point here."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    connections: list[object] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/", connections
    stop.set()
    thread.join()
    server.close()


ACTION_TYPES = {"/JavaScript", "/Launch", "/SubmitForm", "/URI", "/GoToR", "/GoToE", "/ImportData", "/Named"}
ACTIVE_KEYS = {"/JS", "/JavaScript", "/URI", "/Launch", "/OpenAction", "/AA", "/SubmitForm", "/GoToR", "/A"}


def active_pdf(url: str) -> bytes:
    """A form full of actions: JavaScript on open and on a page, a link, a launch, a scripted field."""
    pdf = pikepdf.Pdf.open(io.BytesIO((FORMS / "juminzei_daihyo.pdf").read_bytes()))
    script = Dictionary(S=Name.JavaScript, JS=String(f"app.launchURL('{url}'); this.submitForm('{url}');"))
    pdf.Root.OpenAction = script
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("x"), script])))
    pdf.Root.AA = Dictionary(WC=script)
    page = pdf.pages[0].obj
    page.AA = Dictionary(O=script)
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([10, 10, 100, 30]),
        F=4,
        A=Dictionary(S=Name.URI, URI=String(url)),
    )
    launch = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([10, 40, 100, 60]),
        A=Dictionary(S=Name.Launch, F=String("/bin/sh")),
    )
    page.Annots = Array([*page.Annots, pdf.make_indirect(link), pdf.make_indirect(launch)])
    for field in pdf.Root.AcroForm.Fields:
        if str(field.T) == "daihyo_shimei":
            field.AA = Dictionary(K=script, F=script)
            field.A = Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String(url)))
    return save(pdf)


def active_keys(data: bytes) -> set[str]:
    """Action keys and action types anywhere in the PDF: every object, direct ones inside others too."""
    found: set[str] = set()

    def walk(obj, seen: set) -> None:
        if not isinstance(obj, pikepdf.Object):
            return  # a number or a boolean
        if obj.is_indirect:
            if obj.objgen in seen:
                return
            seen.add(obj.objgen)
        if isinstance(obj, Dictionary | pikepdf.Stream):
            found.update(set(obj.keys()) & ACTIVE_KEYS)
            if str(obj.get("/S", "")) in ACTION_TYPES:
                found.add(f"action {obj.S}")
            for key in obj:
                walk(obj[key], seen)
        elif isinstance(obj, Array):
            for item in obj:
                walk(item, seen)

    with pikepdf.open(io.BytesIO(data)) as pdf:
        seen: set = set()
        walk(pdf.trailer, seen)
        for obj in pdf.objects:
            walk(obj, seen)
    return found


def test_no_action_of_a_form_survives_printing_and_none_is_run(listener):
    url, connections = listener
    data = active_pdf(url)
    premise = {"/JS", "/URI", "/OpenAction", "/AA", "action /Launch", "action /SubmitForm"}
    assert active_keys(data) >= premise

    info = inspect_pdf(data)
    form = demo("juminzei_daihyo")
    printed = fill_forms([FormToFill(data, form.placements, form.values)])

    assert info.field("daihyo_shimei") is not None
    assert active_keys(printed.pdf) == set()
    assert b"JavaScript" not in printed.pdf and url.encode() not in printed.pdf
    assert run_of(printed.pdf, 1, VALUES["visitor.name"])
    assert connections == []


# ---------------------------------------------------------------------------
# The floor the benchmark compares with


def test_copy_pages_copies_every_page_unmodified():
    forms = [demo("kokuho_loss"), demo("kokuho_sosaihi")]
    copied = copy_pages([form.pdf for form in forms])

    with pdfplumber.open(io.BytesIO(copied)) as document:
        assert len(document.pages) == 4
    assert runs(copied, 1) == []
    assert "被保険者資格喪失届" in page_text(copied, 1)


@pytest.mark.parametrize(("data", "code"), [(b"plain text", "not_pdf"), (b"%PDF-1.7\n%garbage\n", "damaged")])
def test_printing_a_form_that_cannot_be_read_is_refused_too(data, code):
    with pytest.raises(FormPdfError) as caught:
        fill_forms([demo("kokuho_loss"), FormToFill(data, [], [])])
    assert caught.value.code == code


def test_a_pdf_qpdf_had_to_repair_is_refused_as_damaged():
    with pikepdf.open(io.BytesIO(blank_pdf())) as pdf:
        del pdf.pages[0].obj["/Resources"]  # required on every page (or its parents)
        data = save(pdf)

    error = refusal(data)
    assert error.code == "damaged"
    assert "Resources" in error.message and "<" not in error.message


def test_a_blank_page_without_content_is_a_form_too():
    with pikepdf.open(io.BytesIO(blank_pdf())) as pdf:
        del pdf.pages[0].obj["/Contents"]
        data = save(pdf)

    assert inspect_pdf(data).page_count == 1
    assert run_of(print_one("見本", data, x=20, y=20).pdf, 1, "見本")["top"] == pytest.approx(20, abs=1)


def test_a_placement_off_the_form_is_left_out_of_the_print_not_failed():
    form = demo("kokuho_loss")
    off = [Placement(5, "visitor.name", x=20, y=20), Placement(1, "v", acroform="none")]
    placements = [*form.placements, *off]
    printed = fill_forms([FormToFill(form.pdf, placements, [*form.values, "見本 花子", "見本"])])

    assert printed.pages == 2
    assert run_of(printed.pdf, 1, "見本 花子")  # the form's own placement, once


def test_a_check_placement_prints_a_check_mark_and_nothing_without_a_value():
    assert [run["text"] for run in runs(print_one("1", value="check", x=20, y=20).pdf, 1)] == ["✓"]
    assert runs(print_one("", value="check", x=20, y=20).pdf, 1) == []


def test_a_filled_field_keeps_its_own_background_and_border():
    pdf = one_field_pdf(
        FT=Name.Tx,
        T=String("shimei"),
        Rect=Array([100, 500, 300, 530]),
        MK=Dictionary(BG=Array([0.9, 0.95, 1]), BC=Array([1, 0, 0])),
        BS=Dictionary(W=2),
    )
    printed = print_one("見本", pdf, value="visitor.name", acroform="shimei")

    with pikepdf.open(io.BytesIO(printed.pdf)) as pdf:
        overlay = pdf.pages[0].obj.Contents[-1].read_bytes().decode()
    assert "0.90 0.95 1.00 rg 100.00 500.00 200.00 30.00 re f" in overlay
    assert "1.00 0.00 0.00 RG 2.00 w 101.00 501.00 198.00 28.00 re S" in overlay
    assert overlay.index("re f") < overlay.index("Tj")  # the text over them
    run = run_of(printed.pdf, 1, "見本")
    assert 100 / MM < run["x"] < 300 / MM
