"""申請書を印刷: the municipality's own forms of a case's route, printed pre-filled at the counter,
by the API and by render_checklist. Real PDFs read back with their text's coordinates.

The contract city with forms (tests/form_builders.py): 印鑑登録 (seal, 本庁舎1階 市民課, applies to
everyone), 国保の資格喪失 (kokuho_loss, 1階 国保), 原付 (gentsuki, 2階, a fillable PDF) and 年金
(pension_death, outside: 要確認 while the pension is unknown).
"""

import io
import json
import re
from pathlib import Path

import pdfplumber
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent
from okuyami.models import Adjustment
from procedures.form_pdf import MM
from procedures.wareki import wareki
from tests.conftest import CASE_DETAILS, make_case
from tests.form_builders import SEAL_FORM, demo_entry, import_with_forms
from tests.procedures.test_form_pdf import runs

pytestmark = pytest.mark.django_db
TOLERANCE_MM = 1.0
ANSWERS = {"head_of_household": False, "insurance": "kokuho", "vehicles": ["gentsuki"]}


@pytest.fixture
def forms_city(city_a):
    return import_with_forms()


@pytest.fixture
def case(forms_city):
    return make_case(forms_city, answers=ANSWERS, unknown=["pension"])


def pdf_of(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def titles(pdf: bytes) -> list[str]:
    """The first words of each page: its form's heading."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [re.sub(r"\s+", "", page.extract_text() or "")[:40] for page in document.pages]


def page_text(pdf: bytes, page: int) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return re.sub(r"\s+", "", document.pages[page - 1].extract_text() or "")


def assert_at(pdf: bytes, page: int, text: str, field: dict) -> None:
    """`text` is printed on `page` with its top-left corner where `field` says (within 1 mm)."""
    found = [run for run in runs(pdf, page) if run["text"].replace(" ", "") == text.replace(" ", "")]
    assert any(
        abs(run["x"] - field["x"]) <= TOLERANCE_MM and abs(run["top"] - field["y"]) <= TOLERANCE_MM
        for run in found
    ), (text, field, found)


def test_the_counter_prints_the_forms_of_the_route_in_route_order(client, alice, case):
    client.force_login(alice)
    pdf = pdf_of(client.get(reverse("okuyami:print-forms", args=[case.pk])))
    pages = titles(pdf)
    assert len(pages) == 6  # three forms of two pages; not the 要確認 pension form
    assert "国民健康保険葬祭費支給申請書" in pages[0]  # seal prints the 葬祭費 PDF: 市民課 first
    assert "国民健康保険被保険者資格喪失届" in pages[2]  # then 国保 on the same floor
    assert "相続人代表者指定届出書" in pages[4]  # then 2階


def test_each_value_is_resolved_from_the_case_and_printed_where_its_field_says(client, alice, case):
    client.force_login(alice)
    pdf = pdf_of(client.get(reverse("okuyami:print-forms", args=[case.pk])))
    fields = SEAL_FORM["fields"]
    assert_at(pdf, 1, CASE_DETAILS["deceased_name"], fields[0])
    assert_at(pdf, 1, "2026-11-20", fields[1])  # deceased.death_date:iso
    assert_at(pdf, 1, "昭和20年3月10日", fields[2])  # deceased.birth_date, 和暦 by default
    assert_at(pdf, 1, "国民健康保険", fields[3])  # answer.insurance: the choice's label
    assert_at(pdf, 1, "原付・小型特殊", fields[4])  # answer.vehicles: a multi's labels
    assert_at(pdf, 1, wareki(timezone.localdate()), fields[5])  # today
    assert_at(pdf, 2, "窓口で記入", fields[6])  # text:
    assert_at(pdf, 2, "船橋市", fields[7])  # municipality.name
    assert "わからない" not in page_text(pdf, 2)  # answer.pension, answered わからない: nothing
    kokuho = demo_entry("kokuho_loss")["fields"]
    assert_at(pdf, 3, CASE_DETAILS["deceased_name"], kokuho[7])
    assert_at(pdf, 3, CASE_DETAILS["visitor_relation"], kokuho[4])
    assert_at(pdf, 3, CASE_DETAILS["deceased_address"], kokuho[11])
    assert_at(pdf, 3, CASE_DETAILS["deceased_address"], kokuho[1])  # the visitor lives with the deceased
    assert "船橋太郎" in page_text(pdf, 5) and "船橋花子" in page_text(pdf, 5)  # the fillable form
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert not any(page.annots for page in document.pages)  # its fields are flattened


def test_manually_added_forms_are_printed_and_dropped_ones_are_not(client, alice, case):
    Adjustment.objects.create(case=case, procedure_key="pension_death", action="add", created_by=alice)
    Adjustment.objects.create(case=case, procedure_key="kokuho_loss", action="drop", created_by=alice)
    client.force_login(alice)
    pages = titles(pdf_of(client.get(reverse("okuyami:print-forms", args=[case.pk]))))
    assert len(pages) == 6
    assert "国民健康保険葬祭費支給申請書" in pages[0]
    assert "相続人代表者指定届出書" in pages[2]
    assert "国民健康保険被保険者資格喪失届" in pages[4]  # 年金の届 (outside) prints the 資格喪失届 PDF, last


def test_one_form_is_printed_alone(client, alice, case):
    client.force_login(alice)
    response = client.get(reverse("okuyami:print-form", args=[case.pk, "gentsuki", 1]))
    pages = titles(pdf_of(response))
    assert len(pages) == 2 and "相続人代表者指定届出書" in pages[0]
    assert response["Content-Disposition"] == f'attachment; filename="form-gentsuki-1-{case.pk}.pdf"'
    for missing in (["gentsuki", 2], ["pension_death", 1], ["nothing", 1]):
        assert client.get(reverse("okuyami:print-form", args=[case.pk, *missing])).status_code == 404


def test_a_finalised_case_prints_the_forms_of_its_frozen_route(client, alice, case):
    from okuyami import services

    services.case_finalise(case=case, user=alice, version=case.version)
    case.answers = {**ANSWERS, "insurance": "koki"}  # changed underneath: the snapshot stands
    case.save()
    client.force_login(alice)
    assert len(titles(pdf_of(client.get(reverse("okuyami:print-forms", args=[case.pk]))))) == 6


def test_a_route_without_forms_has_nothing_to_print(client, alice, city_a):
    bare = make_case(city_a, answers=ANSWERS)
    client.force_login(alice)
    response = client.get(reverse("okuyami:print-forms", args=[bare.pk]))
    assert response.status_code == 404
    result = client.get(reverse("okuyami:result", args=[bare.pk])).content.decode()
    assert "記入済みで印刷できる申請書がありません" in result


def test_the_result_page_links_every_form_and_the_whole_set(client, alice, case):
    client.force_login(alice)
    html = client.get(reverse("okuyami:result", args=[case.pk])).content.decode()
    assert f'href="{reverse("okuyami:print-forms", args=[case.pk])}"' in html
    assert "申請書を印刷（PDF）" in html and "順路の手続きの申請書3様式" in html
    for key, title in (("seal", "印鑑登録証 返還届"), ("kokuho_loss", "国民健康保険 被保険者資格喪失届")):
        link = reverse("okuyami:print-form", args=[case.pk, key, 1])
        assert f'<a href="{link}">{title}' in html


def test_the_print_is_in_the_audit_log_without_personal_data(client, alice, case):
    client.force_login(alice)
    client.get(reverse("okuyami:print-forms", args=[case.pk]))
    client.get(reverse("okuyami:print-form", args=[case.pk, "seal", 1]))
    printed = AuditEvent.objects.filter(action=AuditEvent.Action.PRINT, case_id=case.pk).order_by("id")
    assert list(printed.values_list("username", "detail")) == [
        ("alice", "申請書（3様式）のPDF"),
        ("alice", "申請書「印鑑登録証 返還届」のPDF"),
    ]


def test_another_municipalitys_case_is_not_found(client, charlie, case):
    client.force_login(charlie)
    assert client.get(reverse("okuyami:print-forms", args=[case.pk])).status_code == 404
    assert client.get(reverse("okuyami:print-form", args=[case.pk, "seal", 1])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PRINT).exists()


def test_staff_without_the_counter_role_cannot_print(client, bob, case):
    client.force_login(bob)
    assert client.get(reverse("okuyami:print-forms", args=[case.pk])).status_code == 403


def test_the_api_prints_the_forms_and_records_an_export(alice, charlie, case):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    assert len(titles(pdf_of(client.get(f"/api/v1/cases/{case.pk}/forms.pdf")))) == 6
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, case_id=case.pk)
    assert event.detail == "申請書（3様式）のPDF（API）"
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=charlie).key}")
    assert other.get(f"/api/v1/cases/{case.pk}/forms.pdf").status_code == 404


# --- render_checklist --document forms ---------------------------------------------------------


def case_file(tmp_path, **people) -> str:
    document = {
        "deceased": {"birth_date": "1945-03-10", "death_date": "2026-11-20", "name": "命令 太郎"},
        "visitor": {"name": "命令 花子", "relation": "長男"},
        "answers": ANSWERS,
        "unknown": ["pension"],
        **people,
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def render_forms(tmp_path, *options: str, **people) -> tuple[Path, str, str]:
    """render_checklist --document forms of case_file(tmp_path, **people) into tmp_path/forms.pdf:
    (that path, what it wrote on stdout, on stderr)."""
    out, stdout, stderr = tmp_path / "forms.pdf", io.StringIO(), io.StringIO()
    command = ["render_checklist", "122041", case_file(tmp_path, **people), "--document", "forms", *options]
    call_command(*command, "-o", str(out), stdout=stdout, stderr=stderr)
    return out, stdout.getvalue(), stderr.getvalue()


def test_render_checklist_prints_the_forms_from_a_case_file(forms_city, tmp_path):
    out, stdout, stderr = render_forms(tmp_path, "--printed-on", "2026-11-27")
    pdf = out.read_bytes()
    assert len(titles(pdf)) == 6 and stdout == f"wrote {out} (forms)\n"
    fields = SEAL_FORM["fields"]
    assert_at(pdf, 1, "命令 太郎", fields[0])
    assert_at(pdf, 1, "令和8年11月27日", fields[5])
    assert "長男" in page_text(pdf, 3)
    assert stderr == ""


def test_render_checklist_says_when_there_is_no_form_to_print(city_a, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(
        CommandError, match="none of the procedures that apply has a form; nothing was printed"
    ):
        render_forms(tmp_path)
    assert not (tmp_path / "forms.pdf").exists()


def test_a_name_too_long_for_its_box_is_cut_and_reported(forms_city, tmp_path):
    long_name = "長い名前" * 30
    out, _, stderr = render_forms(
        tmp_path, visitor={"name": "命令 花子"}, deceased={"death_date": "2026-11-20", "name": long_name}
    )
    warnings = stderr.splitlines()
    assert warnings[0] == (
        "warning: form 1 (印鑑登録証 返還届) page 1, field 1 (deceased.name): "
        "does not fit at 6 pt and was cut with an ellipsis"
    )
    assert long_name not in stderr  # the family's details never reach the output
    with pdfplumber.open(io.BytesIO(out.read_bytes())) as document:
        cut = [c for c in document.pages[0].chars if c["text"] == "…"]
    assert cut and cut[0]["x1"] / MM <= SEAL_FORM["fields"][0]["x"] + SEAL_FORM["fields"][0]["width"] + 0.1


def test_a_stored_pdf_that_cannot_be_read_is_reported_and_nothing_is_printed(client, alice, case):
    from procedures.models import ApplicationForm, FormPdf

    damaged = FormPdf.objects.create(
        municipality=case.municipality,
        sha256="0" * 64,
        data=b"not a pdf",
        size=9,
        info={"pages": [[210, 297, "A4 portrait"]] * 2, "fields": []},
    )
    ApplicationForm.objects.filter(procedure__key="seal").update(pdf=damaged)
    Municipality = type(case.municipality)
    Municipality.objects.filter(pk=case.municipality_id).update(
        catalog_version=case.municipality.catalog_version + 1
    )
    client.force_login(alice)
    response = client.get(reverse("okuyami:print-forms", args=[case.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("okuyami:result", args=[case.pk])
    assert (
        "申請書を印刷できませんでした（PDFファイルではありません）。編集者に連絡してください。"
        in response.content.decode()
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PRINT).exists()
