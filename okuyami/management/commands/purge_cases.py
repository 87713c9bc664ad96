from django.core.management.base import BaseCommand, CommandError

from okuyami.precheck.services import code_days, codes_purge
from okuyami.residents.services import extracts_expire, records_days
from okuyami.retention import purge_cases, retention_days


class Command(BaseCommand):
    help = (
        "Erase the personal data of every case whose retention period (OKUYAMI_RETENTION_DAYS after "
        "finalising, or after its last change if never finalised) has ended, every resident extract "
        "not replaced for OKUYAMI_RECORDS_DAYS, and every pre-check 受付コード past its expiry "
        "(OKUYAMI_PRECHECK_DAYS). Idempotent; run from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help="the retention period in days (default OKUYAMI_RETENTION_DAYS)"
        )

    def handle(self, *args, days: int | None, **options):
        days = retention_days() if days is None else days
        if days < 0:
            raise CommandError("--days must not be negative")
        erased = purge_cases(days=days)
        self.stdout.write(f"erased the personal data of {len(erased)} case(s) older than {days} days")
        # The resident extracts too: kept OKUYAMI_RECORDS_DAYS unless a new import replaces them.
        extracts = extracts_expire(actor="purge_cases")
        self.stdout.write(f"erased {len(extracts)} resident extract(s) older than {records_days()} days")
        codes = codes_purge()
        self.stdout.write(f"deleted {codes} pre-check code(s) older than {code_days()} days")
