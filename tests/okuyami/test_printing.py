"""The printed documents (okuyami.printing): text, fonts, pages, the fetcher and the CLI."""

import gc
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.template.loader import render_to_string

from bench.cases import STAFF_NOTE
from okuyami import printing
from okuyami.display import guide_for_display
from okuyami.guide import procedure_count
from tests.conftest import fixture_document
from tests.okuyami.conftest import (
    FORTY_CASE,
    PEOPLE,
    PRINTED_ON,
    ROOT,
    embedded_fonts,
    guide_for,
    page_texts,
    printed_chars,
    read_pdf,
    size_of,
    smallest_text,
    squeeze,
)

BIZ_UD = "BIZ UDPGothic"
BUNDLED_REGULAR = ROOT / "okuyami/static/okuyami/fonts/BIZUDPGothic-Regular.ttf"
# The text sizes of print.css (pt): the text, and the least any text is printed at.
TEXT_PT, SMALLEST_PT = 10.0, 9.0
LARGE_TEXT_PT, LARGE_SMALLEST_PT = 14.0, 12.6
# The kokuho case of the national template: an ordinary day (a few counters).
ORDINARY_CASE = {"deceased": {"death_date": "2026-11-20"}, "answers": {"insurance": "kokuho"}}


def bold_texts(reader) -> list[str]:
    """Per page, the text set in a bold font (procedure and counter names, dates), squeezed."""
    pages = []
    for page in reader.pages:
        runs = []

        def visit(text, cm, tm, font, size, runs=runs):
            if font is not None and str(font.get("/BaseFont", "")).endswith("-Bold"):
                runs.append(text)

        page.extract_text(visitor_text=visit)
        pages.append(squeeze("".join(runs)))
    return pages


def font_size_of(reader, needle: str) -> float:
    """The rendered size (pt) of the first text run containing `needle`."""
    for page in reader.pages:
        found = []

        def visit(text, cm, tm, font, size, found=found):
            if needle in text and not found:
                found.append(abs(size * tm[3] * cm[3]))

        page.extract_text(visitor_text=visit)
        if found:
            return found[0]
    raise AssertionError(f"{needle!r} is not in the PDF")


def procedures(guide):
    return [p for stop in guide["stops"] for p in stop["procedures"]]


# --- The case the page tests use ------------------------------------------------------


def test_the_forty_procedure_case_has_forty_procedures(forty_guide):
    assert procedure_count(forty_guide) == 40
    assert len(forty_guide["stops"]) == 19
    assert [item["key"] for item in forty_guide["maybe"]] == ["koza_furikae", "sozoku_hoki"]


# --- Fonts ---------------------------------------------------------------------------


@pytest.mark.parametrize("document", printing.DOCUMENTS)
def test_every_document_embeds_biz_ud_regular_and_bold_as_subsets(forty_pdf, document):
    fonts = embedded_fonts(forty_pdf(document))
    assert fonts, "no fonts in the PDF"
    for base_font, program in fonts.items():
        # Japanese shown as empty boxes would come from a font other than BIZ UD.
        assert program["family"] == BIZ_UD, f"{base_font} is {program['family']}, not {BIZ_UD}"
        assert re.match(r"^/[A-Z]{6}\+", base_font), f"{base_font} is not a subset"
        assert program["bytes"] < BUNDLED_REGULAR.stat().st_size / 10, f"{base_font} is embedded whole"
    assert {p["subfamily"] for p in fonts.values()} == {"Regular", "Bold"}


