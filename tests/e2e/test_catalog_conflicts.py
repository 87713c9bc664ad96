"""Another editor imports while a change form is open, in a real browser: the save is refused with
what changed and goes through when saved again; a form whose procedure the import removed shows
what was typed. Nothing is lost, and the admin's links keep working (ids are stable)."""

import pytest

from procedures.models import Procedure
from tests.conftest import build_catalog_document, import_catalog
from tests.e2e.test_condition_builder import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_save_after_another_editors_import_is_refused_then_saved_on_purpose(
    live_server, browser, bob, screens
):
    procedure = Procedure.objects.get(municipality__code="122041", key="koki_loss")
    page = log_in(browser, live_server, "bob")
    url = f"{live_server.url}/admin/procedures/procedure/{procedure.pk}/change/"
    page.goto(url)
    page.fill("#id_deadline_note", "亡くなった日から14日以内（窓口で確認）")

    import_catalog(build_catalog_document({"procedures[3].deadline_days": 30}))  # another editor

    page.click("input[name=_save]")
    errors = page.inner_text(".errorlist.nonfield")
    assert "ほかの人" in errors and "期限の長さ" in errors and "保存していません" in errors
    assert page.input_value("#id_deadline_note") == "亡くなった日から14日以内（窓口で確認）"  # kept
    screens.take(page, "catalog-09-changed-meanwhile.png", full_page=True)
    assert Procedure.objects.get(pk=procedure.pk).deadline_days == 30

    page.click("input[name=_save]")  # on purpose: this form's values
    page.wait_for_selector(".messagelist")
    saved = Procedure.objects.get(pk=procedure.pk)
    assert saved.deadline_note == "亡くなった日から14日以内（窓口で確認）" and saved.deadline_days == 14

    # The admin's link to it still works after another import (its id is kept).
    import_catalog(build_catalog_document())
    page.goto(url)
    assert page.input_value("#id_key") == "koki_loss"
    page.context.close()


def test_a_form_whose_procedure_an_import_removed_shows_what_was_typed(live_server, browser, bob, screens):
    procedure = Procedure.objects.get(municipality__code="122041", key="recent_move")
    page = log_in(browser, live_server, "bob")
    page.goto(f"{live_server.url}/admin/procedures/procedure/{procedure.pk}/change/")
    page.fill("#id_description", "転入から1年以内の方は、前の住所地の手続きも確認してください。")

    document = build_catalog_document()
    document["procedures"] = [p for p in document["procedures"] if p["key"] != "recent_move"]
    import_catalog(document)

    page.click("input[name=_save]")
    body = page.inner_text("#content")
    assert "見つかりません" in body and "保存していません" in body
    assert "転入から1年以内の方は、前の住所地の手続きも確認してください。" in body
    screens.take(page, "catalog-10-removed-meanwhile.png", full_page=True)
    page.context.close()
