"""手続きのご案内 printed at home: the counter's checklist (okuyami.printing) without names, with
the 受付コード and its QR code at the top once the family has one."""

from datetime import date
from typing import Any

from django.template.loader import get_template

from okuyami import printing
from okuyami.precheck.codes import shown
from okuyami.precheck.qr import qr_data_uri
from procedures.wareki import wareki

TEMPLATE = "precheck/print/checklist.html"


def checklist_pdf(**document: Any) -> bytes:
    """The checklist as an A4 PDF (the arguments of `checklist_html`)."""
    return printing.pdf_from_html(checklist_html(**document))


def checklist_html(
    *, guide: dict[str, Any], printed_on: date, code: str = "", code_expires: date | None = None
) -> str:
    context = printing.document_context("checklist", guide=guide, people={}, printed_on=printed_on)
    context["stylesheet_url"] = ""  # the print pipeline passes the parsed print.css itself
    if code:
        context.update(
            code=shown(code),
            qr=qr_data_uri(code),
            code_expires_wareki=wareki(code_expires) if code_expires else "",
        )
    return get_template(TEMPLATE).render(context)