def test_a_render_with_fontconfig_limited_to_dejavu_still_embeds_biz_ud(tmp_path):
    config = tmp_path / "fonts.conf"
    config.write_text(
        textwrap.dedent(f"""\
            <?xml version="1.0"?>
            <!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
            <fontconfig>
              <dir>/usr/share/fonts/truetype/dejavu</dir>
              <cachedir>{tmp_path / "cache"}</cachedir>
            </fontconfig>
            """)
    )
    script = textwrap.dedent("""\
        import json, sys
        import django
        django.setup()
        from weasyprint import HTML
        from okuyami import printing
        from tests.okuyami.conftest import PEOPLE, PRINTED_ON, embedded_fonts, guide_for, read_pdf
        guide = guide_for({"deceased": {"death_date": "2026-11-20"}, "answers": {"insurance": "kokuho"}})
        ours = printing.render_pdf("checklist", guide=guide, people=PEOPLE, printed_on=PRINTED_ON)
        # A document that names the system's BIZ UD without our @font-face: shows what fontconfig sees.
        probe = HTML(string='<p style="font-family: BIZ UDPGothic">Probe</p>').write_pdf()
        fonts = {"ours": embedded_fonts(read_pdf(ours)), "probe": embedded_fonts(read_pdf(probe))}
        json.dump(fonts, sys.stdout)
        """)
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(config),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    fonts = json.loads(done.stdout)
    probe = {p["family"] for p in fonts["probe"].values()}
    assert probe and all(family.startswith("DejaVu") for family in probe), f"fontconfig saw {probe}"
    assert {p["family"] for p in fonts["ours"].values()} == {BIZ_UD}


# --- 手続きのご案内 (checklist) ----------------------------------------------------------


def test_checklist_names_the_family_the_dates_and_every_counter(forty_pdf, forty_guide):
    text = "".join(page_texts(forty_pdf("checklist")))
    assert "手続きのご案内" in text
    assert "全国標準テンプレート" in text
    assert squeeze(PEOPLE["visitor"]["name"]) + "様" in text
    assert "亡くなった方" + squeeze(PEOPLE["deceased"]["name"]) + "様" in text
    assert "亡くなった日令和8年11月20日（金）" in text
    assert "印刷日令和8年11月27日（金）" in text
    for stop in forty_guide["stops"]:
        assert squeeze(stop["name"]) in text
        assert squeeze(f"受付 {stop['hours']}") in text if stop["hours"] else True
    # 世帯主変更届: 14 days from 2026-11-20, printed on 11-27.
    assert "世帯主変更届" in text
    assert "令和8年12月4日（金）" in text
    assert "あと7日" in text
    assert "期限の定めなし" in text
    assert squeeze(STAFF_NOTE) in text
    assert "窓口で追加" in text


def test_checklist_lists_what_to_confirm_for_each_maybe(forty_pdf, forty_guide):
    text = "".join(page_texts(forty_pdf("checklist")))
    assert "要確認" in text
    for item in forty_guide["maybe"]:
        assert squeeze(item["name"]) in text
        for fact in item["confirm"]:
            assert squeeze(fact) in text


def test_forty_procedures_print_on_a_few_numbered_pages(forty_pdf):
    texts = page_texts(forty_pdf("checklist"))
    assert 4 <= len(texts) <= 8
    for number, text in enumerate(texts, start=1):
        assert f"{number}/{len(texts)}ページ" in text


def test_no_procedure_is_split_across_pages(forty_pdf, forty_guide):
    reader = forty_pdf("checklist")
    texts, bold = page_texts(reader), bold_texts(reader)
    for procedure in procedures(forty_guide):
        pages = [i for i, text in enumerate(bold) if squeeze(procedure["name"]) in text]
        assert len(pages) == 1, f"{procedure['name']} is on pages {pages}"
        # Its own documents print with it; shared ones by their mark (listed in full on page 1).
        for line in procedure_bring(forty_guide, procedure):
            assert squeeze(line) in texts[pages[0]], f"{procedure['name']}: {line} is on another page"
        if procedure["deadline_note"]:
            assert squeeze(procedure["deadline_note"]) in texts[pages[0]]


