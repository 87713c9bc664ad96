"""Catalog files as the commands, the admin and the API take and give them: a .json document, an
Excel .xlsx workbook or a .zip bundle (the document with its PDF forms).

Reading is the same everywhere: the kind is told by the file's extension or, failing that, its
first bytes; the whole catalog is validated with its PDFs. A workbook holds no forms: the
forms of the procedures it keeps (by key) stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from procedures.catalog import Catalog
from procedures.catalog_bundle import is_bundle, read_bundle, unused_warnings, write_bundle
from procedures.catalog_io import BundleFiles, loads, read_catalog, split_hashes
from procedures.catalog_xlsx import is_xlsx, read_xlsx_catalog
from procedures.models import Municipality
from procedures.selectors import catalog_snapshot_for, form_pdf_bytes, municipality_by_code, stored_pdfs

JSON, XLSX, ZIP = "json", "xlsx", "zip"


@dataclass
class CatalogFile:
    """A catalog read from a file: the catalog, the bytes of the PDFs it brings (by SHA-256),
    and notes on what was left out or kept."""

    catalog: Catalog
    kind: str
    pdfs: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def kind_of(data: bytes, name: str = "") -> str:
    if is_bundle(data, name):
        return ZIP
    return XLSX if is_xlsx(data, name) else JSON


def read_catalog_file(data: bytes, name: str = "") -> CatalogFile:
    """The catalog in a file's bytes; CatalogInvalid lists every error (by sheet, row and column
    for a workbook)."""
    kind = kind_of(data, name)
    if kind == ZIP:
        bundle = read_bundle(data)
        catalog = bundle.catalog()
        return CatalogFile(catalog, kind, bundle.pdfs_of(catalog), unused_warnings(bundle))
    if kind == XLSX:
        kept: list[str] = []
        catalog, _ = read_xlsx_catalog(data, with_forms=lambda document: _keep_forms(document, kept))
        return CatalogFile(catalog, kind, notes=kept)
    return CatalogFile(read_catalog(loads(data)), kind)


def _keep_forms(document: dict, kept: list[str]) -> BundleFiles | None:
    """Give the workbook's procedures the forms they have now; their files (None: no forms)."""
    municipality = _municipality_of(document)
    if municipality is None:
        return None
    current, hashes = split_hashes(catalog_snapshot_for(municipality=municipality))
    forms = {p["key"]: p["forms"] for p in current["procedures"] if p.get("forms")}
    if not forms:
        return None
    for procedure in document.get("procedures") or []:
        if isinstance(procedure, dict) and procedure.get("key") in forms:
            procedure["forms"] = forms[procedure["key"]]
            kept.append(f"{procedure['key']}: its forms are kept (a workbook holds no forms)")
    pdfs = stored_pdfs(municipality=municipality, hashes=hashes.values())
    return {path: pdfs[sha] for path, sha in hashes.items() if sha in pdfs}


def _municipality_of(document: dict) -> Municipality | None:
    code = (document.get("municipality") or {}).get("code")
    return municipality_by_code(code) if isinstance(code, str) else None


def has_forms(catalog: Catalog) -> bool:
    return any(p.forms for p in catalog.procedures)


def bundle_for(*, municipality: Municipality, catalog: Catalog) -> bytes:
    """The municipality's catalog as a bundle, with its PDFs from the database."""
    hashes = {f.pdf.sha256 for p in catalog.procedures for f in p.forms}
    return write_bundle(catalog, form_pdf_bytes(municipality=municipality, hashes=hashes))
