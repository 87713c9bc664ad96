from django.core.management.base import BaseCommand, CommandError

from okuyami.sandbox import SandboxOff, trials_expire


class Command(BaseCommand):
    help = (
        "Sandbox only: remove every trial municipality past its end, with its logins and cases (cron-safe)."
    )

    def handle(self, *args, **options):
        try:
            removed = trials_expire()
        except SandboxOff:
            raise CommandError("expire_trials runs only in the sandbox (OKUYAMI_SANDBOX=1)") from None
        self.stdout.write(
            f"removed {len(removed)} expired trial(s)" + (f": {', '.join(removed)}" if removed else "")
        )
