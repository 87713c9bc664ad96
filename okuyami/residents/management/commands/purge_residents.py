from django.core.management.base import BaseCommand, CommandError

from okuyami.residents.services import drop_partitions, extract_erase, extracts_expire, records_days
from procedures.management.commands._common import add_code_argument, municipality_or_fail
from procedures.models import Municipality


class Command(BaseCommand):
    help = (
        "Erase resident extracts: the municipality's (CODE), or with no CODE every municipality's. "
        "With --expired, only those older than OKUYAMI_RECORDS_DAYS (as purge_cases does)."
    )

    def add_arguments(self, parser):
        add_code_argument(parser, every=True)
        parser.add_argument(
            "--expired", action="store_true", help="only extracts not replaced for OKUYAMI_RECORDS_DAYS"
        )

    def handle(self, *args, code: str | None, expired: bool, **options):
        if expired and code is not None:
            raise CommandError("--expired applies to every municipality: give no CODE with it")
        drop_partitions()  # any left behind by an erasure that could not drop them at once
        if expired:
            erased = extracts_expire()
            self.stdout.write(self._line(erased, f" imported more than {records_days()} days ago"))
            return
        municipalities = (
            [municipality_or_fail(code)]
            if code is not None
            else Municipality.objects.filter(resident_extract__isnull=False).order_by("code")
        )
        erased = [
            m.code
            for m in municipalities
            if extract_erase(municipality=m, reason="purge_residents", actor="purge_residents")
        ]
        self.stdout.write(self._line(erased, ""))

    def _line(self, erased: list[str], which: str) -> str:
        codes = f": {', '.join(erased)}" if erased else ""
        return f"erased {len(erased)} resident extract(s){which}{codes}"
