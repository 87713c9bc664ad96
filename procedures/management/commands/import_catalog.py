from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from procedures.catalog_io import CatalogInvalid, catalog_diff, read_catalog
from procedures.management.commands._common import read_json, report_errors
from procedures.selectors import catalog_for, municipality_by_code
from procedures.services import catalog_import


class Command(BaseCommand):
    help = "Import a municipality's catalog (okuyami-catalog/1 JSON), replacing the one stored."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the catalog document (JSON)")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and show the changes; write nothing"
        )

    def handle(self, *args, path: str, dry_run: bool, **options):
        document = read_json(path)
        try:
            catalog = read_catalog(document)
        except CatalogInvalid as exc:
            raise report_errors(self.stderr, path, exc.errors, "nothing was imported") from None

        existing = municipality_by_code(catalog.municipality.code)
        old = catalog_for(municipality=existing) if existing else None
        m = catalog.municipality
        self.stdout.write(
            f"{m.code} {m.prefecture}{m.name}: {len(catalog.places)} places, "
            f"{len(catalog.counters)} counters, {len(catalog.questions)} questions, "
            f"{len(catalog.procedures)} procedures"
        )
        for section, change in catalog_diff(old, catalog).items():
            parts = [
                f"{label} {', '.join(change[label])}"
                for label in ("added", "changed", "removed")
                if change[label]
            ]
            if parts:
                self.stdout.write(f"  {section}: " + "; ".join(parts))
        if dry_run:
            self.stdout.write("dry run: the catalog is valid; nothing was changed")
            return
        try:
            _, created = catalog_import(catalog=catalog)
        except DatabaseError as exc:
            raise CommandError(
                f"{path}: the database refused the import ({exc.__class__.__name__}); nothing was imported"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"{'created' if created else 'replaced'} the catalog of {m.code}")
        )
