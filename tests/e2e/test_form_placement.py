"""Issue 17 in a real browser: an editor uploads a form, places fields by clicking on the page,
drags one, resizes it, moves one with the keyboard, deletes one, previews the form with the demo
family and saves; then the counter prints the family's forms from the result page.
"""

import io
from pathlib import Path

import pdfplumber
import pytest
from django.contrib.auth import get_user_model

from core.models import StaffMembership
from procedures.models import ApplicationForm
from tests.conftest import make_case
from tests.e2e.conftest import signed_in_page
from tests.form_builders import FORMS, import_with_forms

PASSWORD = "okuyami-demo"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def city(city_a):
    municipality = import_with_forms()
    users = get_user_model().objects
    editor = users.create_user("form-editor", password=PASSWORD, is_staff=True)
    StaffMembership.objects.create(user=editor, municipality=municipality, role="editor")
    counter = users.create_user("form-counter", password=PASSWORD)
    StaffMembership.objects.create(user=counter, municipality=municipality, role="counter")
    return municipality


def log_in(browser, live_server, username: str, height: int = 900):
    return signed_in_page(
        browser, live_server, username, viewport={"width": 1280, "height": height}, accept_downloads=True
    )


def row(page, number: int):
    return page.locator(".oky-placement").nth(number - 1)


