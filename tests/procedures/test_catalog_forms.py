"""A catalog's `forms` (../shared/CATALOG_FORMAT.md, Forms): read and checked with their PDFs,
written back, compared in the history, and the values a form prints for a case.

Pure: no database. Real PDFs: the demo forms of fixtures/forms/.
"""

import copy
from datetime import date

import pytest

from procedures.catalog_bundle import bundle_of
from procedures.catalog_changes import catalog_changes
from procedures.catalog_forms import FormCase, answer_texts, resolve, value_problem
from procedures.catalog_io import CatalogInvalid, read_catalog, split_hashes, write_catalog
from procedures.evaluation import CaseInput
from tests.conftest import edit
from tests.form_builders import SEAL_FORM, forms_document

SEAL, KOKUHO, GENTSUKI = 1, 2, 5  # indexes of procedures in the contract city
CASE = FormCase(
    people={
        "deceased": {
            "name": "船橋 太郎",
            "birth_date": "1945-03-10",
            "death_date": "2026-11-20",
            "address": "",
        },
        "visitor": {"name": "船橋 花子", "relation": "配偶者"},
    },
    municipality_name="船橋市",
    today=date(2026, 11, 27),
    answers={"insurance": "国民健康保険"},
)


def keyed(document: dict) -> dict[str, dict]:
    """A written document's procedures by key (it writes them in route order)."""
    return {p["key"]: p for p in document["procedures"]}


def errors_of(document: dict, files: dict[str, bytes]) -> list[str]:
    with pytest.raises(CatalogInvalid) as raised:
        bundle_of(document, files).catalog()
    return raised.value.errors


def test_a_bundle_reads_into_forms_with_their_pdfs_pages_and_fields():
    catalog = bundle_of(*forms_document()).catalog()
    procedures = {p.key: p for p in catalog.procedures}
    (seal,) = procedures["seal"].forms
    assert (seal.file, seal.title, len(seal.fields)) == ("forms/seal.pdf", "印鑑登録証 返還届", 9)
    assert seal.pdf.info.page_count == 2 and len(seal.pdf.sha256) == 64
    assert seal.fields[0].x == 51.5 and seal.fields[0].width == 57 and seal.fields[0].size == 12
    (fillable,) = procedures["gentsuki"].forms
    assert fillable.fields[0].acroform == "todokede_bi" and fillable.fields[0].x is None
    assert len(fillable.pdf.info.fields) == 51
    assert procedures["kaigo_loss"].forms == ()


def test_a_plain_json_catalog_may_not_have_forms():
    document, _ = forms_document()
    with pytest.raises(CatalogInvalid) as raised:
        read_catalog(document)
    assert raised.value.errors[0] == (
        "procedures[1].forms: a plain .json catalog may not have forms: import a bundle (.zip) with the PDFs"
    )
    assert len(raised.value.errors) == 4  # one for each procedure with forms


F = f"procedures[{SEAL}].forms[0]"
G = f"procedures[{GENTSUKI}].forms[0]"


@pytest.mark.parametrize(
    ("path", "value", "where", "error"),
    [
        (f"{F}.file", "forms/missing.pdf", f"{F}.file", "'forms/missing.pdf' is not in the bundle"),
        (f"{F}.file", "seal.pdf", f"{F}.file", "'seal.pdf' must be a path in the bundle matching"),
        (f"{F}.file", "forms/sub/seal.pdf", f"{F}.file", "must be a path in the bundle matching"),
        (f"{F}.title", " ", f"{F}.title", "must be a non-empty string"),
        (f"{F}.fields[0].page", 3, f"{F}.fields[0].page", "page 3 is past the PDF's last page (2)"),
        (f"{F}.fields[0].page", 0, f"{F}.fields[0].page", "must be an integer ≥ 1"),
        (f"{F}.fields[0].x", "51", f"{F}.fields[0].x", "must be a number"),
        (f"{F}.fields[0].x", float("nan"), f"{F}.fields[0].x", "must be a number"),
        (f"{F}.fields[0].x", ..., f"{F}.fields[0]", "needs x and y, or acroform"),
        (f"{F}.fields[0].acroform", "name", f"{F}.fields[0]", "give either x/y or acroform, not both"),
        (f"{F}.fields[0].size", 80, f"{F}.fields[0].size", "size must be from 6 to 72 pt"),
        (f"{F}.fields[0].x", 250, f"{F}.fields[0]", "the text's box is outside page 1"),
        (f"{F}.fields[0].value", "deceased.nam", f"{F}.fields[0].value", "(did you mean 'deceased.name'?)"),
        (
            f"{F}.fields[0].value",
            "answer.insurence",
            f"{F}.fields[0].value",
            "(did you mean 'answer.insurance'?)",
        ),
        (f"{F}.fields[0].value", "answer.age", f"{F}.fields[0].value", "'answer.age' names no question"),
        (f"{F}.fields[0].value", "deceased.name:iso", f"{F}.fields[0].value", "only a date"),
        (f"{F}.fields[0].value", "today:heisei", f"{F}.fields[0].value", "only a date"),
        (f"{F}.fields[0].colour", "red", f"{F}.fields[0].colour", "unknown field"),
        (f"{G}.fields[0].acroform", "todokede", f"{G}.fields[0].acroform", "the PDF has no fillable field"),
        (f"{G}.fields[0].page", 2, f"{G}.fields[0].page", "fillable field 'todokede_bi' is on page 1"),
        (f"{G}.fields[1].acroform", "todokede_bi", f"{G}.fields[1].acroform", "is filled twice"),
        (f"procedures[{KOKUHO}].forms", {"file": "x"}, f"procedures[{KOKUHO}].forms", "must be a list"),
    ],
)
def test_each_error_of_a_form_names_its_path(path, value, where, error):
    document, files = forms_document()
    edit(document, path, value)
    errors = errors_of(document, files)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{where}: ") and error in errors[0], errors


