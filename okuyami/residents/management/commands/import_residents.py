from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from okuyami.residents.selectors import extract_for
from okuyami.residents.services import ExtractInvalid, extract_import
from procedures.management.commands._common import add_code_argument, municipality_or_fail


class Command(BaseCommand):
    help = (
        "Import a municipality's resident extract (okuyami-residents/1: a folder or a .zip with "
        "residents.csv and facts.csv), replacing the one stored, or change nothing when it has errors."
    )

    def add_arguments(self, parser):
        add_code_argument(parser)
        parser.add_argument("path", help="a folder or a .zip holding residents.csv (and facts.csv)")
        parser.add_argument(
            "--keep", action="store_true", help="keep the stored extract if there is one (load_demo)"
        )

    def handle(self, *args, code: str, path: str, keep: bool, **options):
        municipality = municipality_or_fail(code)
        if keep and extract_for(municipality) is not None:
            self.stdout.write(f"kept the resident extract of {municipality.code}: already loaded")
            return
        try:
            report = extract_import(
                municipality=municipality, source=path, actor="import_residents", on_error=self.stderr.write
            )
        except ExtractInvalid as exc:
            count = exc.report.error_count
            raise CommandError(
                f"{path}: {count:,} error{'s' if count != 1 else ''}; nothing was imported "
                "(the stored extract is unchanged)"
            ) from None
        except DatabaseError as exc:
            raise CommandError(
                f"{path}: the database refused the import ({exc.__class__.__name__}); nothing was imported"
            ) from None
        read_as = ", ".join(f"{name} {encoding}" for name, encoding in report.encodings.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"imported the resident extract of {municipality.code} ({read_as}): "
                f"{report.people:,} people, {report.households:,} households, "
                f"{report.deceased:,} deceased, {report.facts:,} facts"
            )
        )
