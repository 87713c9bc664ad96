"""The admin's pages for a procedure's own forms: upload (and its refusals), placing the fields by
their numbers (the page without JavaScript), the preview with the demo family, the page images,
replacing the PDF, deleting; tenant isolation of every URL; the CSP. Real PDFs, a real database.
"""

import io
import re

import pytest
from django.urls import reverse

from procedures.models import ApplicationForm, CatalogRevision, FormPdf, Procedure, Question
from tests.form_builders import demo_pdf, import_with_forms
from tests.procedures.test_commands import stored
from tests.procedures.test_form_pdf import blank_pdf, encrypted
from tests.security.test_csp import check_headers, inline_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def forms_city(city_a):
    return import_with_forms()


def procedure(key: str) -> Procedure:
    return Procedure.objects.get(municipality__code="122041", key=key)


def form_of(key: str) -> ApplicationForm:
    return ApplicationForm.objects.select_related("pdf").get(
        procedure__municipality__code="122041", procedure__key=key
    )


def urls(form: ApplicationForm) -> dict[str, str]:
    """Every URL of the forms pages of one form (and its procedure)."""
    args = [form.procedure_id, form.pk]
    return {
        "forms": reverse("admin:procedures_procedure_forms", args=[form.procedure_id]),
        "form": reverse("admin:procedures_procedure_form", args=args),
        "form_page": reverse("admin:procedures_procedure_form_page", args=[*args, 1]),
        "form_replace": reverse("admin:procedures_procedure_form_replace", args=args),
        "form_delete": reverse("admin:procedures_procedure_form_delete", args=args),
    }


