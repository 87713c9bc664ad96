"""The catalog as an Excel workbook: round trip, errors by sheet/row/column, the commands."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from openpyxl import Workbook, load_workbook

from procedures.catalog_io import CatalogInvalid, loads, read_catalog, write_catalog
from procedures.catalog_xlsx import SHEET_ORDER, read_xlsx, read_xlsx_catalog, write_xlsx
from procedures.models import Municipality, Procedure
from tests.procedures.test_commands import refused, run, stored

CATALOGS = sorted((Path(django_settings.BASE_DIR) / "fixtures" / "catalogs").glob("*.json"))
SOURCES = [Path(__file__).parents[1] / "data" / "contract-city.json", *CATALOGS]


def canonical(document: dict) -> dict:
    return write_catalog(read_catalog(document))


def workbook_of(document: dict):
    return load_workbook(io.BytesIO(write_xlsx(document)))


def saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def column_of(sheet, name: str) -> int:
    """A column by its key, as the hidden row 2 names it."""
    return next(cell.column for cell in sheet[2] if cell.value == name)


def set_cell(workbook, sheet: str, row: int, field: str, value) -> None:
    ws = workbook[sheet]
    ws.cell(row=row, column=column_of(ws, field)).value = value


def xlsx_errors(data: bytes) -> list[str]:
    with pytest.raises(CatalogInvalid) as caught:
        read_xlsx_catalog(data)
    return caught.value.errors


# --- Round trip ------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_json_to_xlsx_to_json_is_equal(source):
    document = canonical(loads(source.read_bytes()))
    assert read_xlsx(write_xlsx(document)).document == document
    catalog, _ = read_xlsx_catalog(write_xlsx(document))
    assert write_catalog(catalog) == document


def test_the_workbook_has_the_sheets_in_order_with_one_row_per_item(catalog_document):
    document = canonical(catalog_document())
    workbook = workbook_of(document)
    assert workbook.sheetnames == list(SHEET_ORDER)
    assert workbook["procedures"].max_row == 2 + len(document["procedures"])
    assert workbook["choices"].max_row == 2 + sum(len(q.get("choices", [])) for q in document["questions"])
    kokuho_loss = next(i for i, p in enumerate(document["procedures"]) if p["key"] == "kokuho_loss")
    documents = workbook["procedures"].cell(
        row=kokuho_loss + 3, column=column_of(workbook["procedures"], "documents")
    )
    assert documents.value == "資格確認書\n届出人の本人確認書類"
    catalog_sheet = {row[0]: row[1] for row in workbook["catalog"].iter_rows(min_row=3, values_only=True)}
    assert catalog_sheet == {
        "形式": "okuyami-catalog/1",
        "団体コード": "122041",
        "市区町村名": "船橋市",
        "都道府県": "千葉県",
    }


def test_text_that_starts_with_an_equals_sign_stays_text(catalog_document):
    document = canonical(catalog_document({"procedures[0].description": "=SUM(A1:A2) ではありません"}))
    data = write_xlsx(document)
    assert read_xlsx(data).document == document
    cell = load_workbook(io.BytesIO(data))["procedures"]["K3"]
    assert cell.data_type == "s"


def test_row_1_names_the_columns_in_japanese_and_the_hidden_row_2_by_key(catalog_document):
    workbook = workbook_of(canonical(catalog_document()))
    sheet = workbook["procedures"]
    titles = ["キー", "手続き名", "窓口", "対象となる条件", "期限の日数"]
    assert [cell.value for cell in sheet[1]][:5] == titles
    assert [cell.value for cell in sheet[2]][:5] == ["key", "name", "counter", "applies_if", "deadline_days"]
    assert sheet.row_dimensions[2].hidden and not sheet.row_dimensions[1].hidden
    assert sheet.freeze_panes == "A3"
    assert "キー: applies_if" in sheet["D1"].comment.text
    assert [cell.value for cell in workbook["choices"][1]] == ["質問のキー", "値", "表示名"]
    assert [cell.value for cell in workbook["catalog"][1]] == ["項目", "値"]
    assert workbook["catalog"].row_dimensions[2].hidden


def test_the_keys_name_the_columns_whatever_an_editor_writes_in_row_1(catalog_document):
    document = canonical(catalog_document())
    workbook = workbook_of(document)
    for cell in workbook["procedures"][1]:
        cell.value = f"{cell.value}（メモ）"
    workbook["procedures"].move_range("D1:D40", cols=10)  # applies_if moved to the end, key row too
    assert read_xlsx(saved(workbook)).document == document


def test_a_workbook_without_its_hidden_row_is_read_by_the_japanese_titles(catalog_document):
    document = canonical(catalog_document())
    workbook = workbook_of(document)
    for name in workbook.sheetnames:
        workbook[name].delete_rows(2)
    assert read_xlsx(saved(workbook)).document == document


def test_a_workbook_of_an_older_export_with_keys_in_row_1_is_read(catalog_document):
    document = canonical(catalog_document())
    workbook = workbook_of(document)
    for name in workbook.sheetnames:
        workbook[name].delete_rows(1)  # the key row is now row 1
    catalog = workbook["catalog"]
    for row, key in enumerate(("format", "code", "name", "prefecture"), start=2):
        catalog.cell(row=row, column=1).value = key
    assert read_xlsx(saved(workbook)).document == document


def test_what_excel_does_to_cells_is_read_back_as_meant(catalog_document):
    document = canonical(catalog_document())
    workbook = workbook_of(document)
    set_cell(workbook, "procedures", 3, "deadline_days", 14.0)  # Excel numbers are floats
    set_cell(workbook, "procedures", 4, "order", " 7 ")  # a number typed as text
    set_cell(workbook, "procedures", 5, "documents", "印鑑\n\n本人確認書類\n")  # blank lines
    set_cell(workbook, "questions", 3, "allow_unknown", "FALSE")
    catalog, _ = read_xlsx_catalog(saved(workbook))
    first, second, third = document["procedures"][:3]
    by_key = {p.key: p for p in catalog.procedures}
    assert by_key[first["key"]].deadline_days == 14
    assert by_key[second["key"]].order == 7
    assert by_key[third["key"]].documents == ("印鑑", "本人確認書類")
    assert catalog.questions[0].allow_unknown is False


def test_a_code_excel_turned_into_a_number_gets_its_leading_zero_back(catalog_document):
    document = canonical(
        catalog_document(municipality={"code": "011002", "name": "札幌市", "prefecture": "北海道"})
    )
    workbook = workbook_of(document)
    workbook["catalog"]["B4"] = 11002
    catalog, _ = read_xlsx_catalog(saved(workbook))
    assert catalog.municipality.code == "011002"


# --- Errors by sheet, row and column ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "key", "field", "value", "expected"),
    [
        (
            "procedures",
            "koki_loss",
            "applies_if",
            "insurence == 'koki'",
            "column D: unknown question 'insurence'",
        ),
        ("procedures", "seal", "deadline_days", "two weeks", "column E: must be an integer"),
        ("procedures", "seal", "documents", 42, "column J: must be a non-empty string"),
        ("procedures", "seal", "deadline_months", 0, "column F: must be an integer from 1 to 1,200"),
        ("procedures", "seal", "deadline_years", "2年", "column G: must be an integer"),
        ("procedures", "seal", "deadline_from", "moved_on", "column H: needs exactly one of days, months"),
        (
            "procedures",
            "kokuho_loss",
            "deadline_from",
            "pension",
            "column H: 'pension' is a yes_no question: must be \"death\" or the key of a date question",
        ),
        (
            "procedures",
            "kokuho_loss",
            "deadline_months",
            3,
            "column E: needs exactly one of days, months or years (found days and months)",
        ),
        ("places", "outside", "outside", "maybe", "column D: must be true or false"),
        ("counters", "kokuho", "place", "annex", "column C: unknown place 'annex'"),
        ("questions", "insurance", "type", "choise", "column C: 'choise' is not one of"),
        ("questions", "care", "ask_if", "moved_in == true", "column E: 'moved_in' is not asked before"),
        ("questions", "pension", "allow_unknown", "maybe", "column F: must be true or false"),
        ("places", "main_1f", "order", 1.5, "column C: must be an integer"),
    ],
)
def test_catalog_errors_are_given_as_sheet_row_and_column(
    catalog_document, sheet, key, field, value, expected
):
    document = canonical(catalog_document())
    row = [item["key"] for item in document[sheet]].index(key) + 3
    workbook = workbook_of(document)
    set_cell(workbook, sheet, row, field, value)
    error = xlsx_errors(saved(workbook))[0]  # items that refer to a broken one follow it
    assert error.startswith(f"{sheet} row {row} {expected}"), error


def test_every_error_of_a_workbook_is_reported_at_once(catalog_document):
    workbook = workbook_of(canonical(catalog_document()))
    set_cell(workbook, "choices", 4, "value", workbook["choices"]["B3"].value)
    workbook["catalog"]["B4"] = "122042"
    set_cell(workbook, "places", 3, "key", "Main")
    errors = xlsx_errors(saved(workbook))
    assert any(
        e.startswith("choices row 4 column B: duplicate value") and "(also choices row 3)" in e
        for e in errors
    )
    assert any(e.startswith("catalog row 4 column B: check digit") for e in errors)
    assert any(e.startswith("places row 3 column A: 'Main' must match") for e in errors)


def test_a_duplicate_key_names_the_other_row(catalog_document):
    workbook = workbook_of(canonical(catalog_document()))
    set_cell(workbook, "procedures", 6, "key", workbook["procedures"]["A3"].value)
    (error,) = xlsx_errors(saved(workbook))
    assert error.startswith("procedures row 6 column A: duplicate key")
    assert "(also procedures row 3)" in error


def test_a_missing_required_cell_names_its_column(catalog_document):
    workbook = workbook_of(canonical(catalog_document()))
    set_cell(workbook, "places", 4, "name", None)
    assert xlsx_errors(saved(workbook)) == ["places row 4 column B: is required"]


def test_a_choice_question_without_choice_rows_is_named_by_its_row(catalog_document):
    document = canonical(catalog_document())
    workbook = workbook_of(document)
    sheet = workbook["choices"]
    sheet.delete_rows(3, sheet.max_row)
    errors = xlsx_errors(saved(workbook))
    index = next(i for i, q in enumerate(document["questions"]) if q["key"] == "insurance")
    assert any(e.startswith(f"questions row {index + 3}: a choice question needs") for e in errors)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda wb: wb.remove(wb["choices"]), "workbook: missing sheet 'choices'"),
        (lambda wb: wb.create_sheet("メモ"), "workbook: unknown sheet 'メモ'"),
        (
            lambda wb: wb["procedures"].cell(row=2, column=4, value="condition"),
            "procedures row 2 column D: unknown",
        ),
        (lambda wb: wb["procedures"].delete_cols(4), "procedures row 2: missing column 'applies_if'"),
        (
            lambda wb: wb["choices"].cell(row=3, column=1, value="insurrance"),
            "choices row 3 column A: unknown question",
        ),
        (lambda wb: setattr(wb["catalog"]["A6"], "value", None), "catalog: no row for 'prefecture'"),
        (
            lambda wb: wb["catalog"].cell(row=7, column=1, value="mayor"),
            "catalog row 7 column A: unknown field",
        ),
    ],
)
def test_a_workbook_laid_out_wrongly_is_refused_with_where(catalog_document, change, expected):
    workbook = workbook_of(canonical(catalog_document()))
    change(workbook)
    errors = xlsx_errors(saved(workbook))
    assert any(error.startswith(expected) for error in errors), errors


@pytest.mark.parametrize("data", [b"", b"not a workbook", b"PK\x03\x04 broken zip"])
def test_bytes_that_are_not_a_workbook_are_refused(data):
    assert xlsx_errors(data)[0].startswith("workbook: not an Excel .xlsx file")


def test_an_empty_workbook_lists_every_missing_sheet():
    workbook = Workbook()
    workbook.active.title = "catalog"
    errors = xlsx_errors(saved(workbook))
    assert errors == [f"workbook: missing sheet '{name}'" for name in SHEET_ORDER[1:]]


# --- The commands ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_export_xlsx_then_import_it_changes_nothing(tmp_path, source):
    run("import_catalog", str(source))
    code = loads(source.read_bytes())["municipality"]["code"]
    before_json, _ = run("export_catalog", code)
    before = stored()
    target = tmp_path / "catalog.xlsx"
    run("export_catalog", code, "--format", "xlsx", "-o", str(target))
    stdout, _ = run("import_catalog", str(target))
    assert "no changes" in stdout
    assert stored() == before
    assert run("export_catalog", code)[0] == before_json


@pytest.mark.django_db
def test_export_format_follows_the_file_extension(tmp_path, imported):
    imported()
    run("export_catalog", "122041", "-o", str(tmp_path / "c.xlsx"))
    run("export_catalog", "122041", "-o", str(tmp_path / "c.json"))
    assert (tmp_path / "c.xlsx").read_bytes().startswith(b"PK")
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["municipality"]["code"] == "122041"
    _, message = refused("export_catalog", "122041", "--format", "xlsx")
    assert "-o" in message


@pytest.mark.django_db
def test_an_excel_file_with_errors_reports_where_and_changes_nothing(tmp_path, imported, catalog_document):
    version = imported().catalog_version
    before = stored()
    workbook = workbook_of(canonical(catalog_document()))
    set_cell(workbook, "procedures", 4, "applies_if", "age >= '75'")
    set_cell(workbook, "procedures", 5, "counter", "kokuhoo")
    path = tmp_path / "city.xlsx"
    path.write_bytes(saved(workbook))
    stderr, message = refused("import_catalog", str(path))
    lines = stderr.splitlines()
    assert lines[0].startswith(f"{path}: procedures row 4 column D: wrong type")
    assert lines[1].startswith(f"{path}: procedures row 5 column C: unknown counter 'kokuhoo'")
    assert "2 errors; nothing was imported" in message
    assert stored() == before
    assert Municipality.objects.get(code="122041").catalog_version == version


@pytest.mark.django_db
def test_an_xlsx_is_recognised_by_its_content_whatever_its_name(tmp_path, catalog_document):
    path = tmp_path / "catalog.dat"
    path.write_bytes(write_xlsx(canonical(catalog_document())))
    run("import_catalog", str(path))
    assert Procedure.objects.filter(municipality__code="122041").count() == len(
        catalog_document()["procedures"]
    )


# --- Text that a spreadsheet would read as a formula ------------------------------------------------

FORMULAS = [
    '=HYPERLINK("https://evil.example","押す")',
    "+81-47-000-0000",
    "-　届出人の印鑑",
    "@SUM(A1)",
    "'=1+1",
]


def formula_document(catalog_document) -> dict:
    return canonical(
        catalog_document(
            {
                "procedures[0].name": FORMULAS[0],
                "counters[0].phone": FORMULAS[1],
                "procedures[0].documents": [FORMULAS[2], "=2"],
                "procedures[1].description": FORMULAS[3],
                "questions[0].help": FORMULAS[4],
            }
        )
    )


def test_text_that_reads_as_a_formula_is_exported_with_an_apostrophe_as_text(catalog_document):
    workbook = workbook_of(formula_document(catalog_document))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]
    by_text = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    for text in [text for text in FORMULAS if not text.startswith("-")]:
        assert "'" + text in by_text, text
        assert by_text["'" + text].data_type == "s"
    assert "'-　届出人の印鑑\n=2" in by_text  # a list in one cell: only its start can begin a formula
    assert not [cell for cell in cells if isinstance(cell.value, str) and cell.value[:1] in "=+-@"]


def test_the_apostrophe_is_taken_off_on_import_so_the_round_trip_is_exact(catalog_document):
    document = formula_document(catalog_document)
    assert write_catalog(read_xlsx_catalog(write_xlsx(document))[0]) == document


def test_a_cell_edited_in_excel_keeps_its_text(catalog_document):
    # Excel stores "'=1" typed in a cell as the text "=1" (marked as quoted): read as it is.
    workbook = workbook_of(canonical(catalog_document()))
    sheet = workbook["procedures"]
    cell = sheet.cell(row=3, column=column_of(sheet, "name"))
    cell.value, cell.data_type = "=1", "s"
    catalog, _ = read_xlsx_catalog(saved(workbook))
    assert "=1" in [p.name for p in catalog.procedures]


# --- Workbooks too large for a catalog ------------------------------------------------------------------


def rewritten(data: bytes, part: str, change) -> bytes:
    """The workbook with one part of its archive changed (what a hand-made file can hold)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            target.writestr(entry.filename, change(content) if entry.filename == part else content)
    return out.getvalue()


