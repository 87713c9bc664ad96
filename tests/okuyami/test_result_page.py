"""The result page for explaining to the family (issue #15, item 6) and the two notes of an 追加 or
除外 (item 4): what the family is told is printed, the staff's memo never is."""

import re

import pytest
from django.urls import reverse

from okuyami import printing, selectors, services
from okuyami.models import Adjustment
from tests.conftest import make_case
from tests.okuyami.conftest import page_texts, read_pdf, squeeze

pytestmark = pytest.mark.django_db

FAMILY, MEMO = "勤務先にもご連絡ください", "花子さんは耳が遠いので筆談で"
DROP_FAMILY, DROP_MEMO = "登録がないことを確認しました", "本人確認済み・二重登録の疑い"


@pytest.fixture
def case(city_a):
    return make_case(city_a, answers={"insurance": "koki", "head_of_household": False}, unknown=["pension"])


def test_each_procedure_has_one_control_that_opens_in_place(client, alice, case):
    client.force_login(alice)
    html = client.get(reverse("okuyami:result", args=[case.pk])).content.decode()
    route = html.split('id="route"')[1].split('id="maybe"')[0]
    procedures = re.findall(r'<li class="oky-procedure" id="procedure-(\w+)" tabindex="-1">', route)
    assert procedures == selectors.guide_procedure_keys(selectors.guide_for(case))
    for key in procedures:
        item = route.split(f'id="procedure-{key}"')[1].split('class="oky-procedure"')[0]
        assert item.count("<details") == 1 and item.count("<summary>") == 1, key
        # Inside the details, nothing to tab through until it is opened.
        assert item.index("<details") < item.index("<form") < item.index("</details>")
    # 手続きを追加 starts with no procedure chosen.
    select = html.split('id="add-procedure"')[1].split("</select>")[0]
    assert re.search(r'<option value="" selected>選択してください</option>', select)
    assert select.count("selected") == 1


def test_a_change_names_the_procedure_beside_it_and_returns_there(client, alice, case):
    client.force_login(alice)
    url = reverse("okuyami:adjust", args=[case.pk])
    response = client.post(url, {"procedure": "seal", "action": "drop", "family_note": DROP_FAMILY})
    assert response["Location"] == reverse("okuyami:result", args=[case.pk]) + "#procedure-seal"
    html = client.get(response["Location"]).content.decode()
    item = html.split('id="procedure-seal"')[1].split("</li>")[0]
    assert "「印鑑登録証の返却」を除外しました。" in item and 'role="status"' in item
    assert "oky-messages" not in html  # not at the top, where focus would not be
    added = client.post(url, {"procedure": "gentsuki", "action": "add"})
    html = client.get(added["Location"]).content.decode()
    assert added["Location"].endswith("#procedure-gentsuki")
    assert (
        "「原付の廃車」を対象として追加しました。"
        in html.split('id="procedure-gentsuki"')[1].split("</li>")[0]
    )


def test_adding_without_choosing_a_procedure_says_so_beside_the_form(client, alice, case):
    client.force_login(alice)
    response = client.post(reverse("okuyami:adjust", args=[case.pk]), {"procedure": "", "action": "add"})
    assert response["Location"].endswith("#procedure-_add")
    html = client.get(response["Location"]).content.decode()
    add = html.split('id="procedure-_add"')[1].split("</details>")[0]
    assert "追加する手続きを選んでください。" in add
    assert re.search(r'<details class="oky-change oky-add" id="procedure-_add" tabindex="-1" open>', html)
    assert not Adjustment.objects.exists()


def test_a_finalised_result_has_no_forms(client, alice, case):
    services.case_finalise(case=case, user=alice, version=case.version)
    client.force_login(alice)
    html = client.get(reverse("okuyami:result", args=[case.pk])).content.decode()
    assert reverse("okuyami:adjust", args=[case.pk]) not in html
    assert reverse("okuyami:finalise", args=[case.pk]) not in html
    assert reverse("okuyami:reopen", args=[case.pk]) in html


def test_family_text_is_printed_for_both_and_the_staff_memo_never(client, alice, case):
    for key, action, family, memo in (
        ("gentsuki", "add", FAMILY, MEMO),
        ("seal", "drop", DROP_FAMILY, DROP_MEMO),
    ):
        services.case_adjust(
            case=case, user=alice, procedure_key=key, action=action, family_note=family, staff_note=memo
        )
    client.force_login(alice)
    screen = client.get(reverse("okuyami:result", args=[case.pk])).content.decode()
    for text in (FAMILY, MEMO, DROP_FAMILY, DROP_MEMO):
        assert text in screen  # staff see both
    assert "職員メモ（印刷されません）" in screen and "ご家族への説明（印刷されます）" in screen
    services.case_finalise(case=case, user=alice, version=case.version)
    people = selectors.people_for(case)
    for document in printing.DOCUMENTS:
        html = printing.render_html(document, guide=case.snapshot, people=people, printed_on=case.death_date)
        assert MEMO not in html and DROP_MEMO not in html, document
    checklist = "".join(
        page_texts(
            read_pdf(
                printing.render_pdf(
                    "checklist", guide=case.snapshot, people=people, printed_on=case.death_date
                )
            )
        )
    )
    assert squeeze(FAMILY) in checklist and squeeze(DROP_FAMILY) in checklist
    assert squeeze(MEMO) not in checklist and squeeze(DROP_MEMO) not in checklist
    assert MEMO not in str(case.snapshot) and DROP_MEMO not in str(case.snapshot)