def upload(name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return file


def rows(stored: list[dict], added: list[dict] = (), extra: int = 1, deleted=()) -> dict:
    """The placement page's POST data: the stored fields as edited (those at `deleted` ticked for
    deletion), the rows added and `extra` empty ones."""
    fields = [*stored, *added]
    data = {
        "fields-TOTAL_FORMS": len(fields) + extra,
        "fields-INITIAL_FORMS": len(stored),
        "fields-MIN_NUM_FORMS": 0,
        "fields-MAX_NUM_FORMS": 1000,
    }
    for index, field in enumerate(fields):
        for name in ("value", "page", "x", "y", "width", "size", "acroform"):
            data[f"fields-{index}-{name}"] = "" if field.get(name) is None else field[name]
    data.update({f"fields-{index}-DELETE": "on" for index in deleted})
    return data


# --- Upload ------------------------------------------------------------------------------------------


def test_an_editor_uploads_a_form_for_a_procedure(client, bob, forms_city):
    client.force_login(bob)
    url = reverse("admin:procedures_procedure_forms", args=[procedure("kaigo_loss").pk])
    response = client.post(
        url, {"title": "介護保険 資格喪失届", "pdf": upload("kaigo.pdf", demo_pdf("kokuho_loss"))}
    )
    form = form_of("kaigo_loss")
    assert response.status_code == 302 and response["Location"] == urls(form)["form"]
    assert (form.file, form.title, form.fields) == ("forms/kokuho_loss.pdf", "介護保険 資格喪失届", [])
    assert FormPdf.objects.filter(municipality=forms_city).count() == 3  # the same bytes: stored once
    revision = CatalogRevision.objects.filter(municipality=forms_city).latest("pk")
    assert (
        revision.note == "手続き「介護保険の資格喪失届」（kaigo_loss）の申請書「介護保険 資格喪失届」を追加"
    )
    assert revision.username == "bob"


def test_a_new_pdf_gets_a_path_of_its_own(client, bob, forms_city):
    client.force_login(bob)
    url = reverse("admin:procedures_procedure_forms", args=[procedure("seal").pk])
    client.post(url, {"title": "別の様式", "pdf": upload("other.pdf", blank_pdf())})
    paths = sorted(ApplicationForm.objects.filter(procedure__key="seal").values_list("file", flat=True))
    assert paths == ["forms/seal-2.pdf", "forms/seal.pdf"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Name,Address\n", "PDFファイルではありません"),
        (demo_pdf("kokuho_loss")[:5000], "PDFが壊れています"),
        (encrypted("family-secret"), "PDFが暗号化（パスワード保護）されています"),
        (encrypted(""), "PDFが暗号化（パスワード保護）されています"),
        (blank_pdf((210, 297), (100, 100)), "2ページ目の大きさ（100×100mm）には対応していません"),
        (blank_pdf(*[(210, 297)] * 21), "ページが多すぎます（21ページ。20ページまで）"),
        (b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "PDFが大きすぎます（10MBまで）"),
    ],
    ids=["not a pdf", "damaged", "encrypted", "owner password", "odd size", "too many pages", "too large"],
)
def test_a_pdf_that_cannot_be_a_form_is_refused_in_japanese_and_nothing_changes(
    client, bob, forms_city, data, message
):
    client.force_login(bob)
    before = stored(), FormPdf.objects.count(), CatalogRevision.objects.count()
    url = reverse("admin:procedures_procedure_forms", args=[procedure("kaigo_loss").pk])
    response = client.post(url, {"title": "介護保険 資格喪失届", "pdf": upload("form.pdf", data)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "＊追加できませんでした（カタログは変更していません）。" in html
    assert message in html
    assert (stored(), FormPdf.objects.count(), CatalogRevision.objects.count()) == before


def test_the_title_is_required(client, bob, forms_city):
    client.force_login(bob)
    url = reverse("admin:procedures_procedure_forms", args=[procedure("kaigo_loss").pk])
    html = client.post(url, {"title": " ", "pdf": upload("f.pdf", blank_pdf())}).content.decode()
    assert "様式の名前（※必須）: ＊様式の名前を入力してください。" in html
    assert not ApplicationForm.objects.filter(procedure__key="kaigo_loss").exists()


# --- Placing the fields by their numbers -----------------------------------------------------------------


def test_the_placement_page_shows_each_page_and_each_field_as_inputs(client, bob, forms_city):
    client.force_login(bob)
    form = form_of("seal")
    html = client.get(urls(form)["form"]).content.decode()
    assert html.count('class="oky-page"') == 2
    assert f'src="{urls(form)["form_page"]}?v={form.pdf.sha256[:16]}"' in html
    assert 'name="fields-0-x" value="51.5"' in html and 'name="fields-8-value"' in html
    assert '<option value="answer.insurance" selected>回答：亡くなった方の健康保険は？</option>' in html
    assert '<option value="deceased.death_date:iso" selected>亡くなった日（西暦）</option>' in html
    assert 'id="oky-placement-template"' in html and "fields-__prefix__-value" in html


def test_the_fillable_fields_of_a_pdf_are_offered_by_name(client, bob, forms_city):
    client.force_login(bob)
    html = client.get(urls(form_of("gentsuki"))["form"]).content.decode()
    assert 'data-acroform="daihyo_shimei"' in html
    assert '<option value="sofu_daihyo">sofu_daihyo</option>' in html
    assert html.count("<code>") >= 51


def test_fields_typed_in_are_saved_and_recorded(client, bob, forms_city):
    client.force_login(bob)
    form = form_of("seal")
    stored_fields = [dict(field) for field in form.fields]
    stored_fields[0]["x"] = 60
    added = {"value": "visitor.name", "page": 2, "x": 51.5, "y": 82.9, "width": 87.25}
    response = client.post(
        urls(form)["form"], {"title": form.title, **rows(stored_fields, [added]), "_save": "1"}
    )
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.fields[0] == {
        "page": 1,
        "x": 60,
        "y": 63.4,
        "width": 57,
        "size": 12,
        "value": "deceased.name",
    }
    assert form.fields[1:9] == stored_fields[1:9]
    assert form.fields[9] == {"page": 2, "x": 51.5, "y": 82.9, "width": 87.25, "value": "visitor.name"}
    revision = CatalogRevision.objects.filter(municipality=form.procedure.municipality).latest("pk")
    assert revision.note == "手続き「印鑑登録証の返却」（seal）の申請書「印鑑登録証 返還届」を変更"


def test_a_field_deleted_on_the_page_is_gone(client, bob, forms_city):
    client.force_login(bob)
    form = form_of("kokuho_loss")
    data = {"title": form.title, **rows(form.fields, deleted=[0]), "_save": "1"}
    assert client.post(urls(form)["form"], data).status_code == 302
    form.refresh_from_db()
    assert len(form.fields) == 14 and form.fields[0]["value"] == "visitor.address"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            {"value": "deceased.name", "page": 3, "x": 10, "y": 10},
            "3ページ目はありません（PDFは2ページです）",
        ),
        ({"value": "deceased.name", "page": 1, "x": 10}, "位置（x・y）か入力欄名を指定してください"),
        (
            {"value": "deceased.name", "page": 1, "x": 250, "y": 10},
            "文字の位置が1ページ目（210.0×297.0mm）の外にあります",
        ),
        (
            {"value": "deceased.name", "page": 1, "x": 10, "y": 10, "size": 3},
            "文字の大きさは6〜72ptにしてください",
        ),
        (
            {"value": "deceased.name", "page": 1, "x": "十", "y": 10},
            "＊半角数字で入力してください（例: 51.5）。",
        ),
        (
            {"value": "answer.gone", "page": 1, "x": 10, "y": 10},
            "＊印刷する値を一覧から選び直してください（「answer.gone」はありません）。",
        ),
    ],
)
def test_a_field_that_does_not_fit_is_refused_next_to_it_and_nothing_changes(
    client, bob, forms_city, field, message
):
    client.force_login(bob)
    form = form_of("seal")
    before = stored()
    response = client.post(
        urls(form)["form"], {"title": form.title, **rows(form.fields, [field]), "_save": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "＊保存できませんでした。" in html
    assert message in html
    assert stored() == before


def test_a_fillable_field_and_a_position_together_are_refused(client, bob, forms_city):
    client.force_login(bob)
    form = form_of("gentsuki")
    field = {"value": "deceased.name", "page": 1, "x": 10, "y": 10, "acroform": "daihyo_shimei"}
    data = {"title": form.title, **rows(form.fields, [field]), "_save": "1"}
    html = client.post(urls(form)["form"], data).content.decode()
    assert "位置（x・y）と入力欄名のどちらか一方を指定してください" in html


def test_a_question_whose_answer_a_form_prints_cannot_be_deleted(client, bob, forms_city):
    client.force_login(bob)
    question = Question.objects.get(municipality=forms_city, key="insurance")
    html = client.get(reverse("admin:procedures_question_delete", args=[question.pk])).content.decode()
    assert "申請書「印鑑登録証 返還届」（欄に質問「insurance」の回答を印刷します）" in html


# --- Preview and page images --------------------------------------------------------------------------


def test_the_preview_prints_the_form_with_the_demo_family_and_lists_what_does_not_fit(
    client, bob, forms_city
):
    client.force_login(bob)
    form = form_of("seal")
    added = {"value": "deceased.address", "page": 1, "x": 51.5, "y": 72.1, "width": 20}
    before = stored()
    data = {"title": form.title, **rows(form.fields, [added], deleted=range(1, 9)), "_preview": "1"}
    response = client.post(urls(form)["form"], data)
    html = response.content.decode()
    assert "プレビュー（見本の家族で記入。まだ保存していません）" in html
    assert "収まらない文字があります（1件）" in html
    assert "印鑑登録証 返還届 1ページ目 2番目の欄（deceased.address）: 6ptでも収まらないため" in html
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="記入した(\d)ページ"', html)
    assert [number for _, number in images] == ["1", "2"]
    assert 'name="fields-9-width" value="20"' in html  # the edits are kept on the page, not saved
    assert stored() == before


def test_a_page_is_served_as_an_image_and_cached(client, bob, forms_city):
    client.force_login(bob)
    form = form_of("seal")
    response = client.get(urls(form)["form_page"])
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG") and len(response.content) > 20_000
    assert response["Cache-Control"] == "private, max-age=86400"
    past = reverse("admin:procedures_procedure_form_page", args=[form.procedure_id, form.pk, 3])
    assert client.get(past).status_code == 404


# --- Replacing and deleting ---------------------------------------------------------------------------


def test_replacing_the_pdf_keeps_the_fields_when_they_fit(client, bob, forms_city):
    client.force_login(bob)
    form = form_of("seal")
    response = client.post(
        urls(form)["form_replace"], {"pdf": upload("new.pdf", demo_pdf("kokuho_loss"))}, follow=True
    )
    assert "PDFを差し替えました。" in response.content.decode()
    form.refresh_from_db()
    assert bytes(form.pdf.data) == demo_pdf("kokuho_loss") and len(form.fields) == 9


def test_a_pdf_the_fields_do_not_fit_is_not_taken(client, bob, forms_city):
    client.force_login(bob)
    form = form_of("seal")
    before = stored()
    response = client.post(urls(form)["form_replace"], {"pdf": upload("one.pdf", blank_pdf())}, follow=True)
    html = response.content.decode()
    assert "PDFを差し替えられませんでした。7番目の欄: ＊2ページ目はありません（PDFは1ページです）" in html
    assert stored() == before


def test_a_form_is_deleted_after_confirmation(client, bob, forms_city):
    client.force_login(bob)
    form = form_of("seal")
    assert "申請書「印鑑登録証 返還届」を削除します" in client.get(urls(form)["form_delete"]).content.decode()
    assert client.post(urls(form)["form_delete"]).status_code == 302
    assert not ApplicationForm.objects.filter(pk=form.pk).exists()
    revision = CatalogRevision.objects.filter(municipality=forms_city).latest("pk")
    assert revision.note == "手続き「印鑑登録証の返却」（seal）の申請書「印鑑登録証 返還届」を削除"


# --- Who sees what ----------------------------------------------------------------------------------------


def test_another_municipalitys_editor_finds_none_of_the_pages(client, dave, forms_city):
    client.force_login(dave)
    form = form_of("seal")
    for name, url in urls(form).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"title": "x"}).status_code == 404, name
    assert ApplicationForm.objects.filter(pk=form.pk).exists()


def test_a_form_of_another_procedure_is_not_found_under_this_one(client, bob, forms_city):
    client.force_login(bob)
    other = form_of("kokuho_loss")
    url = reverse("admin:procedures_procedure_form", args=[procedure("seal").pk, other.pk])
    assert client.get(url).status_code == 404


def test_counter_staff_and_anonymous_users_get_no_forms_pages(client, alice, forms_city):
    form = form_of("seal")
    for url in urls(form).values():
        assert client.get(url).status_code == 302  # to the admin login
    client.force_login(alice)
    for url in urls(form).values():
        assert client.get(url).status_code == 302


def test_the_forms_pages_keep_the_content_security_policy(client, bob, forms_city):
    client.force_login(bob)
    form = form_of("gentsuki")
    for name in ("forms", "form", "form_delete"):
        response = client.get(urls(form)[name])
        check_headers(response, name)
        assert inline_code(response.content.decode()) == [], name
    preview = client.post(urls(form)["form"], {"title": form.title, **rows(form.fields), "_preview": "1"})
    check_headers(preview, "preview")
    assert inline_code(preview.content.decode()) == []
