"""The families' public pages: no login, the same questions and skip logic as the counter, the
answers only in the family's browser until they ask for a code, and nothing from elsewhere."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from core.limits import MAX_PUBLIC_BODY_BYTES
from okuyami.precheck.models import PrecheckCode
from procedures.answer_fields import UNKNOWN
from tests.conftest import build_catalog_document, fixture_document
from tests.precheck.conftest import ANSWERS, DEATH, Family

pytestmark = pytest.mark.django_db

PAGES = ["start", "death", "age", "answers", "result", "code"]


@pytest.fixture
def answered(family):
    family.walk()
    assert family.client.post(family.url("code-issue")).status_code == 302
    return family


@pytest.mark.parametrize("name", PAGES)
def test_every_page_answers_a_family_without_login(answered, name):
    response = answered.get(name)
    assert response.status_code == 200
    html = response.content.decode()
    assert "船橋市" in html and "ログアウト" not in html
    assert "お名前・住所・生年月日など、どなたかを特定する情報はお聞きしません" in html
    assert "no-store" in response["Cache-Control"]


def test_a_question_page_and_the_pdf_answer_without_login(answered):
    assert answered.get("question", "insurance").status_code == 200
    pdf = answered.get("checklist-pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="checklist-122041.pdf"'


def test_the_list_shows_only_municipalities_that_publish_their_page(client, public_city, city_b):
    html = client.get(reverse("precheck:index")).content.decode()
    assert reverse("precheck:start", args=["122041"]) in html
    assert "千代田区" not in html


# Every public URL of a municipality whose page is off, or of none: the public 404.
OFF_URLS = [
    ("start", ()),
    ("death", ()),
    ("age", ()),
    ("question", ("insurance",)),
    ("answers", ()),
    ("result", ()),
    ("checklist-pdf", ()),
    ("code", ()),
]


@pytest.mark.parametrize(("name", "args"), OFF_URLS)
@pytest.mark.parametrize("code", ["131016", "999999", "12204", "abc", "1220411"])
def test_a_municipality_whose_page_is_off_or_unknown_is_not_found(
    client, public_city, city_b, name, args, code
):
    response = client.get(reverse(f"precheck:{name}", args=[code, *args]))
    assert response.status_code == 404
    assert "この市区町村では事前確認を公開していないか" in response.content.decode()


@pytest.mark.parametrize("name", ["code-issue", "forget", "death"])
def test_posting_to_a_page_that_is_off_is_not_found_and_stores_nothing(client, city_a, name):
    response = client.post(reverse(f"precheck:{name}", args=[city_a.code]), {"answer": DEATH})
    assert response.status_code == 404
    assert not PrecheckCode.objects.exists() and "okuyami_check" not in response.cookies


def test_any_other_path_under_check_is_the_public_404(client, public_city):
    response = client.get("/check/122041/nothing/here/")
    assert response.status_code == 404
    assert "事前確認ができる市区町村の一覧" in response.content.decode()


def test_turning_the_page_off_hides_it_at_once(family, public_city):
    family.walk()
    public_city.precheck_enabled = False
    public_city.save()
    assert family.get("result").status_code == 404


# --- The questions: the counter's catalog, order, skip logic and わからない -----------------------


def test_the_date_of_death_and_the_age_come_before_the_catalogs_questions(family):
    start = family.get("start").content.decode()
    assert f'href="{family.url("death")}"' in start
    page = family.get("death")
    assert "亡くなった日はいつですか？" in page.content.decode()
    assert 'name="dont_know"' not in page.content.decode()  # the rules need it
    response = family.post(family.url("death"), DEATH)
    assert response["Location"] == family.url("age")
    response = family.post(family.url("age"), 78)
    assert response["Location"] == family.url("question", "head_of_household")


def test_the_age_is_not_asked_when_no_rule_reads_it(client, imported):
    document = build_catalog_document(
        municipality={"code": "131016", "name": "千代田区", "prefecture": "東京都"}
    )
    document["questions"] = [q for q in document["questions"] if q["key"] != "care"]
    for procedure in document["procedures"]:
        procedure["applies_if"] = {"koki_loss": "insurance == 'koki'", "kaigo_loss": "true"}.get(
            procedure["key"], procedure["applies_if"]
        )
    city = imported(document)
    city.precheck_enabled = True
    city.save()
    family = Family(city.code)
    response = family.post(family.url("death"), DEATH)
    assert response["Location"] == family.url("question", "head_of_household")
    assert family.get("age")["Location"] == family.url("question", "head_of_household")


def test_the_same_skip_logic_as_the_counter(family):
    asked = family.walk(age=78, answers={**ANSWERS, "head_of_household": False})
    assert "household_left" not in asked  # ask_if head_of_household == true
    assert "care" not in asked  # ask_if age >= 40 and age < 65
    family = Family(family.code)
    asked = family.walk(age=50)
    assert "household_left" in asked and "care" in asked


def test_wakaranai_is_offered_only_where_the_catalog_allows_it(family):
    family.post(family.url("death"), DEATH)
    family.post(family.url("age"), 78)
    head = family.get("question", "head_of_household").content.decode()
    assert UNKNOWN not in head  # allow_unknown: false
    insurance = family.get("question", "insurance").content.decode()
    assert f'value="{UNKNOWN}"' in insurance
    response = family.post(family.url("question", "head_of_household"), unknown=True)
    assert response.status_code == 200 and "回答を選択してください" in response.content.decode()


def test_a_question_not_asked_with_these_answers_goes_to_the_next_open_one(family):
    family.post(family.url("death"), DEATH)
    family.post(family.url("age"), 78)
    response = family.get("question", "care")  # only from 40 to 64
    assert response.status_code == 302 and response["Location"] == family.url("question", "head_of_household")
    assert family.get("question", "no_such_question").status_code == 302


def test_a_question_before_the_date_of_death_goes_to_it(family):
    assert family.get("question", "insurance")["Location"] == family.url("death")
    assert family.get("result")["Location"] == family.url("death")
    assert family.get("answers")["Location"] == family.url("death")


def test_changing_an_answer_from_the_check_page_returns_to_it(family):
    family.walk()
    response = family.client.post(family.url("question", "insurance") + "?from=answers", {"answer": "koki"})
    assert response["Location"] == family.url("answers")
    assert "後期高齢者医療" in family.get("answers").content.decode()


def test_the_back_link_leads_to_the_previous_page(family):
    family.walk()
    assert f'href="{family.url("age")}"' in family.get("question", "head_of_household").content.decode()
    assert f'href="{family.url("death")}"' in family.get("age").content.decode()
    assert f'href="{family.url("start")}"' in family.get("death").content.decode()


# --- Bad answers: a clear message, nothing changed ---------------------------------------------------

BAD = [
    ("death", "2100-01-01", "今日より後の日付は入力できません"),
    ("death", "2999-01-01", "1900年1月1日から2200年12月31日まで"),
    ("death", "1899-12-31", "1900年1月1日から2200年12月31日まで"),
    ("death", "11月20日", "「昭和19年10月15日」「S19.10.15」「1944-10-15」のように"),
    ("death", "平成40年1月1日", "平成は平成元年1月8日から平成31年4月30日までです"),
    ("death", "2026-02-30", "その日はカレンダーにありません"),
    ("death", "", "日付を入力してください"),
    ("age", "131", "130歳まで"),
    ("age", "-3", "0以上の整数"),
    ("age", "七十", "0以上の整数"),
    ("age", "9" * 400, "130歳まで"),
]


@pytest.mark.parametrize(("page", "value", "message"), BAD, ids=lambda v: str(v)[:20])
def test_a_bad_date_or_age_is_refused_with_a_message_and_changes_nothing(family, page, value, message):
    if page == "age":
        family.post(family.url("death"), DEATH)
    before = family.state
    response = family.client.post(family.url(page), {"answer": value})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html and "＊" in html
    assert re.search(r"<title>エラー：", html)
    assert 'aria-invalid="true"' in html and "oky-error-summary" in html
    assert family.state == before


def test_an_age_in_full_width_digits_is_read(family):
    family.post(family.url("death"), DEATH)
    assert family.post(family.url("age"), "７８").status_code == 302
    assert "78歳" in family.get("answers").content.decode()


def test_a_bad_choice_is_refused(family):
    family.walk()
    response = family.client.post(family.url("question", "insurance"), {"answer": "nonsense"})
    assert response.status_code == 200 and "エラー：" in response.content.decode()


# --- What is kept, and where -------------------------------------------------------------------------


def test_nothing_is_stored_on_the_server_until_a_code_is_asked_for(family):
    family.walk()
    family.get("result")
    family.get("checklist-pdf")
    assert not PrecheckCode.objects.exists()
    assert not Session.objects.exists()
    assert family.state  # the answers are in the family's browser


def test_the_cookie_is_signed_scoped_and_not_readable_by_scripts(family):
    response = family.post(family.url("death"), DEATH)
    cookie = response.cookies["okuyami_check"]
    assert cookie["path"] == "/check/122041/"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 7 * 24 * 3600
    assert "2026" not in cookie.value  # compressed and signed, not plain JSON


def test_a_tampered_cookie_is_a_fresh_start(family):
    family.walk()
    value = family.state
    family.client.cookies["okuyami_check"] = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    assert family.get("result")["Location"] == family.url("death")


def test_another_municipalitys_cookie_is_not_read(family, imported):
    family.walk()
    other = imported(
        build_catalog_document(municipality={"code": "131016", "name": "千代田区", "prefecture": "東京都"})
    )
    other.precheck_enabled = True
    other.save()
    stolen = family.state
    neighbour = Family(other.code)
    neighbour.client.cookies["okuyami_check"] = stolen
    assert neighbour.get("result")["Location"] == neighbour.url("death")


def test_every_answer_of_the_largest_catalog_fits_in_the_cookie(imported):
    city = imported(fixture_document("national-template.json"))
    city.precheck_enabled = True
    city.save()
    family = Family(city.code)
    asked = family.walk(age=50, answers={})
    assert len(asked) >= 40
    assert len(family.state) < 3000  # browsers keep at least 4,096 bytes a cookie


def test_forgetting_clears_the_cookie(family):
    family.walk()
    response = family.client.post(family.url("forget"))
    assert response["Location"] == family.url("start")
    assert response.cookies["okuyami_check"].value == ""
    assert family.get("result")["Location"] == family.url("death")


def test_no_page_asks_for_a_name_an_address_or_a_birth_date(answered):
    for name in PAGES:
        html = answered.get(name).content.decode()
        fields = set(re.findall(r'name="([^"]+)"', html))
        assert fields <= {"csrfmiddlewaretoken", "answer", "next", "dont_know", "viewport"}, (name, fields)
        assert not re.search(r"(氏名|住所を|生年月日を|電話番号を)入力", html)


def test_no_page_loads_anything_from_elsewhere(answered):
    for name in PAGES:
        html = answered.get(name).content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        outside = [s for s in sources if not s.startswith(("/", "#", "data:", "tel:"))]
        assert outside == [], (name, outside)
        assert "<script>" not in html and "style=" not in html


# --- CSRF and hostile input ----------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(public_city):
    family = Family(public_city.code, Client(enforce_csrf_checks=True))
    response = family.post(family.url("death"), DEATH)
    assert response.status_code == 403
    assert "okuyami_check" not in response.cookies


def test_a_post_with_the_token_from_the_page_is_taken(public_city):
    family = Family(public_city.code, Client(enforce_csrf_checks=True))
    html = family.get("death").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = family.client.post(family.url("death"), {"answer": DEATH, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.parametrize("size", [MAX_PUBLIC_BODY_BYTES + 1, 3 * 1024 * 1024])
def test_a_body_past_the_public_limit_is_refused_cleanly_and_changes_nothing(public_city, size):
    family = Family(public_city.code, Client(raise_request_exception=False))
    body = "answer=" + "x" * size
    response = family.client.post(family.url("death"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "送信された内容が大きすぎます" in response.content.decode()
    assert family.state == ""  # no answer kept, no cookie set


def test_too_many_fields_are_refused_cleanly(public_city):
    client = Client(raise_request_exception=False)
    body = "&".join(f"f{i}=1" for i in range(2000))
    response = client.post(
        reverse("precheck:death", args=[public_city.code]),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "data",
    [{"answer": "\x00"}, {"answer": "2026-02-30"}, {"answer": "2026-11-20T00:00"}, {}, {"dont_know": "1"}],
)
def test_odd_posts_to_the_date_of_death_answer_with_a_message(public_city, data):
    client = Client(raise_request_exception=False)
    response = client.post(reverse("precheck:death", args=[public_city.code]), data)
    assert response.status_code == 200
    assert "エラー：" in response.content.decode()


def test_an_odd_post_to_a_multi_question_is_refused(family):
    family.walk()
    response = family.client.post(family.url("question", "vehicles"), {"answer": ["gentsuki", "nope"]})
    assert response.status_code == 200 and "エラー：" in response.content.decode()


def test_a_get_with_a_bad_code_in_the_query_is_ignored(family):
    assert family.client.get(family.url("start") + "?code=%00%ff").status_code == 200


# --- Content-Security-Policy: every URL of the namespace, nothing inline ------------------------------

NOT_HTML = {"checklist-pdf", "code-issue", "forget"}  # a PDF and POSTs that redirect


def test_every_precheck_page_has_the_policy_and_nothing_inline(answered, alice):
    from tests.security.test_csp import check_headers, inline_code, url_names

    args = {"question": ["insurance"]}
    problems = []
    names = url_names("precheck")
    for name in names:
        if name == "index":
            url = reverse("precheck:index")
        elif name == "case-from-code":
            answered.client.force_login(alice)
            url = reverse("precheck:case-from-code")
        else:
            url = answered.url(name, *args.get(name, []))
        response = answered.client.get(url)
        check_headers(response, url)
        if name not in NOT_HTML:
            assert response.status_code == 200, url
            problems += [f"{url}: {found}" for found in inline_code(response.content.decode())]
    assert names and not problems, problems
