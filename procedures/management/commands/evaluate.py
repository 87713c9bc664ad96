import json

from django.core.management.base import BaseCommand

from procedures.evaluation import CaseInvalid, evaluate, read_case
from procedures.management.commands._common import (
    add_code_argument,
    municipality_or_fail,
    read_json,
    report_errors,
)
from procedures.selectors import catalog_for


class Command(BaseCommand):
    help = "Evaluate a case (okuyami-catalog/1 case JSON) and print the result JSON."

    def add_arguments(self, parser):
        add_code_argument(parser)
        parser.add_argument("case", help="the case document (JSON)")

    def handle(self, *args, code: str, case: str, **options):
        catalog = catalog_for(municipality=municipality_or_fail(code))
        document = read_json(case)
        try:
            parsed = read_case(catalog, document)
        except CaseInvalid as exc:
            raise report_errors(self.stderr, case, exc.errors, "nothing was evaluated") from None
        self.stdout.write(json.dumps(evaluate(catalog, parsed), ensure_ascii=False, indent=2))