def test_each_document_starts_its_own_line(forty_pdf, forty_guide):
    """Documents are separated by newlines under white-space: pre-line, not <br>: each still
    begins a line of its own in the PDF."""
    lines = [
        re.sub(r"\s+", "", line)
        for page in forty_pdf("checklist").pages
        for line in page.extract_text().splitlines()
    ]
    checked = 0
    for procedure in procedures(forty_guide):
        bring = procedure_bring(forty_guide, procedure)
        for line in bring[1:]:
            assert any(printed.startswith(squeeze(line)[:12]) for printed in lines), line
            checked += 1
    assert checked >= 5, "the 40-procedure case has procedures with several documents"


def procedure_bring(guide, procedure):
    context = printing.document_context("checklist", guide=guide, people=PEOPLE, printed_on=PRINTED_ON)
    shown = next(p for stop in context["stops"] for p in stop["procedures"] if p["key"] == procedure["key"])
    return shown["bring"]


def test_checklist_lists_shared_documents_once_and_each_procedure_names_them(forty_pdf, forty_guide):
    texts = page_texts(forty_pdf("checklist"))
    text = "".join(texts)
    context = printing.document_context("checklist", guide=forty_guide, people=PEOPLE, printed_on=PRINTED_ON)
    shared = {item["text"]: item for item in context["shared_documents"]}
    assert shared, "the 40-procedure case has documents used at several counters"
    for item in shared.values():
        # Listed once, on page 1, with its mark and the counters that use it.
        where = "すべての窓口" if item["everywhere"] else "窓口" + "・".join(map(str, item["stops"]))
        assert squeeze(f"{item['mark']}{item['text']}（{where}）") in texts[0]
    identity = "届出人の本人確認書類（マイナンバーカード・運転免許証など）"
    assert text.count(squeeze(identity)) == 1
    # Nothing is lost: every document of every procedure is printed with it or named by mark.
    for stop in context["stops"]:
        for procedure in stop["procedures"]:
            lines = "".join(procedure["bring"])
            named = re.match(r"・共通の持ち物 ([A-Z0-9・]+)", lines)
            marks = named.group(1).split("・") if named else []
            for document in procedure["documents"]:
                if document in shared:
                    assert stop["number"] in shared[document]["stops"]
                    assert shared[document]["mark"] in marks, f"{procedure['name']}: {document}"
                else:
                    assert f"・{document}" in lines
            assert squeeze(lines) in text


def test_each_counter_heading_stays_with_its_first_procedure(forty_pdf, forty_guide):
    bold = bold_texts(forty_pdf("checklist"))
    for stop in forty_guide["stops"]:
        first = squeeze(stop["procedures"][0]["name"])
        assert any(squeeze(stop["name"]) in text and first in text for text in bold), stop["name"]


@pytest.mark.parametrize("large", [False, True])
def test_each_deadline_follows_its_procedure_name(forty_pdf, forty_guide, large):
    """The deadline is the line under the name (not a column), what to bring after it."""
    text = "".join(page_texts(forty_pdf("checklist", large=large)))
    shown = guide_for_display(forty_guide, today=PRINTED_ON)
    for procedure in procedures(shown):
        deadline = (
            procedure["deadline_wareki"] + procedure["days_left_label"] if procedure["deadline"] else ""
        )
        deadline = deadline or procedure["deadline_words"] or "期限の定めなし"
        tag = "窓口で追加" if procedure["manual"] else ""
        assert squeeze(procedure["name"] + tag + deadline) in text, procedure["name"]


def test_large_print_sets_bigger_type_on_more_pages(forty_pdf):
    normal, large = forty_pdf("checklist"), forty_pdf("checklist", large=True)
    assert font_size_of(large, "世帯主変更届") >= 1.3 * font_size_of(normal, "世帯主変更届")
    assert len(large.pages) > len(normal.pages)


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("document", printing.DOCUMENTS)
def test_no_text_is_small(forty_data, document, large):
    """Nothing under 9 pt, and in large print nothing under 12.6 pt: the ※ notes, labels, the
    counters' details and the page footers included (read back from the PDF)."""
    smallest, text_pt = (LARGE_SMALLEST_PT, LARGE_TEXT_PT) if large else (SMALLEST_PT, TEXT_PT)
    size, text = smallest_text(forty_data(document, large))
    assert size >= smallest - 0.01, f"{text!r} is printed at {size} pt"
    if document == "checklist":
        assert size_of(forty_data(document, large), "※亡くなった日から14日以内") >= smallest - 0.01
    if document != "application":  # whose list of procedures is the small print of a form
        assert size_of(forty_data(document, large), "世帯主変更届") >= text_pt - 0.01


