from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.staff import staff_password_set
from okuyami.sandbox import SandboxOff, sandbox_reset
from procedures.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = (
        "Sandbox only: delete every case and every expired trial, then reload the demo catalogs and "
        "logins (load_demo --reset). Safe to run from cron."
    )

    def handle(self, *args, **options):
        try:
            reset = sandbox_reset()
        except SandboxOff:
            raise CommandError(
                "reset_sandbox deletes every case: it runs only in the sandbox (OKUYAMI_SANDBOX=1)"
            ) from None
        trials = f": {', '.join(reset.trials)}" if reset.trials else ""
        self.stdout.write(
            f"deleted {reset.cases} case(s); removed {len(reset.trials)} expired trial(s){trials}"
        )
        call_command("load_demo", reset=True, stdout=self.stdout, stderr=self.stderr)
        # A visitor may have changed a demo password: the next one finds the published one again.
        for user in get_user_model().objects.filter(username__in=DEMO_USERS):
            staff_password_set(user=user, password=DEMO_PASSWORD, one_time=False)
