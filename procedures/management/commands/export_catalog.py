from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.catalog_io import dumps, write_catalog
from procedures.management.commands._common import municipality_or_fail
from procedures.selectors import catalog_for


class Command(BaseCommand):
    help = "Export a municipality's catalog as okuyami-catalog/1 JSON."

    def add_arguments(self, parser):
        parser.add_argument("code", help="全国地方公共団体コード, 6 digits")
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")

    def handle(self, *args, code: str, output: str | None, **options):
        catalog = catalog_for(municipality=municipality_or_fail(code))
        text = dumps(write_catalog(catalog))
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror})") from None
        self.stderr.write(f"wrote {output}")