def test_the_trial_banner_is_large_in_large_print(settings, forty_guide):
    settings.OKUYAMI_SANDBOX = True
    data = printing.render_pdf(
        "checklist", guide=forty_guide, people=PEOPLE, printed_on=PRINTED_ON, large=True
    )
    assert size_of(data, "お試し環境") >= LARGE_SMALLEST_PT - 0.01
    assert smallest_text(data)[0] >= LARGE_SMALLEST_PT - 0.01


@pytest.mark.parametrize(
    ("printed_on", "label", "overdue"),
    [
        (date(2026, 11, 27), "あと7日", False),
        (date(2026, 12, 3), "あと1日", False),
        (date(2026, 12, 4), "今日まで", False),
        (date(2026, 12, 7), "3日過ぎています", True),
    ],
)
def test_days_left_count_from_the_day_printed(printed_on, label, overdue):
    guide = guide_for({"deceased": {"death_date": "2026-11-20"}, "answers": {"insurance": "kokuho"}})
    shown = guide_for_display(guide, today=printed_on)
    kokuho_loss = next(p for p in procedures(shown) if p["key"] == "kokuho_loss")
    assert kokuho_loss["deadline_wareki"] == "令和8年12月4日（金）"
    assert (kokuho_loss["days_left_label"], kokuho_loss["overdue"]) == (label, overdue)


# --- 順路表 (route sheet) --------------------------------------------------------------


def test_route_sheet_of_an_ordinary_day_is_one_page_at_full_size():
    data = printing.render_pdf("route", guide=guide_for(ORDINARY_CASE), people=PEOPLE, printed_on=PRINTED_ON)
    reader = read_pdf(data)
    assert len(reader.pages) == 1
    assert size_of(data, "国民健康保険の資格喪失届") == TEXT_PT
    assert smallest_text(data)[0] >= SMALLEST_PT - 0.01
    assert "1/1ページ" in page_texts(reader)[0]


@pytest.mark.parametrize(("large", "pages"), [(False, (2, 2)), (True, (3, 6))])
def test_route_sheet_of_a_long_day_goes_on_to_more_pages_not_smaller_type(
    forty_data, forty_pdf, forty_guide, large, pages
):
    """21 counters: two pages at 10 pt rather than one at 6.5 pt; in large print as many as it
    takes. Every counter in walking order, each whole on one page, with its procedures and
    what to bring."""
    reader = forty_pdf("route", large=large)
    assert pages[0] <= len(reader.pages) <= pages[1]
    texts = page_texts(reader)
    for number, text in enumerate(texts, start=1):
        assert f"{number}/{len(texts)}ページ" in text
    assert size_of(forty_data("route", large), "国民健康保険の資格喪失届") == (
        LARGE_TEXT_PT if large else TEXT_PT
    )
    text = "".join(texts)
    starts = [sum(len(page) for page in texts[:number]) for number in range(len(texts))]
    position = 0
    for number, stop in enumerate(forty_guide["stops"], start=1):
        found = text.find(squeeze(f"{number}{stop['name']}"), position)
        assert found >= 0, f"{stop['name']} is missing or out of walking order"
        position = found
        page = texts[max(number for number, start in enumerate(starts) if start <= found)]
        for procedure in stop["procedures"]:
            assert squeeze(procedure["name"]) in page, f"{procedure['name']} is not with {stop['name']}"
    for procedure in procedures(forty_guide):
        for document in procedure["documents"]:
            assert squeeze(document) in text