def test_a_file_that_is_not_a_pdf_or_is_damaged_is_an_error_where_it_is_named():
    document, files = forms_document()
    files["forms/seal.pdf"] = b"Name,Address\n"
    files["forms/kokuho_loss.pdf"] = files["forms/kokuho_loss.pdf"][:4000]
    errors = errors_of(document, files)
    damaged = "'forms/kokuho_loss.pdf': the PDF is damaged ("
    assert errors[0] == f"procedures[{SEAL}].forms[0].file: 'forms/seal.pdf': is not a PDF"
    assert errors[1].startswith(f"procedures[{KOKUHO}].forms[0].file: {damaged}")
    assert errors[2].startswith(f"procedures[7].forms[0].file: {damaged}")  # pension_death prints it too
    assert len(errors) == 3


def test_forms_are_written_back_in_the_formats_order_and_numbers_as_given():
    document, files = forms_document()
    written = keyed(write_catalog(bundle_of(document, files).catalog()))
    seal = written["seal"]
    assert list(seal) == ["key", "name", "counter", "applies_if", "documents", "order", "forms"]
    assert seal["forms"] == [SEAL_FORM]
    assert list(seal["forms"][0]["fields"][0]) == ["page", "x", "y", "width", "size", "value"]
    assert written["gentsuki"]["forms"][0]["fields"][0] == {
        "page": 1,
        "acroform": "todokede_bi",
        "value": "today",
    }
    assert "forms" not in written["kaigo_loss"]


def test_the_kept_document_names_each_pdf_by_hash_and_splits_back():
    catalog = bundle_of(*forms_document()).catalog()
    kept = write_catalog(catalog, hashes=True)
    seal = next(p for p in catalog.procedures if p.key == "seal")
    assert keyed(kept)["seal"]["forms"][0]["sha256"] == seal.forms[0].pdf.sha256
    plain, hashes = split_hashes(kept)
    assert plain == write_catalog(catalog)
    assert set(hashes) == {"forms/seal.pdf", "forms/kokuho_loss.pdf", "forms/juminzei_daihyo.pdf"}


def test_one_path_naming_two_pdfs_is_refused():
    kept = write_catalog(bundle_of(*forms_document()).catalog(), hashes=True)
    keyed(kept)["kokuho_loss"]["forms"][0]["file"] = "forms/seal.pdf"
    with pytest.raises(
        CatalogInvalid, match=r"procedures\[\d+\].forms\[0\].file: 'forms/seal.pdf' names two"
    ):
        split_hashes(kept)


