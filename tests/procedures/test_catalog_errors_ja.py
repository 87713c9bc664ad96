"""Import and condition errors as an editor reads them: in Japanese, naming the item, the field by
its Japanese name, and the value that is wrong; the API and the CLI keep the English (issue #15
item 7). A workbook's errors name the sheet, the row, the column letter and the column's title."""

import ast
import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from procedures.catalog_files import read_catalog_file
from procedures.catalog_io import CatalogInvalid, read_catalog, write_catalog
from procedures.catalog_xlsx import write_xlsx
from procedures.rules import ConditionError, QuestionSpec, QuestionType, compile_condition
from tests.conftest import build_catalog_document


def problems(document) -> CatalogInvalid:
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog(document)
    return caught.value


@pytest.mark.parametrize(
    ("edits", "english", "japanese"),
    [
        (
            {"procedures[3].deadline_days": "２年"},
            "procedures[3].deadline_days: must be an integer",
            "手続き「後期高齢者医療の資格喪失届」（koki_loss）の「期限の日数」: 「２年」は整数ではありません",
        ),
        (
            {"procedures[2].counter": "hokn"},
            "procedures[2].counter: unknown counter 'hokn'",
            "（kokuho_loss）の「窓口」: 「hokn」という窓口のキーはありません",
        ),
        (
            {"questions[2].type": "select"},
            "questions[2].type: 'select' is not one of",
            "（insurance）の「回答の種類」: 「select」は回答の種類ではありません",
        ),
        (
            {"places[0].outside": "maybe"},
            "places[0].outside: must be true or false",
            "の「市区町村以外の機関」: 「maybe」は true か false ではありません",
        ),
        (
            {"procedures[0].url": "www.city.example"},
            "procedures[0].url: must be a web address",
            "の「参考URL」: 「www.city.example」は https:// か http:// で始まるアドレスではありません",
        ),
        (
            {"procedures[1].key": "hoh_change"},
            "procedures[1].key: duplicate key 'hoh_change' (also procedures[0])",
            "「hoh_change」は手続き「世帯主変更届」（hoh_change）にもあります（重ねて使えません）",
        ),
        (
            {"procedures[2].deadline": {"days": 3, "months": 2}, "procedures[2].deadline_days": None},
            "procedures[2].deadline: needs exactly one of days, months or years (found days and months)",
            "の「期限」: 日数・月数・年数のどれか1つだけを書いてください（日数と月数が書かれています）",
        ),
        (
            {"format": "okuyami-catalog/2"},
            "format: must be exactly",
            "「形式」: 「okuyami-catalog/2」は「okuyami-catalog/1」ではありません",
        ),
    ],
)
def test_a_documents_error_names_the_item_the_field_and_the_value_in_japanese(edits, english, japanese):
    document = build_catalog_document(edits)
    exc = problems(document)
    assert any(error.startswith(english) for error in exc.errors), exc.errors
    assert any(japanese in error for error in exc.japanese()), exc.japanese()


CONDITION_ERRORS = [
    (
        "insurance == 'kokuhoo'",
        "'insurance' has no choice 'kokuhoo'",
        "質問「insurance」に選択肢「kokuhoo」はありません（「kokuho」のまちがいですか？）。"
        "選択肢の値: kokuho、koki、shaho",
    ),
    ("agee >= 75", "unknown question 'agee'", "「agee」という質問はありません（「age」のまちがいですか？）"),
    (
        "age >= '75'",
        "wrong type: 'age' is a number",
        '「age」は亡くなったときの年齢（数）です。文字列「"75"」とは比べられません'
        "（数は 75 のように引用符なしで書きます）",
    ),
    (
        "insurance = 'koki'",
        "syntax error at position 11: unexpected character '='",
        "11文字目: 「=」は条件に使えません（「==」のまちがいですか？）",
    ),
    (
        "head_of_household",
        "a bare name is not a condition",
        "1文字目: 質問のキーだけでは条件になりません（「head_of_household == true」のように書いてください）",
    ),
    (
        "vehicles == 'kei'",
        "'vehicles' is a multi question",
        '「vehicles」は複数選択の質問です。「==」ではなく「"値" in vehicles」と書いてください',
    ),
    ("(age >= 75", "expected ')'", "11文字目: 「)」がありません（条件の終わりがあります）"),
    ("", "empty condition", "条件が空です。全員が対象なら true と書いてください"),
]
SPECS = {
    "insurance": QuestionSpec(
        "insurance", QuestionType.CHOICE, choices=(("kokuho", "国保"), ("koki", "後期"), ("shaho", "社保"))
    ),
    "head_of_household": QuestionSpec("head_of_household", QuestionType.YES_NO),
    "vehicles": QuestionSpec("vehicles", QuestionType.MULTI, choices=(("kei", "軽"), ("car", "普通"))),
}


