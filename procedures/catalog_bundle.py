"""Catalog bundles: a .zip holding `catalog.json` and the PDF forms it names, both ways.

Pure Python, no Django. A bundle is read whole and checked before anything is stored:
its entries' declared sizes are checked before a byte is inflated (a zip bomb never
inflates), paths are plain (no absolute paths, no `..`), and each PDF is inspected by
`form_pdf.inspect_pdf` (a refused one is reported where the catalog names it). A bundle
is written the same way every time (entries sorted, fixed dates), so exporting an
unchanged catalog twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.limits import MAX_FILE_BYTES
from procedures.catalog import Catalog, CatalogPdf
from procedures.catalog_io import FILE_RE, CatalogInvalid, dumps, loads, read_catalog, write_catalog
from procedures.form_pdf import MAX_BYTES as MAX_PDF_BYTES
from procedures.form_pdf import FormPdfError, inspect_pdf

CATALOG = "catalog.json"
FORMS_DIR = "forms/"
MAX_BUNDLE_BYTES = 50 * 1024 * 1024  # the .zip as uploaded
MAX_CATALOG_BYTES = MAX_FILE_BYTES  # catalog.json, inflated: as a plain .json catalog
MAX_ENTRIES = 500
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # every file read from it, together
ZIP_MAGIC = b"PK\x03\x04"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: exports do not change with the clock


@dataclass
class Bundle:
    """A bundle as read: its document, its PDFs by path (each checked, or why it was refused),
    their bytes by SHA-256, and the entries that no form names (left out, with a warning)."""

    document: object
    files: dict[str, CatalogPdf | FormPdfError] = field(default_factory=dict)
    pdfs: dict[str, bytes] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)

    def catalog(self) -> Catalog:
        """The whole catalog validated with its PDFs; CatalogInvalid lists every error."""
        return read_catalog(self.document, files=self.files)

    def pdfs_of(self, catalog: Catalog) -> dict[str, bytes]:
        """The bytes of the PDFs the catalog's forms use, by SHA-256."""
        return {f.pdf.sha256: self.pdfs[f.pdf.sha256] for p in catalog.procedures for f in p.forms}


def is_bundle(data: bytes, name: str = "") -> bool:
    """A bundle by its name's extension or, failing that, a zip holding catalog.json."""
    lowered = name.lower()
    if lowered.endswith(".zip"):
        return True
    if lowered.endswith((".json", ".xlsx")) or not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return CATALOG in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_bundle(data: bytes) -> Bundle:
    """The document and files of a bundle; CatalogInvalid when the zip itself is unusable."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise CatalogInvalid([f"bundle: larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise CatalogInvalid(["bundle: not a .zip file, or a damaged one"]) from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        errors = _entry_errors(entries)
        if errors:
            raise CatalogInvalid(errors)
        forms = [info for info in entries if FILE_RE.match(info.filename)]
        try:
            document = loads(archive.read(CATALOG))
            found = {info.filename: archive.read(info) for info in forms}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise CatalogInvalid([f"bundle: a damaged .zip file ({exc})"]) from None
    bundle = bundle_of(document, found)
    bundle.unused += [info.filename for info in entries if info.filename != CATALOG and info not in forms]
    return bundle


def bundle_of(document: object, found: Mapping[str, bytes]) -> Bundle:
    """A bundle of a document and files by path (what a .zip holds), each PDF it names inspected."""
    named = _named_files(document)
    bundle = Bundle(document)
    for path, content in sorted(found.items()):
        if path not in named:
            bundle.unused.append(path)
            continue
        try:
            info = inspect_pdf(content)
        except FormPdfError as error:
            bundle.files[path] = error
            continue
        sha = hashlib.sha256(content).hexdigest()
        bundle.files[path] = CatalogPdf(sha, info)
        bundle.pdfs[sha] = content
    return bundle


def _entry_errors(entries: list[zipfile.ZipInfo]) -> list[str]:
    """What makes the zip unusable, found from its directory alone (nothing inflated yet)."""
    errors = []
    names = [info.filename for info in entries]
    if CATALOG not in names:
        errors.append(f"bundle: no {CATALOG} at the top of the .zip")
    if len(entries) > MAX_ENTRIES:
        errors.append(f"bundle: {len(entries)} files; at most {MAX_ENTRIES}")
    for info in entries:
        path = info.filename
        if info.flag_bits & 0x1:
            errors.append(f"bundle: {path}: encrypted; save the .zip without a password")
        elif path != CATALOG and not FILE_RE.match(path):
            if path.startswith(FORMS_DIR) and path.lower().endswith(".pdf"):
                errors.append(f"bundle: {path}: a form's file name may hold only A-Z a-z 0-9 _ . -")
            # other files (a README, __MACOSX/…) are not read: reported as unused below
        elif info.file_size > (MAX_CATALOG_BYTES if path == CATALOG else MAX_PDF_BYTES):
            limit = MAX_CATALOG_BYTES if path == CATALOG else MAX_PDF_BYTES
            errors.append(f"bundle: {path} is larger than {limit // (1024 * 1024)} MB")
    if len(set(names)) != len(names):
        errors.append("bundle: a file is in the .zip twice")
    inflated = sum(
        info.file_size for info in entries if info.filename == CATALOG or FILE_RE.match(info.filename)
    )
    if inflated > MAX_INFLATED_BYTES:
        errors.append(f"bundle: its files hold more than {MAX_INFLATED_BYTES // (1024 * 1024)} MB together")
    return errors


def _named_files(document: object) -> set[str]:
    """The paths the document's forms name (whatever else is wrong with it: read_catalog says)."""
    named = set()
    if not isinstance(document, dict) or not isinstance(document.get("procedures"), list):
        return named
    for procedure in document["procedures"]:
        forms = procedure.get("forms") if isinstance(procedure, dict) else None
        for form in forms if isinstance(forms, list) else ():
            if isinstance(form, dict) and isinstance(form.get("file"), str):
                named.add(form["file"])
    return named


def read_bundle_catalog(data: bytes) -> tuple[Catalog, Bundle]:
    bundle = read_bundle(data)
    return bundle.catalog(), bundle


def unused_warnings(bundle: Bundle) -> list[str]:
    return [f"bundle: {path}: no form names this file; it was left out" for path in sorted(bundle.unused)]


def write_bundle(catalog: Catalog, pdfs: Mapping[str, bytes]) -> bytes:
    """The bundle of a catalog: catalog.json, then each PDF a form names (`pdfs` by SHA-256)."""
    files: dict[str, bytes] = {}
    for procedure in catalog.procedures:
        for form in procedure.forms:
            files[form.file] = pdfs[form.pdf.sha256]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, CATALOG, dumps(write_catalog(catalog)).encode("utf-8"), zipfile.ZIP_DEFLATED)
        for path in sorted(files):
            _add(archive, path, files[path], zipfile.ZIP_STORED)  # PDFs are compressed already
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, path: str, data: bytes, compression: int) -> None:
    info = zipfile.ZipInfo(path, date_time=_FIXED_TIME)
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
