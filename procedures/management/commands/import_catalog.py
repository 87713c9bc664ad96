from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from procedures.catalog_changes import catalog_changes
from procedures.catalog_files import JSON, kind_of, read_catalog_file
from procedures.catalog_io import CatalogInvalid, loads, write_catalog
from procedures.management.commands._common import read_bytes, report_errors
from procedures.selectors import catalog_snapshot_for, municipality_by_code
from procedures.services import catalog_import
from procedures.warnings import catalog_warnings


class Command(BaseCommand):
    help = (
        "Import a municipality's catalog (okuyami-catalog/1 JSON, an Excel .xlsx workbook, or a .zip "
        "bundle with its PDF forms), replacing the one stored."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help="the catalog: a .json document, a .xlsx workbook or a .zip bundle (catalog.json and forms/)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and show the changes; write nothing"
        )

    def handle(self, *args, path: str, dry_run: bool, **options):
        data = read_bytes(path)
        if kind_of(data, path) == JSON:
            _json(path, data)
        try:
            read = read_catalog_file(data, path)
        except CatalogInvalid as exc:
            raise report_errors(self.stderr, path, exc.errors, "nothing was imported") from None
        catalog = read.catalog

        existing = municipality_by_code(catalog.municipality.code)
        m = catalog.municipality
        forms = sum(len(p.forms) for p in catalog.procedures)
        self.stdout.write(
            f"{m.code} {m.prefecture}{m.name}: {len(catalog.places)} places, "
            f"{len(catalog.counters)} counters, {len(catalog.questions)} questions, "
            f"{len(catalog.procedures)} procedures" + (f", {forms} forms" if forms else "")
        )
        before = catalog_snapshot_for(municipality=existing) if existing else None
        changes = catalog_changes(before, write_catalog(catalog, hashes=True))
        self.stdout.write("changes:" if changes else "no changes")
        for line in changes.lines():
            self.stdout.write(f"  {line}")
        for note in read.notes:
            self.stdout.write(f"note: {note}")
        for warning in catalog_warnings(catalog):
            self.stdout.write(f"warning: {warning.message}")
        if dry_run:
            self.stdout.write("dry run: the catalog is valid; nothing was changed")
            return
        try:
            _, created = catalog_import(catalog=catalog, pdfs=read.pdfs, note=f"import_catalog {path}")
        except DatabaseError as exc:
            raise CommandError(
                f"{path}: the database refused the import ({exc.__class__.__name__}); nothing was imported"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"{'created' if created else 'replaced'} the catalog of {m.code}")
        )


def _json(path: str, data: bytes):
    """The parsed JSON; text that is not one JSON document is refused with its first problem."""
    try:
        return loads(data)
    except CatalogInvalid as exc:
        raise CommandError(f"{path}: {exc.errors[0]}") from None