def test_an_editor_places_drags_and_previews_fields_on_a_form(live_server, browser, city, screens, tmp_path):
    # Tall enough for the whole first page: the mouse works on what is in view.
    page = log_in(browser, live_server, "form-editor", height=1500)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # The 介護保険 procedure gets its form: the PDF uploaded with its name.
    page.goto(f"{live_server.url}/admin/procedures/procedure/?q=kaigo_loss")
    page.click("#result_list a:text-is('介護保険の資格喪失届')")
    page.click("text=申請書（0件）")
    page.fill("#id_title", "介護保険 資格喪失届")
    page.set_input_files("#id_pdf", str(FORMS / "kokuho_loss.pdf"))
    screens.take(page, "forms-01-upload.png")
    page.click("input[type=submit][value=追加する]")
    assert "印刷する欄を置いてください" in page.inner_text(".messagelist")
    page.wait_for_load_state("load")  # the page images too

    # A click on the page places the chosen value there (x and y in mm from the top-left corner).
    page.select_option("#oky-next-value", "deceased.name")
    sheet = page.locator(".oky-page__sheet").first
    box = sheet.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 16.5 / 210, box["y"] + box["height"] * 133.4 / 297)
    first = row(page, 1)
    assert first.locator("[name$=-value]").input_value() == "deceased.name"
    assert abs(float(first.locator("[name$=-x]").input_value()) - 16.5) <= 0.5
    assert abs(float(first.locator("[name$=-y]").input_value()) - 133.4) <= 0.5
    assert page.locator(".oky-box:not(.oky-box--fillable)").count() == 1

    # A second field, dragged 10 mm right and 5 mm down.
    page.select_option("#oky-next-value", "deceased.address")
    page.mouse.click(box["x"] + box["width"] * 48.5 / 210, box["y"] + box["height"] * 180 / 297)
    second = row(page, 2)
    x, y = (float(second.locator(f"[name$=-{name}]").input_value()) for name in ("x", "y"))
    dragged = page.locator(".oky-box--selected").bounding_box()
    start = (dragged["x"] + 6, dragged["y"] + dragged["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + box["width"] * 10 / 210, start[1] + box["height"] * 5 / 297, steps=8)
    page.mouse.up()
    assert abs(float(second.locator("[name$=-x]").input_value()) - (x + 10)) <= 0.5
    assert abs(float(second.locator("[name$=-y]").input_value()) - (y + 5)) <= 0.5

    # Its corner handle: wider by 100 mm (the address is long) and larger type.
    handle = page.locator(".oky-box--selected .oky-box__handle").bounding_box()
    page.mouse.move(handle["x"] + 3, handle["y"] + 3)
    page.mouse.down()
    page.mouse.move(
        handle["x"] + 3 + box["width"] * 100 / 210, handle["y"] + 3 + box["height"] * 1 / 297, steps=8
    )
    page.mouse.up()
    assert abs(float(second.locator("[name$=-width]").input_value()) - 140) <= 1
    assert float(second.locator("[name$=-size]").input_value()) > 10.5

    # Without the mouse: the arrow keys move a focused box by 0.5 mm, the numbers can be typed.
    before_x, before_y = (float(first.locator(f"[name$=-{name}]").input_value()) for name in ("x", "y"))
    page.locator(".oky-box[aria-label^='欄1：']").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    first_x = float(first.locator("[name$=-x]").input_value())
    assert first_x == pytest.approx(before_x + 0.5, abs=0.05)
    assert float(first.locator("[name$=-y]").input_value()) == pytest.approx(before_y + 5, abs=0.05)
    first.locator("[name$=-width]").fill("30")
    first.locator("[name$=-y]").fill("133.4")
    assert (
        page.locator(".oky-box[aria-label^='欄1：']")
        .get_attribute("aria-label")
        .endswith(f"（左{first_x:g}mm 上133.4mm）。矢印キーで移動、Deleteで削除")
    )

    # A third one placed and deleted with its × button.
    page.select_option("#oky-next-value", "visitor.phone")
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.1)
    assert row(page, 3).locator("[name$=-value]").input_value() == "visitor.phone"
    page.locator(".oky-box--selected .oky-box__delete").click()
    assert row(page, 3).locator("[name$=-DELETE]").is_checked()
    assert page.locator(".oky-box:not(.oky-box--fillable)").count() == 2
    screens.take(page, "forms-02-placing.png")

    # The preview prints it with the demo family: a long address in 6 pt would still be cut here.
    row(page, 2).locator("[name$=-width]").fill("20")
    page.click("input[name=_preview]")
    preview = page.locator("#oky-preview")
    preview.wait_for()
    assert "収まらない文字があります（1件）" in preview.inner_text()
    assert "2番目の欄（deceased.address）" in preview.inner_text()
    assert preview.locator("img.oky-preview__image").count() == 2
    page.wait_for_load_state("load")
    assert not ApplicationForm.objects.get(procedure__key="kaigo_loss").fields  # not saved by a preview
    screens.take(page, "forms-03-preview.png", full_page=True)

    row(page, 2).locator("[name$=-width]").fill("140")
    page.click("input[name=_save]")
    assert "印刷する欄を保存しました" in page.inner_text(".messagelist")
    fields = ApplicationForm.objects.get(procedure__key="kaigo_loss").fields
    assert [f["value"] for f in fields] == ["deceased.name", "deceased.address"]
    assert fields[0]["width"] == 30 and fields[0]["y"] == 133.4 and fields[1]["width"] == 140
    assert errors == []


def test_a_fillable_pdf_offers_its_fields_by_name(live_server, browser, city):
    page = log_in(browser, live_server, "form-editor")
    form = ApplicationForm.objects.get(procedure__key="gentsuki")
    page.goto(f"{live_server.url}/admin/procedures/procedure/{form.procedure_id}/forms/{form.pk}/")
    # A fillable field not filled yet shows dashed with its name; a click gives it the value chosen.
    assert page.locator(".oky-box--fillable", has_text="daihyo_shimei").count() == 0  # filled already
    free = page.locator(".oky-box--fillable", has_text="sozokunin1_shimei")
    assert free.count() == 1
    page.select_option("#oky-next-value", "visitor.name")
    free.click()
    added = page.locator(".oky-placement--selected")
    assert added.locator("[name$=-acroform]").input_value() == "sozokunin1_shimei"
    assert added.locator("[name$=-value]").input_value() == "visitor.name"
    assert added.locator("[name$=-x]").input_value() == ""


def test_the_counter_prints_the_forms_from_the_result_page(live_server, browser, city, screens, tmp_path):
    case = make_case(
        city, answers={"head_of_household": False, "insurance": "kokuho", "vehicles": ["gentsuki"]}
    )
    page = log_in(browser, live_server, "form-counter")
    page.goto(f"{live_server.url}/cases/{case.pk}/result/")
    section = page.locator(".oky-forms-print")
    assert "順路の手続きの申請書3様式" in section.inner_text()
    section.scroll_into_view_if_needed()  # below the route: the screenshot is of the window
    screens.take(page, "forms-04-counter.png")
    with page.expect_download() as download:
        section.locator("a", has_text="申請書を印刷（PDF）").click()
    target = Path(tmp_path) / "forms.pdf"
    download.value.save_as(target)
    with pdfplumber.open(io.BytesIO(target.read_bytes())) as pdf:
        assert len(pdf.pages) == 6
        assert "船橋 太郎" in pdf.pages[2].extract_text()