def procedures_part(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return workbook["procedures"]._worksheet_path
    finally:
        workbook.close()


def test_a_sheet_that_unpacks_to_hundreds_of_megabytes_is_refused_before_it_is_read(catalog_document):
    data = write_xlsx(canonical(catalog_document()))
    part = procedures_part(data)
    # 21 MB of empty rows that pack to a few dozen kilobytes: the shape of a zip bomb.
    padding = b"".join(b'<row r="%d"/>' % n for n in range(1_200_000, 2_500_000))
    bomb = rewritten(data, part, lambda xml: xml.replace(b"</sheetData>", padding + b"</sheetData>"))
    assert len(bomb) < 5 * 1024 * 1024
    (error,) = xlsx_errors(bomb)
    assert error.startswith(
        "procedures: シート「procedures」が大きすぎます（5,000行・30列まで。カタログは数百行です）"
    )
    assert "MB unpacked, at most 20 MB" in error


def test_a_sheet_declaring_a_million_rows_is_refused_by_its_declaration(catalog_document):
    data = write_xlsx(canonical(catalog_document()))
    part = procedures_part(data)
    huge = rewritten(
        data, part, lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', xml)
    )
    (error,) = xlsx_errors(huge)
    assert error.startswith("procedures: シート「procedures」が大きすぎます")
    assert "it declares 1,048,576 rows and 16,384 columns" in error


def test_reading_stops_at_the_row_limit_whatever_the_sheet_declares(catalog_document):
    data = write_xlsx(canonical(catalog_document()))
    part = procedures_part(data)
    far = b'<row r="900000"><c r="A900000" t="inlineStr"><is><t>x</t></is></c></row>'
    lying = rewritten(data, part, lambda xml: xml.replace(b"</sheetData>", far + b"</sheetData>"))
    (error,) = xlsx_errors(lying)
    assert error.startswith("procedures: シート「procedures」が大きすぎます")
    assert "more than 5,000 rows or 30 columns" in error


def test_a_value_past_the_column_limit_is_refused_naming_the_sheet(catalog_document):
    workbook = workbook_of(canonical(catalog_document()))
    workbook["choices"].cell(row=2, column=31, value="x")
    (error,) = xlsx_errors(saved(workbook))
    assert error.startswith("choices: シート「choices」が大きすぎます")


def test_a_catalog_of_five_thousand_rows_less_one_is_still_read(catalog_document):
    workbook = workbook_of(canonical(catalog_document()))
    sheet = workbook["places"]
    for row in range(sheet.max_row + 1, 5001):
        sheet.cell(row=row, column=1, value=None)
    sheet.cell(row=5000, column=2, value=None)
    assert read_xlsx(saved(workbook)).document["places"]