@pytest.mark.parametrize(("condition", "english", "japanese"), CONDITION_ERRORS)
def test_a_condition_error_is_in_japanese_too(condition, english, japanese):
    with pytest.raises(ConditionError) as caught:
        compile_condition(condition, SPECS)
    assert english in str(caught.value)
    assert caught.value.ja == japanese


@pytest.mark.django_db  # a workbook's reader looks up the forms the municipality keeps
def test_the_workbooks_error_names_sheet_row_column_its_title_and_the_value():
    # The issue's own example: 「procedures row 9 column E: must be an integer」 said neither 「２年」
    # nor which column E is.
    document = write_catalog(read_catalog(build_catalog_document()))
    workbook = load_workbook(io.BytesIO(write_xlsx(document)))
    assert workbook["procedures"]["E2"].value == "deadline_days"
    workbook["procedures"]["E9"] = "２年"
    workbook["procedures"]["A6"] = workbook["procedures"]["A3"].value
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog_file(out.getvalue(), "catalog.xlsx")
    assert "procedures row 9 column E: must be an integer" in caught.value.errors
    assert (
        "シート「procedures」の9行目 E列「期限の日数」: 「２年」は整数ではありません"
        in caught.value.japanese()
    )
    duplicate = [
        e for e in caught.value.japanese() if e.startswith("シート「procedures」の6行目 A列「キー」")
    ]
    assert duplicate == [
        f"シート「procedures」の6行目 A列「キー」: 「{document['procedures'][0]['key']}」は"
        "シート「procedures」の3行目にもあります（重ねて使えません）"
    ]


def test_a_workbooks_layout_error_is_in_japanese_too():
    document = write_catalog(read_catalog(build_catalog_document()))
    workbook = load_workbook(io.BytesIO(write_xlsx(document)))
    workbook["procedures"].delete_cols(4)  # 対象となる条件
    workbook.create_sheet("メモ")
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog_file(out.getvalue(), "catalog.xlsx")
    assert caught.value.japanese() == [
        "ブック: シート「メモ」は読めません"
        "（シートは catalog、places、counters、questions、choices、procedures です）"
    ]
    del workbook["メモ"]
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog_file(out.getvalue(), "catalog.xlsx")
    assert caught.value.japanese() == ["シート「procedures」の2行目: 必須の列「対象となる条件」がありません"]
    assert caught.value.errors == ["procedures row 2: missing column 'applies_if'"]


@pytest.mark.parametrize(
    ("path", "call", "japanese_at"),
    [
        ("procedures/catalog_io.py", "error", 2),  # r.error(where, message, ja, value)
        ("procedures/rules.py", "ConditionError", 1),  # ConditionError(message, ja)
        ("procedures/rules.py", "error", 1),  # self.error(message, ja, token)
    ],
)
def test_every_error_the_reader_and_the_conditions_build_has_its_japanese(path, call, japanese_at):
    """A new error written without its Japanese would reach the editors in English."""
    tree = ast.parse(Path(settings.BASE_DIR, path).read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "attr", None) == call or getattr(node.func, "id", None) == call)
    ]
    assert calls
    for node in calls:
        if isinstance(node.func, ast.Name) and node.func.id == "ConditionError" and not node.args:
            continue
        given = len(node.args) + sum(1 for keyword in node.keywords if keyword.arg == "ja")
        assert given > japanese_at, f"{path}:{node.lineno}: {call}(...) without its Japanese"


@pytest.mark.parametrize(
    ("data", "english", "japanese"),
    [
        (b'{"format": ', "not valid JSON: line 1 column 12", "JSON として読めません（1行目 12文字目"),
        (b'{"a": 1, "a": 2}', "a: field given twice in one object", "項目「a」が2回書かれています"),
        ("{}".encode("utf-16"), "not valid JSON: the file is not UTF-8", "文字コードが UTF-8 ではありません"),
    ],
)
def test_a_file_that_is_not_json_says_so_in_japanese_on_the_screens(data, english, japanese):
    with pytest.raises(CatalogInvalid) as caught:
        read_catalog_file(data, "catalog.json")
    (error,) = caught.value.errors
    assert error.startswith(english)
    (shown,) = caught.value.japanese()
    assert japanese in shown
