import copy
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.staff import Role, staff_membership_set
from procedures.catalog_bundle import Bundle, bundle_of
from procedures.catalog_io import CatalogInvalid
from procedures.management.commands._common import read_json, report_errors
from procedures.models import Municipality
from procedures.services import catalog_import

CATALOGS = Path(settings.BASE_DIR) / "fixtures" / "catalogs"
SAMPLE_CITY = "sample-city.json"
# The demo forms: fixtures/forms/<procedure key>.json is a forms[] entry of that procedure of the
# sample city, its PDF beside it.
DEMO_FORMS = Path(settings.BASE_DIR) / "fixtures" / "forms"
# The sample city's fictitious resident extract, loaded by the counter's command (by name:
# procedures does not import the counter's apps).
SAMPLE_RESIDENTS = Path(settings.BASE_DIR) / "fixtures" / "residents" / "sample-city"
DEMO_PASSWORD = "okuyami-demo"
# The 管理者 reads the audit log and the statistics (no cases, no catalog).
DEMO_USERS = {"demo-counter": Role.COUNTER, "demo-editor": Role.EDITOR, "demo-manager": Role.MANAGER}


class Command(BaseCommand):
    help = (
        "Load every catalog in fixtures/catalogs/, the sample city's resident extract and the demo "
        "logins (debug or sandbox only; idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="re-import catalogs that are already loaded")

    def handle(self, *args, reset: bool, **options):
        if not settings.DEBUG and not settings.OKUYAMI_SANDBOX:
            raise CommandError(
                "load_demo creates logins with a published password: "
                "it runs only with DJANGO_DEBUG=1 or in the sandbox (OKUYAMI_SANDBOX=1)"
            )
        sample = None
        for path in sorted(CATALOGS.glob("*.json")):
            document = read_json(str(path))
            bundle = with_demo_forms(document) if path.name == SAMPLE_CITY else bundle_of(document, {})
            try:
                catalog = bundle.catalog()
            except CatalogInvalid as exc:
                raise report_errors(self.stderr, str(path), exc.errors, "the demo was not loaded") from None
            code = catalog.municipality.code
            if reset or not Municipality.objects.filter(code=code).exists():
                catalog_import(catalog=catalog, pdfs=bundle.pdfs_of(catalog), note=f"load_demo {path.name}")
                self.stdout.write(f"loaded {path.name} ({code} {catalog.municipality.name})")
            else:
                self.stdout.write(f"kept {path.name} ({code}): already loaded")
            if path.name == SAMPLE_CITY:
                sample = Municipality.objects.get(code=code)
        if sample is None:
            raise CommandError(f"{CATALOGS / SAMPLE_CITY}: missing; the demo logins need the sample city")
        call_command(
            "import_residents", sample.code, str(SAMPLE_RESIDENTS), keep=not reset, stdout=self.stdout
        )
        for username, role in DEMO_USERS.items():
            user, created = get_user_model().objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            staff_membership_set(user=user, municipality=sample, role=role)  # the editor may use /admin/
            self.stdout.write(
                f"{'created' if created else 'kept'} login {username} ({role.label}, {sample.name})"
            )


def with_demo_forms(document: dict) -> Bundle:
    """The sample city's catalog with the demo forms on their procedures, as a bundle."""
    document = copy.deepcopy(document)
    procedures = {procedure["key"]: procedure for procedure in document["procedures"]}
    files = {}
    for path in sorted(DEMO_FORMS.glob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        procedures[path.stem].setdefault("forms", []).append(entry)
        files[entry["file"]] = (DEMO_FORMS / Path(entry["file"]).name).read_bytes()
    return bundle_of(document, files)