def test_the_history_names_the_forms_and_fields_that_changed():
    document, files = forms_document()
    before = write_catalog(bundle_of(document, files).catalog(), hashes=True)
    edit(document, f"procedures[{SEAL}].forms[0].fields[0].x", 60)
    edit(document, f"procedures[{SEAL}].forms[0].fields[1]", ...)
    edit(document, f"procedures[{SEAL}].forms[0].title", "印鑑登録証 返還届（新）")
    files["forms/kokuho_loss.pdf"] = files["forms/seal.pdf"]  # the PDF replaced, its fields kept
    edit(document, f"procedures[{KOKUHO}].forms[0].fields", [])
    after = write_catalog(bundle_of(document, files).catalog(), hashes=True)
    changes = {item.key: item for item in catalog_changes(before, after).of("procedures")}
    assert set(changes) == {
        "seal",
        "kokuho_loss",
        "pension_death",
    }  # pension_death prints kokuho_loss.pdf too
    seal = {field.name: (field.before_text, field.after_text) for field in changes["seal"].fields}
    sha = keyed(before)["seal"]["forms"][0]["sha256"][:12]
    assert seal == {
        "form forms/seal.pdf": (f"印鑑登録証 返還届 (PDF {sha})", f"印鑑登録証 返還届（新） (PDF {sha})"),
        "form forms/seal.pdf p1 deceased.name": (
            "x 51.5, y 63.4, width 57, size 12",
            "x 60, y 63.4, width 57, size 12",
        ),
        "form forms/seal.pdf p1 deceased.death_date:iso": ("x 136.5, y 61.1, width 57", "—"),
    }
    kokuho = {field.name: field for field in changes["kokuho_loss"].fields}
    assert kokuho["form forms/kokuho_loss.pdf"].before_text != kokuho["form forms/kokuho_loss.pdf"].after_text
    assert kokuho["form forms/kokuho_loss.pdf p1 deceased.name"].after_text == "—"
    moved = "x 51.5, y 63.4, width 57, size 12 -> x 60, y 63.4, width 57, size 12"
    assert f"    form forms/seal.pdf p1 deceased.name: {moved}" in catalog_changes(before, after).lines()


def test_the_same_place_written_as_an_integer_or_a_float_is_no_change():
    document, files = forms_document()
    before = write_catalog(bundle_of(document, files).catalog(), hashes=True)
    edit(document, f"procedures[{SEAL}].forms[0].fields[0].width", 57.0)
    after = write_catalog(bundle_of(document, files).catalog(), hashes=True)
    assert not catalog_changes(before, after)


def test_adding_and_reordering_forms_is_a_change_of_the_procedure():
    document, files = forms_document()
    before = write_catalog(bundle_of(document, files).catalog(), hashes=True)
    forms = document["procedures"][SEAL]["forms"]
    forms.append(copy.deepcopy(document["procedures"][KOKUHO]["forms"][0]))
    after = write_catalog(bundle_of(document, files).catalog(), hashes=True)
    (item,) = catalog_changes(before, after).of("procedures")
    named = {field.name: field.after_text for field in item.fields}
    assert named["forms"] == "forms/seal.pdf / forms/kokuho_loss.pdf"
    assert named["form forms/kokuho_loss.pdf"].startswith("国民健康保険 被保険者資格喪失届 (PDF ")


# --- The values a form prints ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("deceased.name", "船橋 太郎"),
        ("deceased.birth_date", "昭和20年3月10日"),
        ("deceased.death_date", "令和8年11月20日"),
        ("deceased.death_date:wareki", "令和8年11月20日"),
        ("deceased.death_date:iso", "2026-11-20"),
        ("today", "令和8年11月27日"),
        ("today:iso", "2026-11-27"),
        ("visitor.relation", "配偶者"),
        ("municipality.name", "船橋市"),
        ("answer.insurance", "国民健康保険"),
        ("check", "✓"),
        ("text:窓口で記入", "窓口で記入"),
        # What the case does not hold prints nothing.
        ("deceased.address", None),
        ("deceased.kana", None),
        ("visitor.phone", None),
        ("answer.pension", None),
        ("text:", None),
    ],
)
def test_each_value_prints_what_the_case_holds(value, printed):
    assert value_problem(value, ["insurance", "pension"]) is None
    assert resolve(value, CASE) == printed


def test_answers_print_their_labels_and_nothing_for_unknown_or_unasked_questions(contract_catalog):
    case = CaseInput(
        death_date=date(2026, 11, 20),
        birth_date=date(1945, 3, 10),
        answers={
            "head_of_household": False,
            "insurance": "kokuho",
            "vehicles": ["gentsuki", "kei"],
            "moved_in": date(2026, 2, 1),
            "household_left": 2,  # asked only of the 世帯主: not printed
        },
        unknown=frozenset({"pension"}),
    )
    texts = answer_texts(contract_catalog, case)
    assert texts["head_of_household"] == "いいえ"
    assert texts["insurance"] == "国民健康保険"
    assert texts["vehicles"] == "原付・小型特殊、軽自動車"
    assert texts["moved_in"] == "令和8年2月1日"
    assert "pension" not in texts and "household_left" not in texts and "care" not in texts
