"""Builders for the tests of the catalog's forms: the contract city with the demo forms placed
on its procedures, as a bundle."""

import copy
import io
import json
import zipfile
from pathlib import Path

from procedures.catalog_bundle import bundle_of
from procedures.services import catalog_import
from tests.conftest import build_catalog_document

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms"


def demo_entry(name: str) -> dict:
    """fixtures/forms/<name>.json: a forms[] entry with its fields."""
    return json.loads((FORMS / f"{name}.json").read_text(encoding="utf-8"))


def demo_pdf(name: str) -> bytes:
    return (FORMS / f"{name}.pdf").read_bytes()


# A form of the contract city's 印鑑登録 procedure: the 葬祭費 form's PDF, with values of every kind.
SEAL_FORM = {
    "file": "forms/seal.pdf",
    "title": "印鑑登録証 返還届",
    "fields": [
        {"page": 1, "x": 51.5, "y": 63.4, "width": 57, "size": 12, "value": "deceased.name"},
        {"page": 1, "x": 136.5, "y": 61.1, "width": 57, "value": "deceased.death_date:iso"},
        {"page": 1, "x": 136.5, "y": 50.1, "width": 57, "value": "deceased.birth_date"},
        {"page": 1, "x": 51.5, "y": 92.6, "width": 142, "value": "answer.insurance"},
        {"page": 1, "x": 156.5, "y": 100.9, "width": 37, "value": "answer.vehicles"},
        {"page": 1, "x": 148.5, "y": 32.1, "width": 45, "value": "today"},
        {"page": 2, "x": 51.5, "y": 93.1, "width": 87, "value": "text:窓口で記入"},
        {"page": 2, "x": 51.5, "y": 145.1, "width": 67, "value": "municipality.name"},
        {"page": 2, "x": 146.5, "y": 145.1, "width": 47, "value": "answer.pension"},
    ],
}
PDF_OF = {
    "forms/seal.pdf": "kokuho_sosaihi",
    "forms/kokuho_loss.pdf": "kokuho_loss",
    "forms/juminzei_daihyo.pdf": "juminzei_daihyo",
}


def forms_document(**overrides) -> tuple[dict, dict[str, bytes]]:
    """The contract city (船橋市 122041) with forms on 印鑑登録 (seal, 本庁舎1階 市民課), 国保の資格喪失
    (kokuho_loss, 1階 国保), 原付 (gentsuki, 2階, fillable) and 年金 (pension_death, outside); and
    the files of its bundle."""
    document = build_catalog_document(**overrides)
    procedures = {p["key"]: p for p in document["procedures"]}
    procedures["seal"]["forms"] = [copy.deepcopy(SEAL_FORM)]
    procedures["kokuho_loss"]["forms"] = [demo_entry("kokuho_loss")]
    procedures["gentsuki"]["forms"] = [demo_entry("juminzei_daihyo")]
    pension = demo_entry("kokuho_loss")
    pension["title"] = "年金の届（見本）"
    procedures["pension_death"]["forms"] = [pension]
    return document, {path: demo_pdf(name) for path, name in PDF_OF.items()}


def import_with_forms(document: dict | None = None, files: dict[str, bytes] | None = None, **options):
    """The municipality after importing the contract city with its forms (or this bundle's)."""
    if document is None:
        document, files = forms_document()
    bundle = bundle_of(document, files or {})
    catalog = bundle.catalog()
    municipality, _ = catalog_import(catalog=catalog, pdfs=bundle.pdfs_of(catalog), **options)
    return municipality


def zipped(files: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A .zip of these files (catalog.json as given), for bundles built by hand."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def bundle_bytes(document: dict, files: dict[str, bytes]) -> bytes:
    return zipped({"catalog.json": json.dumps(document, ensure_ascii=False).encode(), **files})
