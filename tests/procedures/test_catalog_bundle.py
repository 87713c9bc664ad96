"""Catalog bundles (.zip: catalog.json and the PDF forms it names), read and written.

Pure: no database. Bundles are real .zip files, written by procedures.catalog_bundle or by hand
with zipfile for the hostile ones.
"""

import io
import json
import zipfile

import pikepdf
import pytest

from procedures.catalog_bundle import (
    MAX_ENTRIES,
    bundle_of,
    is_bundle,
    read_bundle,
    read_bundle_catalog,
    unused_warnings,
    write_bundle,
)
from procedures.catalog_io import CatalogInvalid, dumps, write_catalog
from tests.form_builders import bundle_bytes, forms_document, zipped


def written():
    document, files = forms_document()
    bundle = bundle_of(document, files)
    catalog = bundle.catalog()
    return catalog, write_bundle(catalog, bundle.pdfs), files


def test_a_written_bundle_holds_the_document_and_each_pdf_once_at_its_path():
    catalog, data, files = written()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [
            "catalog.json",
            "forms/juminzei_daihyo.pdf",
            "forms/kokuho_loss.pdf",
            "forms/seal.pdf",
        ]
        assert archive.read("catalog.json").decode("utf-8") == dumps(write_catalog(catalog))
        for path, content in files.items():
            assert archive.read(path) == content


def test_writing_twice_gives_the_same_bytes_and_reading_gives_the_same_catalog_and_pdfs():
    catalog, data, files = written()
    again, bundle = read_bundle_catalog(data)
    assert write_catalog(again) == write_catalog(catalog)
    assert write_bundle(again, bundle.pdfs) == data
    assert {path: bundle.pdfs[pdf.sha256] for path, pdf in bundle.files.items()} == files
    assert bundle.unused == []


def test_a_bundle_is_told_by_its_extension_or_by_holding_catalog_json():
    _, data, _ = written()
    assert is_bundle(data, "tameshi-999911.zip") and is_bundle(data) and is_bundle(data, "catalog")
    workbook_like = zipped({"[Content_Types].xml": b"<Types/>"})
    assert not is_bundle(workbook_like) and not is_bundle(data, "catalog.xlsx")
    assert not is_bundle(b'{"format": "okuyami-catalog/1"}')


def test_files_no_form_names_are_left_out_with_a_warning_and_directories_are_skipped():
    document, files = forms_document()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("catalog.json", json.dumps(document))
        out.writestr("forms/", b"")
        out.writestr("__MACOSX/._catalog.json", b"\x00")
        out.writestr("forms/old.pdf", files["forms/seal.pdf"])
        for path, content in files.items():
            out.writestr(path, content)
    bundle = read_bundle(archive.getvalue())
    bundle.catalog()
    assert unused_warnings(bundle) == [
        "bundle: __MACOSX/._catalog.json: no form names this file; it was left out",
        "bundle: forms/old.pdf: no form names this file; it was left out",
    ]


def test_a_bundle_without_a_form_pdf_it_names_is_refused_naming_the_form():
    document, files = forms_document()
    del files["forms/seal.pdf"]
    with pytest.raises(CatalogInvalid) as raised:
        read_bundle_catalog(bundle_bytes(document, files))
    assert raised.value.errors == ["procedures[1].forms[0].file: 'forms/seal.pdf' is not in the bundle"]


def encrypted_pdf(data: bytes) -> bytes:
    pdf = pikepdf.Pdf.open(io.BytesIO(data))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user=""))
    return out.getvalue()


def test_a_pdf_of_the_bundle_that_is_encrypted_is_refused_where_it_is_named():
    document, files = forms_document()
    files["forms/seal.pdf"] = encrypted_pdf(files["forms/seal.pdf"])
    with pytest.raises(CatalogInvalid) as raised:
        read_bundle_catalog(bundle_bytes(document, files))
    assert raised.value.errors == [
        "procedures[1].forms[0].file: 'forms/seal.pdf': the PDF is encrypted or password-protected; "
        "save a copy without protection"
    ]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"not a zip at all", "bundle: not a .zip file, or a damaged one"),
        (b"PK\x03\x04" + b"\x00" * 40, "bundle: not a .zip file, or a damaged one"),
        (zipped({"forms/seal.pdf": b"%PDF-"}), "bundle: no catalog.json at the top of the .zip"),
        (zipped({"city/catalog.json": b"{}"}), "bundle: no catalog.json at the top of the .zip"),
        (zipped({"catalog.json": b"{", "forms/x.pdf": b"%PDF"}), "not valid JSON: line 1 column 2"),
        (zipped({"catalog.json": b"{}", "forms/\u5c4a.pdf": b"%PDF"}), "a form's file name may hold only"),
    ],
    # Named, not by their bytes: a zip holds the time it was made, and xdist's workers must agree.
    ids=["not a zip", "empty zip header", "no catalog", "catalog not at the top", "bad json", "kanji name"],
)
def test_a_zip_that_is_not_a_usable_bundle_is_refused(data, error):
    with pytest.raises(CatalogInvalid) as raised:
        read_bundle(data)
    assert error in raised.value.errors[0]


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_inflated():
    zeros = b"\x00" * (11 * 1024 * 1024)  # 11 MB of zeros deflate to a few KB
    data = zipped({"catalog.json": b"{}", "forms/big.pdf": b"%PDF-1.7\n" + zeros})
    assert len(data) < 100_000
    with pytest.raises(CatalogInvalid) as raised:
        read_bundle(data)
    assert raised.value.errors == ["bundle: forms/big.pdf is larger than 10 MB"]
    # catalog.json is held to a plain .json catalog's limit.
    data = zipped({"catalog.json": b" " * (6 * 1024 * 1024)})
    with pytest.raises(CatalogInvalid) as raised:
        read_bundle(data)
    assert raised.value.errors == ["bundle: catalog.json is larger than 5 MB"]


def test_a_bundle_with_too_many_files_is_refused():
    files = {f"forms/f{number}.pdf": b"%PDF" for number in range(MAX_ENTRIES)}
    with pytest.raises(CatalogInvalid, match=f"bundle: {MAX_ENTRIES + 1} files; at most {MAX_ENTRIES}"):
        read_bundle(zipped({"catalog.json": b"{}", **files}, compression=zipfile.ZIP_STORED))


def test_an_encrypted_zip_entry_is_refused():
    _, data, _ = written()
    raw = bytearray(data)
    # Set the "encrypted" flag of catalog.json in its local header and in the central directory.
    raw[6] |= 1
    raw[raw.find(b"PK\x01\x02") + 8] |= 1
    with pytest.raises(CatalogInvalid, match=r"bundle: catalog\.json: encrypted"):
        read_bundle(bytes(raw))
