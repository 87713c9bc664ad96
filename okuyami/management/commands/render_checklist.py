from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from okuyami.form_printing import fill, form_case, route_forms
from okuyami.guide import build_guide
from okuyami.printing import DOCUMENTS, PERSON_FIELDS, render_pdf
from procedures.evaluation import CaseInvalid, evaluate, read_case
from procedures.management.commands._common import (
    add_code_argument,
    municipality_or_fail,
    read_json,
    report_errors,
)
from procedures.selectors import catalog_for

# Printed-only fields a case file may carry beside the evaluate input of the contract (which has
# the deceased's dates): the people printed on the documents, as the case model declares them.
EVALUATE_INPUT = ("birth_date", "death_date")
FORMS = "forms"
EXTRA_FIELDS = {
    person: tuple(name for name in fields if person != "deceased" or name not in EVALUATE_INPUT)
    for person, fields in PERSON_FIELDS.items()
}


class Command(BaseCommand):
    help = (
        "Print a case's documents to PDF: the checklist (手続きのご案内), the route sheet (順路表), "
        "the common application sheet (共通申請書), or the municipality's own forms of the route "
        "filled in (forms)."
    )

    def add_arguments(self, parser):
        add_code_argument(parser)
        parser.add_argument(
            "case",
            help="the case document (the evaluate input, plus optional deceased.name and visitor.name)",
        )
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")
        parser.add_argument("--document", choices=(*DOCUMENTS, FORMS), default="checklist")
        parser.add_argument(
            "--large",
            action="store_true",
            help=(
                "large print (文字を大きく): 14 pt text, nothing under 12.6 pt, for the checklist, "
                "route and application (the forms print as the municipality laid them out)"
            ),
        )
        parser.add_argument(
            "--printed-on", help="the date printed, YYYY-MM-DD (default today); days left count from it"
        )

    def handle(self, *args, code, case, output, document, large, printed_on, **options):
        printed = _date_or_fail(printed_on) if printed_on else timezone.localdate()
        municipality = municipality_or_fail(code)
        catalog = catalog_for(municipality=municipality)
        raw = read_json(case)
        people, errors = split_people(raw)
        try:
            parsed = read_case(catalog, raw)
        except CaseInvalid as exc:
            errors += exc.errors
        if errors:
            raise report_errors(self.stderr, case, errors, "nothing was printed")
        guide = build_guide(catalog, evaluate(catalog, parsed), death_date=parsed.death_date, case=parsed)
        people["deceased"]["death_date"] = parsed.death_date.isoformat()
        if parsed.birth_date:
            people["deceased"]["birth_date"] = parsed.birth_date.isoformat()
        if document == FORMS:
            forms = route_forms(catalog, guide)
            if not forms:
                raise CommandError(
                    f"{case}: none of the procedures that apply has a form; nothing was printed"
                )
            filled = fill(municipality, forms, form_case(catalog, parsed, people, today=printed))
            pdf = filled.pdf
            for warning in filled.warnings:
                self.stderr.write(f"warning: {warning.message}")
        else:
            pdf = render_pdf(document, guide=guide, people=people, printed_on=printed, large=large)
        try:
            Path(output).write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror})") from None
        self.stdout.write(f"wrote {output} ({document}{', large print' if large else ''})")


def split_people(document) -> tuple[dict, list[str]]:
    """Take the printed-only fields out of a case document, in place; (people, errors)."""
    people: dict[str, dict[str, str]] = {"deceased": {}, "visitor": {}}
    errors: list[str] = []
    if not isinstance(document, dict):
        return people, errors  # read_case names the problem
    visitor = document.pop("visitor", None)
    deceased = document.get("deceased")
    for role, given in (("deceased", deceased), ("visitor", visitor)):
        if given is None:
            continue
        if not isinstance(given, dict):
            if role == "visitor":
                errors.append("visitor: must be an object with name (and kana, relation, phone, address)")
            continue
        for name in EXTRA_FIELDS[role]:
            if name not in given:
                continue
            value = given.pop(name) if role == "deceased" else given[name]
            if value is not None and not isinstance(value, str):
                errors.append(f"{role}.{name}: must be a string")
            elif value:
                people[role][name] = value
        if role == "visitor":
            errors += [f"visitor.{name}: unknown field" for name in given if name not in EXTRA_FIELDS[role]]
    return people, errors


def _date_or_fail(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f'--printed-on {text!r}: must be a date "YYYY-MM-DD"') from None