def test_route_sheet_in_large_print_is_fourteen_points():
    guide = guide_for(ORDINARY_CASE)
    normal = printing.render_pdf("route", guide=guide, people=PEOPLE, printed_on=PRINTED_ON)
    large = printing.render_pdf("route", guide=guide, people=PEOPLE, printed_on=PRINTED_ON, large=True)
    name = "国民健康保険の資格喪失届"
    assert font_size_of(read_pdf(large), name) == pytest.approx(
        1.4 * font_size_of(read_pdf(normal), name), abs=0.01
    )


# --- Names of any length -----------------------------------------------------------------

LONG_NAMES = {
    # 100 characters: the long name of the rakugo 寿限無, and a foreign resident's name in
    # capitals with no space to break at.
    "japanese": (
        "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末食う寝る処に住む処やぶら小路の藪柑子" * 3
    )[:100],
    "latin": ("WOLFESCHLEGELSTEINHAUSENBERGERDORFF" * 3)[:100],
}


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("document", printing.DOCUMENTS)
@pytest.mark.parametrize("kind", LONG_NAMES)
def test_a_name_of_a_hundred_characters_wraps_inside_the_page(document, large, kind):
    name = LONG_NAMES[kind]
    people = {
        "deceased": {**PEOPLE["deceased"], "name": name, "kana": name},
        "visitor": {**PEOPLE["visitor"], "name": name, "kana": name},
    }
    guide = guide_for(ORDINARY_CASE)
    data = printing.render_pdf(document, guide=guide, people=people, printed_on=PRINTED_ON, large=large)
    margin = 10 * 72 / 25.4  # no document's page margin is under 10 mm
    for page in printed_chars(data):
        for char in page:
            assert margin - 0.5 <= char["x0"] and char["x1"] <= char["page_width"] - margin + 0.5, char
            assert char["top"] >= 0 and char["bottom"] <= char["page_height"], char
    text = "".join(page_texts(read_pdf(data)))
    assert text.count(name) >= (3 if document == "application" else 2)


# --- 共通申請書 (application) -------------------------------------------------------------


def test_application_prints_the_family_once_with_wareki_dates(forty_pdf, forty_guide):
    reader = forty_pdf("application")
    text = "".join(page_texts(reader))
    assert "共通申請書" in text
    for person in PEOPLE.values():
        for field in ("name", "kana", "address"):
            assert text.count(squeeze(person[field])) == 1, field
    assert "生年月日昭和25年4月2日" in text
    assert "亡くなった日令和8年11月20日" in text
    assert "続柄妻" in text
    assert "000-000-1234" in text
    assert "署名" in text and "印" in text


def test_application_lists_only_the_municipalitys_own_procedures_and_names_the_other_offices(
    forty_pdf, forty_guide
):
    """It is addressed to the 市長: 年金事務所, 税務署 … have their own forms (issue #15, item 3)."""
    text = "".join(page_texts(forty_pdf("application")))
    own = [p for stop in forty_guide["stops"] if not stop["outside"] for p in stop["procedures"]]
    elsewhere = [stop for stop in forty_guide["stops"] if stop["outside"]]
    assert own and elsewhere
    for procedure in own:
        assert squeeze(procedure["name"]) in text
    assert f"この申請書を使う{forty_guide['municipality']['name']}の手続き（{len(own)}件）" in text
    for stop in elsewhere:
        for procedure in stop["procedures"]:
            if not any(procedure["name"] == p["name"] for p in own):
                assert squeeze(procedure["name"]) not in text
        assert squeeze(stop["name"]) in text
    assert "次の機関の手続きには、この申請書は使えません。" in text
    assert "それぞれの機関の申請書・届出書" in text


