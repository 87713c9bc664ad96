"""申請書を印刷: the municipality's own forms of a case, printed pre-filled in one PDF.

The forms are those of every procedure on the case's route (the applying ones and the ones
the staff added; not the dropped ones, nor the 要確認 ones), in route order, each procedure's
forms in the catalog's order. They come from the catalog as it is now, also for a finalised
case: a municipality that replaces a form wants the new one printed. The values come from
the case (`procedures.catalog_forms`); `procedures.form_pdf` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpResponse

from okuyami import selectors
from okuyami.models import Case
from procedures.catalog import Catalog, CatalogForm
from procedures.catalog_forms import FormCase, answer_texts, form_values
from procedures.evaluation import CaseInput
from procedures.form_pdf import FilledForms, FormToFill, Placement, fill_forms
from procedures.models import Municipality
from procedures.selectors import catalog_for, form_pdf_bytes

TITLE = "申請書"


@dataclass(frozen=True)
class RouteForm:
    """One form of a procedure on a case's route; `number` counts from 1 within the procedure."""

    procedure: str
    procedure_name: str
    number: int
    form: CatalogForm

    @property
    def title(self) -> str:
        return self.form.title

    @property
    def pages(self) -> int:
        return self.form.pdf.info.page_count


def route_forms(catalog: Catalog, guide: dict[str, Any]) -> list[RouteForm]:
    """The forms of the procedures on the guide's route, in route order."""
    procedures = {p.key: p for p in catalog.procedures}
    found = []
    for key in selectors.guide_procedure_keys(guide):
        procedure = procedures.get(key)  # gone from the catalog since a finalised case: nothing to print
        for number, form in enumerate(procedure.forms if procedure else (), start=1):
            found.append(RouteForm(key, procedure.name, number, form))
    return found


def form_case(
    catalog: Catalog, case: CaseInput, people: dict[str, dict[str, str]], *, today: date
) -> FormCase:
    """What a case's forms are filled with."""
    return FormCase(people, catalog.municipality.name, today, answer_texts(catalog, case))


def fill(municipality: Municipality, forms: list[RouteForm], values: FormCase) -> FilledForms:
    """One PDF of the forms, each filled with the case's values."""
    pdfs = form_pdf_bytes(municipality=municipality, hashes={f.form.pdf.sha256 for f in forms})
    return fill_forms(
        [
            FormToFill(
                pdfs[f.form.pdf.sha256],
                [Placement(**vars(field)) for field in f.form.fields],
                form_values(f.form, values),
                title=f.title,
            )
            for f in forms
        ]
    )


# --- A case at the counter -------------------------------------------------------------------------


def forms_of_case(case: Case) -> list[RouteForm]:
    return route_forms(catalog_for(municipality=case.municipality), selectors.guide_for(case))


def case_values(case: Case, *, today: date) -> FormCase:
    catalog = catalog_for(municipality=case.municipality)
    return form_case(catalog, selectors.case_input(case, catalog), selectors.people_for(case), today=today)


def chosen(
    forms: list[RouteForm], procedure: str | None = None, number: int | None = None
) -> list[RouteForm]:
    """All the forms, or the one `number` of `procedure` ([] when there is no such form)."""
    if procedure is None:
        return forms
    return [f for f in forms if f.procedure == procedure and f.number == number]


def printed_title(forms: list[RouteForm], everything: bool) -> str:
    """How the audit log names the print: the forms' titles are the municipality's, not the family's."""
    return f"{TITLE}（{len(forms)}様式）" if everything else f"{TITLE}「{forms[0].title}」"


def pdf_response(case: Case, forms: list[RouteForm], *, today: date, name: str) -> HttpResponse:
    """The forms as a PDF download; the file name carries no personal data."""
    filled = fill(case.municipality, forms, case_values(case, today=today))
    response = HttpResponse(filled.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}-{case.pk}.pdf"'
    return response
