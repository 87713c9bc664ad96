from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.staff import Role, staff_membership_set
from procedures.catalog import prefecture_of
from procedures.management.commands._common import add_municipality_arguments, code_or_fail
from procedures.services import MunicipalityExists, TemplateInvalid, municipality_create


class Command(BaseCommand):
    help = "Create a municipality, with a copy of the national template's catalog or an empty one."

    def add_arguments(self, parser):
        add_municipality_arguments(parser)
        parser.add_argument(
            "--from-template",
            action="store_true",
            help="copy fixtures/catalogs/national-template.json (otherwise the catalog is empty)",
        )
        parser.add_argument("--prefecture", help="the prefecture (default: from the code's first two digits)")
        parser.add_argument("--editor", help="make this existing user the municipality's editor")

    def handle(self, *args, code, name, from_template, prefecture, editor, **options):
        code_or_fail(code)
        prefecture = prefecture or prefecture_of(code)
        if not prefecture:
            raise CommandError(f"cannot tell the prefecture of {code}: give --prefecture")
        if not name.strip():
            raise CommandError("the name must not be empty")
        user = None
        if editor is not None:
            user = get_user_model().objects.filter(username=editor).first()
            if user is None:
                raise CommandError(
                    f"no user {editor!r}: create it first (manage.py createsuperuser or the admin)"
                )
        try:
            municipality = municipality_create(
                code=code, name=name, prefecture=prefecture, from_template=from_template
            )
        except MunicipalityExists:
            raise CommandError(
                f"a municipality with code {code} already exists; nothing was changed"
            ) from None
        except TemplateInvalid as exc:
            raise CommandError(f"the national template is broken ({exc}); nothing was changed") from None
        if user is not None:
            staff_membership_set(user=user, municipality=municipality, role=Role.EDITOR)
        counts = municipality.procedures.count(), municipality.questions.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"created {code} {prefecture}{name} with {counts[0]} procedures and {counts[1]} questions"
                + (f"; {editor} is its editor" if user else "")
            )
        )
