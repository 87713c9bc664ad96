from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.catalog_io import dumps, write_catalog
from procedures.catalog_xlsx import write_xlsx
from procedures.management.commands._common import municipality_or_fail
from procedures.selectors import catalog_for


class Command(BaseCommand):
    help = "Export a municipality's catalog as okuyami-catalog/1 JSON, or as an Excel .xlsx workbook."

    def add_arguments(self, parser):
        parser.add_argument("code", help="全国地方公共団体コード, 6 digits")
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")
        parser.add_argument(
            "--format",
            choices=["json", "xlsx"],
            help="json or xlsx (default: from the output file's extension, else json); xlsx needs -o",
        )

    def handle(self, *args, code: str, output: str | None, format: str | None, **options):
        if format is None:
            format = "xlsx" if output and output.lower().endswith(".xlsx") else "json"
        if format == "xlsx" and output is None:
            raise CommandError("--format xlsx writes a workbook: give the file with -o PATH")
        document = write_catalog(catalog_for(municipality=municipality_or_fail(code)))
        if output is None:
            self.stdout.write(dumps(document), ending="")
            return
        try:
            if format == "xlsx":
                Path(output).write_bytes(write_xlsx(document))
            else:
                Path(output).write_text(dumps(document), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror})") from None
        self.stderr.write(f"wrote {output}")
