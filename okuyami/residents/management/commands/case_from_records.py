import json

from django.core.management.base import BaseCommand, CommandError

from okuyami.residents.services import RecordsError, record_open
from procedures.management.commands._common import add_code_argument, municipality_or_fail
from procedures.selectors import catalog_for


class Command(BaseCommand):
    help = (
        "Print the case document (JSON) the municipality's records give for a deceased person: "
        "deceased, the answers of the questions a fact answers, and the household after the death."
    )

    def add_arguments(self, parser):
        add_code_argument(parser)
        parser.add_argument("atena_number", metavar="宛名番号", help="the deceased person's 宛名番号")

    def handle(self, *args, code: str, atena_number: str, **options):
        municipality = municipality_or_fail(code)
        prefill = catalog_for(municipality=municipality).prefill_specs
        try:
            document = record_open(
                municipality=municipality,
                atena_number=atena_number,
                prefill=prefill,
                actor="case_from_records",
            )
        except RecordsError as exc:
            raise CommandError(f"宛名番号 {atena_number}: {_english(exc)}") from None
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))


def _english(exc: RecordsError) -> str:
    reasons = {
        "no extract": "the municipality has no resident extract (import_residents) and no live lookup",
        "not in the extract": "no such 宛名番号 in the resident extract",
        "not a 宛名番号": "a 宛名番号 is 1 to 15 ASCII digits",
        "not deceased in the extract": "the records do not show this person's death (消除事由 死亡)",
    }
    return reasons.get(exc.reason, exc.reason or "the records cannot be read")
