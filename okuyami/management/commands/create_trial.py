from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from okuyami.sandbox import SandboxOff, TrialInvalid, trial_create
from procedures.management.commands._common import add_municipality_arguments
from procedures.services import MunicipalityExists, TemplateInvalid

SANDBOX_OFF = "create_trial runs only in the sandbox (OKUYAMI_SANDBOX=1); nothing was created"


class Command(BaseCommand):
    help = (
        "Sandbox only: create a trial municipality from the national template with an editor and a "
        "counter login, and print their one-time passwords (changed at the first login)."
    )

    def add_arguments(self, parser):
        add_municipality_arguments(parser)
        parser.add_argument("--days", type=int, default=30, help="the trial ends after this many days (30)")

    def handle(self, *args, code: str, name: str, days: int, **options):
        if not name.strip():
            raise CommandError("the name must not be empty")
        try:
            trial = trial_create(code=code, name=name.strip(), days=days)
        except SandboxOff:
            raise CommandError(SANDBOX_OFF) from None
        except TrialInvalid as exc:
            raise CommandError(f"{exc}; nothing was created") from None
        except TemplateInvalid as exc:
            raise CommandError(f"the national template is broken ({exc}); nothing was created") from None
        except MunicipalityExists:
            raise CommandError(
                f"a municipality with code {code} already exists; nothing was created"
            ) from None
        m = trial.municipality
        until = timezone.localtime(trial.expires_at).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(self.style.SUCCESS(f"created trial {m.code} {m.prefecture}{m.name} until {until}"))
        self.stdout.write("one-time passwords (each must be changed at the first login):")
        for login in trial.logins:
            self.stdout.write(f"  {login.role.label}\tusername {login.username}\tpassword {login.password}")
