"""What the counter types and asks for the demo's typical case, by hand and from the records.

The figures of the README (「窓口の手間」) are these tests' own: each walks the screens through
HTTP as a clerk would, counting the fields the clerk fills in, the pages of questions shown and
the questions the family answers. The typical case is the sample city's 見本 太郎 (the demo
extract, fixtures/residents/sample-city): 82, the 世帯主, his wife remaining, 後期高齢者医療,
印鑑登録, a 介護 certificate, a house, and in the sample city's own registers a water contract, a
マイナンバーカード and 住民税 (tests/okuyami/conftest.py's TYPICAL_RECORDS). `FAMILY` is what
the family says when asked; a question it has no answer for here is answered 「いいえ」 or, for
a list, nothing ticked.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.models import StaffMembership
from okuyami.models import Case
from okuyami.residents.sample import SAMPLE_EXTRACT
from okuyami.residents.services import extract_import
from okuyami.selectors import case_input
from procedures.evaluation import asked_questions
from procedures.selectors import catalog_for
from tests.conftest import fixture_document, import_catalog
from tests.okuyami.conftest import TYPICAL_RECORDS

pytestmark = pytest.mark.django_db

FAMILY = {
    "head_of_household": "yes",
    "household_remaining": "1",
    "insurance": "koki",
    "funeral_held": True,
    "funeral_date": "2026-11-24",
    "pension": "kosei",
    "kosei_years": "over25",
    "dai1_months": "0",
    "same_livelihood": True,
    "survivor_spouse": True,
    "seal_registration": True,
    "mynumber_card": True,
    "resident_tax": True,
    "real_estate": True,
    "bank_accounts": True,
    "utilities": ["denki", "gas"],
    "will": "none",
    "municipal_housing": "no",
    "water_contract": True,
    "residence_card": "japanese",
}
# The 受付 by hand: what the family tells (and the 住民票 they bring shows).
BY_HAND = {
    "deceased_name": "見本 太郎",
    "deceased_kana": "ミホン タロウ",
    "deceased_birth_date": "1944-01-03",
    "death_date": "2026-11-20",
    "deceased_address": "見本県みほん市北町3丁目28番13号",
    "visitor_name": "見本 花子",
    "visitor_kana": "ミホン ハナコ",
    "visitor_relation": "配偶者",
    "visitor_phone": "000-000-1234",
}
DECEASED = ("deceased_name", "deceased_kana", "deceased_birth_date", "death_date", "deceased_address")

# The figures of the README.
BY_HAND_FIELDS = 9  # 8 typed and the relation chosen
BY_HAND_QUESTIONS = 45  # asked of the family, one a page before runs of yes/no questions shared one
BY_HAND_PAGES = 27  # the same 45 questions, runs of yes/no questions on one page
SEARCH_FIELDS = 2  # カナ and 死亡日, to find him in the records
RECORDS_DECEASED_FIELDS = 0  # the deceased's five fields come from the records
RECORDS_FIELDS = 1  # the visitor's phone; the visitor herself is picked from the household
RECORDS_QUESTIONS = 30  # asked of the family
RECORDS_PAGES = 18
# The 15 questions asked of him that the records answer, as the family answers them by hand
# (the records also answer 15歳以上 and 介護, not asked of him).
RECORDS_ANSWERS = {
    key: value for key, value in TYPICAL_RECORDS.items() if key not in ("household_adults", "care_certified")
}


@pytest.fixture
def clerk(db):
    municipality = import_catalog(fixture_document("sample-city.json"))
    extract_import(municipality=municipality, source=SAMPLE_EXTRACT, actor="test")
    user = get_user_model().objects.create_user("clerk", password="pass-clerk")
    StaffMembership.objects.create(user=user, municipality=municipality, role="counter")
    return user


def interview(client, case: Case) -> tuple[int, int]:
    """Walk the interview from its first page to the check page as the family answers:
    (pages shown, questions the family answered)."""
    url = client.get(reverse("okuyami:questions", args=[case.pk])).url
    pages = questions = 0
    while "/questions/" in url:
        form = client.get(url).context["form"]
        pages += 1
        if hasattr(form, "rows"):  # a page of yes/no questions: tick what applies
            data = {"keys": form.fields["keys"].initial}
            data |= {q.key: "on" for q in form.questions if FAMILY.get(q.key) is True}
            questions += len(form.questions)
        else:
            q = form.question
            answer = FAMILY.get(q.key, [] if q.type == "multi" else False)
            data = {"answer": ("yes" if answer else "no") if isinstance(answer, bool) else answer}
            questions += 1
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.context["form"].errors)
        url = response.url
        assert pages < 80, "the interview never ended"
    assert url == reverse("okuyami:answers", args=[case.pk])
    return pages, questions


def asked_now(case: Case) -> dict:
    """The answers of the questions asked now (the case as stored)."""
    case.refresh_from_db()
    catalog = catalog_for(municipality=case.municipality)
    return {q.key: case.answers.get(q.key) for q in asked_questions(catalog, case_input(case, catalog))}


def test_by_hand(client, clerk):
    client.force_login(clerk)
    form = client.get(reverse("okuyami:case-create")).context["form"]
    filled = {name: value for name, value in BY_HAND.items() if name in form.fields}
    assert len(filled) == BY_HAND_FIELDS
    assert client.post(reverse("okuyami:case-create"), filled).status_code == 302
    case = Case.objects.get()
    assert interview(client, case) == (BY_HAND_PAGES, BY_HAND_QUESTIONS)
    asked = asked_now(case)
    assert len(asked) == BY_HAND_QUESTIONS and None not in asked.values()  # each answered by the family
    assert {key: asked[key] for key in RECORDS_ANSWERS} == RECORDS_ANSWERS


def test_from_the_records(client, clerk):
    client.force_login(clerk)
    search = {"kana": "ミホン タロウ", "death_date": BY_HAND["death_date"]}
    assert len(search) == SEARCH_FIELDS
    result = client.post(reverse("okuyami:case-records"), search).context["result"]
    (hit,) = [hit for hit in result.hits if hit.deceased]
    page = client.post(reverse("okuyami:case-from-record"), {"atena_number": hit.atena_number})
    form = page.context["form"]
    shown = {name: form[name].value() for name in form.fields}
    # The deceased as the family would have told him, without a key pressed.
    assert {name: str(shown[name]) for name in DECEASED} == {name: BY_HAND[name] for name in DECEASED}
    typed = {"visitor_phone": BY_HAND["visitor_phone"]}
    (wife,) = [value for value, label in form.fields["visitor_member"].choices if "見本 花子" in label]
    sent = {name: value for name, value in shown.items() if value not in (None, "")}
    response = client.post(
        reverse("okuyami:case-from-record"), {**sent, **typed, "visitor_member": wife, "create": "1"}
    )
    assert response.status_code == 302
    assert (len(typed), RECORDS_DECEASED_FIELDS) == (RECORDS_FIELDS, 0)
    case = Case.objects.get()
    entered = {name: BY_HAND[name] for name in ("visitor_name", "visitor_kana", "visitor_relation")}
    assert {name: getattr(case, name) for name in entered} == entered
    assert interview(client, case) == (RECORDS_PAGES, RECORDS_QUESTIONS)
    # The same questions are asked of him as by hand; the records answered the rest, as the family would.
    asked = asked_now(case)
    assert len(asked) == BY_HAND_QUESTIONS == RECORDS_QUESTIONS + len(RECORDS_ANSWERS)
    assert {key: asked[key] for key in asked if key in case.prefilled} == RECORDS_ANSWERS