def test_application_with_nothing_but_the_date_of_death_leaves_blanks():
    guide = guide_for({"deceased": {"death_date": "2026-11-20"}})
    pdf = printing.render_pdf(
        "application", guide=guide, people={"deceased": {"death_date": "2026-11-20"}}, printed_on=PRINTED_ON
    )
    text = "".join(page_texts(read_pdf(pdf)))
    assert "氏名" in text and "ふりがな" in text
    assert "None" not in text
    assert "令和8年11月20日" in text


# --- HTML and partials ------------------------------------------------------------------


def test_the_preview_links_print_css_from_static(forty_guide):
    html = printing.render_html("checklist", guide=forty_guide, people=PEOPLE, printed_on=PRINTED_ON)
    assert '<link rel="stylesheet" href="/static/okuyami/css/print.css">' in html
    assert '<html lang="ja"' in html
    assert "None" not in html


def test_the_partials_render_for_a_screen_without_a_request(forty_guide):
    shown = guide_for_display(forty_guide, today=PRINTED_ON)
    stop = shown["stops"][0]
    procedure = next(p for p in stop["procedures"] if p["key"] == "setainushi_henko")
    html = render_to_string(
        "okuyami/partials/procedure_item.html", {"procedure": procedure, "show_reasons": True}
    )
    assert procedure["name"] in html
    assert procedure["reasons"][0] in html
    assert stop["name"] in render_to_string("okuyami/partials/stop_header.html", {"stop": stop})
    deadline = render_to_string("okuyami/partials/deadline.html", {"procedure": procedure})
    assert "令和8年12月4日（金）" in deadline and "あと7日" in deadline
    maybe = render_to_string("okuyami/partials/maybe_list.html", {"maybe": shown["maybe"]})
    assert shown["maybe"][0]["confirm"][0] in maybe


# --- The fetcher: local static files only -------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("printing tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="https://example.com/logo.png">',
        '<link rel="stylesheet" href="http://example.com/style.css">',
        "<style>@import url(https://example.com/x.css);</style>",
        '<img src="file:///etc/hostname">',
    ],
)
def test_a_url_outside_static_in_a_template_is_refused(no_network, markup):
    url = re.search(r"(https?|file)://[^\"')]+", markup).group(0)
    html = Template(f"<html lang='ja'><body>{markup}<p>見本</p></body></html>").render(Context())
    with pytest.raises(printing.PrintResourceRefused, match=re.escape(url)):
        printing.pdf_from_html(html)
    assert no_network == []


def test_static_files_and_data_urls_are_served(no_network):
    pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    html = (
        '<html lang="ja"><head><link rel="stylesheet" href="/static/okuyami/css/print.css"></head>'
        f'<body><img src="data:image/png;base64,{pixel}"><p>見本</p></body></html>'
    )
    reader = read_pdf(printing.pdf_from_html(html))
    assert "/XObject" in reader.pages[0]["/Resources"]
    assert "見本" in reader.pages[0].extract_text()


def test_a_render_leaves_the_cycle_collector_as_it_found_it(forty_guide):
    """Rendering pauses Python's cycle collector; it is back on afterwards (also after a refused
    render), and a caller that had it off still has it off."""
    assert gc.isenabled()
    printing.render_pdf("route", guide=forty_guide, people=PEOPLE, printed_on=PRINTED_ON)
    assert gc.isenabled()
    with pytest.raises(printing.PrintResourceRefused):
        printing.pdf_from_html('<html lang="ja"><body><img src="https://example.com/x.png"></body></html>')
    assert gc.isenabled()
    gc.disable()
    try:
        printing.render_pdf("checklist", guide=forty_guide, people=PEOPLE, printed_on=PRINTED_ON)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_render_frees_its_cycles():
    """The young-generation pass after a render collects what the render left in cycles."""
    html = '<html lang="ja"><body><p>見本</p></body></html>'
    printing.pdf_from_html(html)
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(5):
        printing.pdf_from_html(html)
    assert len(gc.get_objects()) - before < 2000


def test_unknown_documents_are_refused(forty_guide):
    with pytest.raises(ValueError, match="unknown document 'invoice'"):
        printing.render_html("invoice", guide=forty_guide, people=PEOPLE, printed_on=PRINTED_ON)


