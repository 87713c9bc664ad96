"""Issue 5's walk-through in a real browser: a new municipality from the template, edited by its editor.

The operator copies the national template into 札幌市 and names its editor; the editor renames
a counter, adds a procedure with a condition, sees the preview change, exports to Excel, changes
a deadline in the workbook, imports it back after seeing the difference, and undoes one change,
while the sample city's catalog stays exactly as it was.
"""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from procedures.models import Counter, Municipality, Procedure
from procedures.selectors import catalog_snapshot_for
from tests.conftest import fixture_document, import_catalog

PASSWORD = "okuyami-demo"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    sample = import_catalog(fixture_document("sample-city.json"))
    users = get_user_model().objects
    users.create_superuser("operator", password=PASSWORD)
    users.create_user("sapporo-editor", password=PASSWORD)
    return sample


def log_in(browser, base: str, username: str):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    return page


def test_an_editor_edits_a_municipality_copied_from_the_template(
    live_server, browser, people, screens, tmp_path
):
    sample_before = catalog_snapshot_for(municipality=people)

    # The operator copies the template and names the editor.
    page = log_in(browser, live_server.url, "operator")
    page.goto(f"{live_server.url}/admin/procedures/municipality/")
    page.click("text=テンプレートから作成")
    page.fill("#id_code", "011002")
    page.fill("#id_name", "札幌市")
    page.select_option("#id_editor", label="sapporo-editor")
    screens.take(page, "catalog-01-from-template.png")
    page.click("input[type=submit][value=作成する]")
    assert "全国テンプレートから作成しました" in page.inner_text(".messagelist")
    sapporo = Municipality.objects.get(code="011002")
    assert sapporo.prefecture == "北海道"
    page.context.close()

    # The editor renames a counter.
    page = log_in(browser, live_server.url, "sapporo-editor")
    page.goto(f"{live_server.url}/admin/procedures/counter/?q=shimin")
    page.click("#result_list a:text-is('戸籍住民課（住民票・戸籍・印鑑登録・マイナンバーカード）')")
    page.fill("#id_name", "市民課（本庁舎）")
    page.click("input[name=_save]")
    assert "変更しました" in page.inner_text(".messagelist")
    assert Counter.objects.get(municipality=sapporo, key="shimin").name == "市民課（本庁舎）"

    # ... adds a procedure with a condition, picking the counter by autocomplete.
    page.goto(f"{live_server.url}/admin/procedures/procedure/add/")
    assert page.locator("input[name=municipality][type=hidden]").count() == 1
    page.click(".field-counter .select2-selection")
    page.fill(".select2-search__field", "本庁舎")
    page.wait_for_selector(".select2-results__option:has-text('市民課（本庁舎）')")
    page.keyboard.press("Enter")
    page.fill("#id_key", "pet_registration")
    page.fill("#id_name", "犬の死亡届")
    page.fill("#id_applies_if", "funeral_held == true")
    page.fill("#id_deadline_amount", "30")
    screens.take(page, "catalog-02-add-procedure.png", full_page=True)
    page.click("input[name=_save]")
    assert "追加しました" in page.inner_text(".messagelist")
    assert Procedure.objects.get(municipality=sapporo, key="pet_registration").counter.key == "shimin"

    # ... sees the preview change.
    page.goto(f"{live_server.url}/admin/procedures/municipality/{sapporo.pk}/change/")
    page.click("text=プレビュー")
    page.select_option("#id_q_funeral_held", "yes")
    page.click("input[type=submit][value=結果を見る]")
    route = page.inner_text(".oky-route")
    assert "犬の死亡届" in route and "市民課（本庁舎）" in route
    screens.take(page, "catalog-03-preview.png")

    # ... exports to Excel and changes the deadline there.
    page.goto(f"{live_server.url}/admin/procedures/municipality/{sapporo.pk}/change/")
    screens.take(page, "catalog-04-municipality.png", full_page=True)
    with page.expect_download() as download:
        page.click("text=Excel で書き出す")
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = workbook["procedures"]
    row = next(
        r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "pet_registration"
    )
    sheet.cell(row=row, column=5).value = 10  # deadline_days
    edited = tmp_path / "sapporo.xlsx"
    workbook.save(edited)

    # ... imports it back after seeing the difference.
    page.click("text=取り込み")
    page.set_input_files("#id_file", str(edited))
    page.click("input[type=submit][value=確認する]")
    diff = page.inner_text(".oky-changes")
    assert "pet_registration" in diff and "亡くなった日から30日 → 亡くなった日から10日" in diff.replace(
        "\n", " "
    )
    screens.take(page, "catalog-05-import-diff.png", full_page=True)
    assert Procedure.objects.get(municipality=sapporo, key="pet_registration").deadline_days == 30
    page.click("input[name=apply]")
    assert "取り込みました" in page.inner_text(".messagelist")
    assert Procedure.objects.get(municipality=sapporo, key="pet_registration").deadline_days == 10

    # ... and undoes the counter's renaming from the history.
    page.click("text=カタログの変更履歴")
    screens.take(page, "catalog-06-history.png")
    page.click("tr:has-text('市民課（本庁舎）') a")
    page.click("text=この変更を取り消す")
    screens.take(page, "catalog-07-undo.png")
    page.click("input[type=submit][value=取り消す]")
    assert "取り消し" in page.inner_text(".messagelist")
    assert (
        Counter.objects.get(municipality=sapporo, key="shimin").name
        == "戸籍住民課（住民票・戸籍・印鑑登録・マイナンバーカード）"
    )
    assert Procedure.objects.get(municipality=sapporo, key="pet_registration").deadline_days == 10

    # Another municipality was never touched, nor reachable.
    assert catalog_snapshot_for(municipality=people) == sample_before
    response = page.goto(f"{live_server.url}/admin/procedures/municipality/{people.pk}/change/")
    assert response.status == 404
    page.context.close()
