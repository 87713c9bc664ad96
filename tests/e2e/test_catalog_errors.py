"""An editor's workbook with mistakes, imported in a real browser: the errors are in Japanese,
name the sheet, row, column and its title, quote the bad value, and nothing changes (issue #15
item 7). The exported workbook's first row is in Japanese too."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from procedures.models import Municipality
from procedures.selectors import catalog_snapshot_for
from tests.e2e.test_condition_builder import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def column(sheet, key: str) -> int:
    """A column by the format's key, as the hidden row 2 names it."""
    return next(cell.column for cell in sheet[2] if cell.value == key)


def row_of(sheet, key: str) -> int:
    return next(r for r in range(3, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == key)


def test_an_editor_reads_a_workbooks_mistakes_in_japanese_and_nothing_changes(
    live_server, browser, bob, screens, tmp_path
):
    city = Municipality.objects.get(code="122041")
    before = catalog_snapshot_for(municipality=city)
    page = log_in(browser, live_server, "bob")
    page.goto(live_server.url + reverse("admin:procedures_municipality_import", args=[city.pk]))
    with page.expect_download() as download:
        page.click("text=今のカタログを Excel で書き出す")
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = workbook["procedures"]
    assert sheet["A1"].value == "キー" and sheet.row_dimensions[2].hidden
    deadline = column(sheet, "deadline_days")
    sheet.cell(row=row_of(sheet, "koki_loss"), column=deadline).value = "２年"
    sheet.cell(
        row=row_of(sheet, "kokuho_loss"), column=column(sheet, "applies_if")
    ).value = "insurance == 'kokuhoo'"
    edited = tmp_path / "funabashi.xlsx"
    workbook.save(edited)

    page.set_input_files("#id_file", str(edited))
    page.click("input[type=submit][value=確認する]")
    errors = page.locator("section.oky-errors[role=alert]")
    assert "＊ファイルに誤りがあります（2件）。カタログは変更していません。" in errors.inner_text()
    shown = errors.locator("li").all_inner_texts()
    koki = row_of(sheet, "koki_loss")
    letter = sheet.cell(row=koki, column=deadline).column_letter
    assert f"シート「procedures」の{koki}行目 {letter}列「期限の日数」: 「２年」は整数ではありません" in shown
    assert any("選択肢「kokuhoo」はありません（「kokuho」のまちがいですか？）" in text for text in shown)
    assert not any("must be" in text or "row" in text for text in shown)
    screens.take(page, "catalog-11-import-errors.png", full_page=True)
    assert catalog_snapshot_for(municipality=city) == before
