"""Dates typed the way families say them, on the counter screens and the case API, and the age
read back (issue #15, item 9)."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from okuyami.models import Case
from tests.conftest import case_form_data, make_case

pytestmark = pytest.mark.django_db


def post_reception(client, user, birth: str, death: str, **options):
    """`user` posts the reception form of make_case's case with the two dates as typed."""
    client.force_login(user)
    form = case_form_data(deceased_birth_date=birth, death_date=death)
    return client.post(reverse("okuyami:case-create"), form, **options)


@pytest.mark.parametrize(
    ("birth", "death"),
    [
        ("昭和19年10月15日", "令和8年11月20日"),
        ("S19.10.15", "R8.11.20"),
        ("Ｓ１９．１０．１５", "２０２６－１１－２０"),
        ("1944/10/15", "2026年11月20日"),
    ],
)
def test_the_reception_form_reads_wareki_and_reads_the_age_back(client, alice, city_a, birth, death):
    response = post_reception(client, alice, birth, death, follow=True)
    case = Case.objects.get()
    assert (case.deceased_birth_date, case.death_date) == (date(1944, 10, 15), date(2026, 11, 20))
    assert "昭和19年10月15日生まれ、82歳で亡くなられました。" in response.content.decode()
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "82歳で亡くなられました" in detail


def test_the_form_shows_dates_back_in_wareki_with_a_hint(client, alice, city_a):
    case = make_case(city_a, deceased_birth_date=date(1944, 10, 15))
    client.force_login(alice)
    html = client.get(reverse("okuyami:case-edit", args=[case.pk])).content.decode()
    assert 'value="昭和19年10月15日"' in html and 'value="令和8年11月20日"' in html
    assert 'type="date"' not in html
    assert "和暦でも西暦でも入力できます（例：昭和19年10月15日、S19.10.15、1944-10-15）。" in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("平成31年5月1日", "平成は平成元年1月8日から平成31年4月30日までです。年を確かめてください。"),
        ("S19.2.30", "その日はカレンダーにありません"),
        ("昭和十九年", "「昭和19年10月15日」「S19.10.15」「1944-10-15」のように入力してください"),
    ],
)
def test_a_date_that_is_not_a_day_is_named_and_kept_as_typed(client, alice, city_a, typed, message):
    response = post_reception(client, alice, typed, "R8.11.20")
    html = response.content.decode()
    assert response.status_code == 200 and message in html and f'value="{typed}"' in html
    assert 'href="#id_deceased_birth_date"' in html
    assert not Case.objects.exists()


def test_a_date_question_reads_wareki_and_stores_iso(client, alice, city_a):
    case = make_case(city_a)
    client.force_login(alice)
    url = reverse("okuyami:question", args=[case.pk, "moved_in"])
    assert client.post(url, {"answer": "令和8年1月15日"}).status_code == 302
    case.refresh_from_db()
    assert case.answers["moved_in"] == "2026-01-15"
    html = client.get(url).content.decode()
    assert 'value="令和8年1月15日"' in html and "和暦でも西暦でも入力できます" in html


def test_the_case_api_keeps_to_iso_dates_as_its_schema_says(alice):
    """和暦 is for people typing at the counter; the API's dates are YYYY-MM-DD as its schema's
    pattern states, and anything else is refused in English, naming the field."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    body = case_form_data(deceased_birth_date="1944-10-15")
    created = client.post("/api/v1/cases/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["deceased_birth_date"] == "1944-10-15"
    refused = client.post("/api/v1/cases/", {**body, "deceased_birth_date": "S19.10.15"}, format="json")
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert error["field"] == "deceased_birth_date" and "YYYY-MM-DD" in error["message"]