# --- render_checklist ---------------------------------------------------------------------


@pytest.fixture
def national(imported):
    return imported(fixture_document("national-template.json"))


def write_case(tmp_path, document, name="case.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def case_with_names(**changes):
    document = json.loads(json.dumps(FORTY_CASE))
    document["deceased"]["name"] = "命令 太郎"
    document["visitor"] = {"name": "命令 花子"}
    for key, value in changes.items():
        document[key] = value
    return document


def test_render_checklist_writes_the_checklist_with_the_names_given(national, tmp_path, capsys):
    out = tmp_path / "out.pdf"
    call_command(
        "render_checklist",
        "999997",
        write_case(tmp_path, case_with_names()),
        "-o",
        str(out),
        "--printed-on",
        "2026-11-27",
    )
    text = "".join(page_texts(read_pdf(out.read_bytes())))
    assert "命令花子様" in text
    assert "亡くなった方命令太郎様" in text
    assert "印刷日令和8年11月27日（金）" in text
    assert "あと7日" in text
    assert f"wrote {out}" in capsys.readouterr().out


def test_render_checklist_prints_the_other_documents(national, tmp_path):
    case = write_case(tmp_path, case_with_names())
    route, application = tmp_path / "route.pdf", tmp_path / "application.pdf"
    call_command("render_checklist", "999997", case, "-o", str(route), "--document", "route", "--large")
    call_command("render_checklist", "999997", case, "-o", str(application), "--document", "application")
    assert smallest_text(route.read_bytes())[0] >= LARGE_SMALLEST_PT - 0.01
    assert font_size_of(read_pdf(route.read_bytes()), "世帯主変更届") == pytest.approx(
        LARGE_TEXT_PT, abs=0.01
    )
    text = "".join(page_texts(read_pdf(application.read_bytes())))
    assert text.count("命令太郎") == 1 and text.count("命令花子") == 1
    assert "生年月日昭和25年4月2日" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answers": {"insurence": "kokuho"}}, "answers.insurence: not a question of this catalog"),
        ({"visitor": {"name": "花子", "age": 70}}, "visitor.age: unknown field"),
        ({"visitor": "花子"}, "visitor: must be an object"),
        ({"deceased": {"death_date": "2026-11-20", "name": 7}}, "deceased.name: must be a string"),
        ({"deceased": {"name": "太郎"}}, "deceased.death_date: is required"),
    ],
)
def test_render_checklist_names_each_problem_in_the_case(national, tmp_path, capsys, change, message):
    case = write_case(tmp_path, case_with_names(**change))
    out = tmp_path / "out.pdf"
    with pytest.raises(CommandError, match="nothing was printed"):
        call_command("render_checklist", "999997", case, "-o", str(out))
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999997", "missing.json"], "missing.json: no such file"),
        (["131016", "case.json"], "no municipality with code 131016"),
        (["12345", "case.json"], "municipality code '12345'"),
        (["999997", "case.json", "--printed-on", "27/11/2026"], "--printed-on '27/11/2026'"),
        (
            ["999997", "case.json", "-o", "/nonexistent/dir/out.pdf"],
            "/nonexistent/dir/out.pdf: cannot be written",
        ),
    ],
)
def test_render_checklist_refuses_bad_arguments(national, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    write_case(tmp_path, case_with_names())
    if "-o" not in args:
        args = [*args, "-o", "out.pdf"]
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("render_checklist", *args)
    assert not (tmp_path / "out.pdf").exists()


def test_render_checklist_fails_without_a_traceback(tmp_path):
    case = write_case(tmp_path, case_with_names())
    done = subprocess.run(
        [sys.executable, "manage.py", "render_checklist", "12345", case, "-o", str(tmp_path / "x.pdf")],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "CommandError: municipality code '12345'" in done.stderr
    assert "Traceback" not in done.stderr
