from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.catalog_files import JSON, XLSX, ZIP, bundle_for, has_forms
from procedures.catalog_io import dumps, write_catalog
from procedures.catalog_xlsx import write_xlsx
from procedures.management.commands._common import add_code_argument, municipality_or_fail
from procedures.selectors import catalog_for

FORMATS = (JSON, XLSX, ZIP)


class Command(BaseCommand):
    help = (
        "Export a municipality's catalog as okuyami-catalog/1 JSON, an Excel .xlsx workbook, or a .zip "
        "bundle (catalog.json with the PDF forms it names)."
    )

    def add_arguments(self, parser):
        add_code_argument(parser)
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="json, xlsx or zip (default: from the output file's extension, else json); "
            "xlsx and zip need -o; a catalog with forms travels as zip (a workbook leaves them out)",
        )

    def handle(self, *args, code: str, output: str | None, format: str | None, **options):
        if format is None:
            suffix = Path(output).suffix.lower().lstrip(".") if output else ""
            format = suffix if suffix in FORMATS else JSON
        if format != JSON and output is None:
            raise CommandError(f"--format {format} writes a file: give it with -o PATH")
        municipality = municipality_or_fail(code)
        catalog = catalog_for(municipality=municipality)
        forms = sum(len(p.forms) for p in catalog.procedures)
        if format == JSON and has_forms(catalog):
            raise CommandError(
                f"{code} has {forms} form{'s' if forms != 1 else ''}: a .json catalog cannot carry "
                "their PDFs; export a bundle with --format zip -o PATH.zip"
            )
        document = write_catalog(catalog)
        if output is None:
            self.stdout.write(dumps(document), ending="")
            return
        try:
            if format == ZIP:
                Path(output).write_bytes(bundle_for(municipality=municipality, catalog=catalog))
            elif format == XLSX:
                Path(output).write_bytes(write_xlsx(document))
            else:
                Path(output).write_text(dumps(document), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror})") from None
        self.stderr.write(f"wrote {output}")
        if format == XLSX and forms:
            self.stderr.write(
                f"note: the workbook does not hold the {forms} forms (it cannot hold PDFs); "
                "importing it keeps the forms of the procedures it keeps"
            )
