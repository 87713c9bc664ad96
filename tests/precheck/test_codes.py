"""受付コード: easy to read out, holding only the answers and the two facts, used once, expiring
after OKUYAMI_PRECHECK_DAYS and deleted by purge_cases."""

from datetime import timedelta
from io import StringIO

import pytest
import segno
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from okuyami.precheck import services
from okuyami.precheck.codes import ALPHABET, LENGTH, CodeUnreadable, new_code, read_code, shown
from okuyami.precheck.models import PrecheckCode
from okuyami.precheck.qr import qr_data_uri
from procedures.answer_fields import UNKNOWN
from tests.precheck.conftest import ANSWERS

# --- The code itself ---------------------------------------------------------------------------------


def test_a_code_is_nine_characters_of_an_alphabet_without_lookalikes():
    assert len(ALPHABET) == len(set(ALPHABET)) == 24
    assert not set("01OILSZBGUVQ") & set(ALPHABET)
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert len(ALPHABET) ** LENGTH > 2.6e12


def test_a_code_is_shown_in_three_groups():
    assert shown("K7M9PX3AE") == "K7M-9PX-3AE"


@pytest.mark.parametrize(
    "typed",
    [
        "K7M-9PX-3AE",
        "k7m9px3ae",
        "K7M 9PX 3AE",
        "Ｋ７Ｍ－９ＰＸ－３ＡＥ",
        " k7m ー 9px ー 3ae ",
        "K7M‐9PX‐3AE",
    ],
)
def test_a_code_is_read_however_it_is_typed(typed):
    assert read_code(typed) == "K7M9PX3AE"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "受付コードを入力してください"),
        ("K7M-9PX-3A", "9文字です（入力は8文字）"),
        ("K7M-9PX-3AEE", "9文字です（入力は10文字）"),
        ("K7M-9PX-3A0", "使わない文字「0」"),
        ("I0L-9PX-3AE", "使わない文字「0」、「I」、「L」"),
        ("受付コード", "使わない文字"),
        ("<script>", "使わない文字"),
    ],
)
def test_a_mistyped_code_names_the_problem(typed, message):
    with pytest.raises(CodeUnreadable, match=message):
        read_code(typed)


def test_the_qr_code_holds_the_code_and_nothing_else():
    data = qr_data_uri("K7M9PX3AE")
    assert data == segno.make("K7M-9PX-3AE", error="m", micro=False).svg_data_uri(border=4, omitsize=True)
    assert data != segno.make("K7M-9PX-3AE?", error="m", micro=False).svg_data_uri(border=4, omitsize=True)
    assert segno.make("K7M-9PX-3AE", error="m", micro=False).version == 1  # 21×21 modules: easy to scan


# --- What a code holds ---------------------------------------------------------------------------------


def test_the_code_model_holds_no_personal_details():
    fields = {f.name: type(f) for f in PrecheckCode._meta.concrete_fields}
    assert fields == {
        "id": models.BigAutoField,
        "municipality": models.ForeignKey,
        "code": models.CharField,
        "death_date": models.DateField,
        "age": models.PositiveSmallIntegerField,
        "answers": models.JSONField,
        "unknown": models.JSONField,
        "created_at": models.DateTimeField,
        "expires_at": models.DateTimeField,
        "used_at": models.DateTimeField,
        "case": models.OneToOneField,
    }
    forbidden = {"name", "kana", "address", "phone", "birth", "ip", "agent", "mail", "session", "device"}
    assert not [name for name in fields if set(name.split("_")) & forbidden]


@pytest.mark.django_db
def test_issuing_a_code_stores_only_the_answers_of_the_questions_asked_and_the_two_facts(family):
    family.walk(age=78, answers={**ANSWERS, "head_of_household": False})
    # An answer to a question no longer asked (household_left, after head_of_household: false).
    family.client.post(family.url("question", "head_of_household") + "?from=answers", {"answer": "yes"})
    family.client.post(family.url("question", "household_left") + "?from=answers", {"answer": "3"})
    family.client.post(family.url("question", "head_of_household") + "?from=answers", {"answer": "no"})
    response = family.client.post(family.url("code-issue"))
    assert response["Location"] == family.url("code")
    row = PrecheckCode.objects.get()
    assert row.municipality.code == "122041" and str(row.death_date) == "2026-11-20" and row.age == 78
    assert "household_left" not in row.answers
    assert row.answers["insurance"] == "kokuho" and row.answers["head_of_household"] is False
    assert row.unknown == ["pension"]
    assert row.expires_at - row.created_at == timedelta(days=14)
    assert shown(row.code) in family.get("code").content.decode()


@pytest.mark.django_db
def test_the_age_answered_wakaranai_is_stored_as_unknown(family):
    family.walk(age=UNKNOWN)
    family.client.post(family.url("code-issue"))
    assert PrecheckCode.objects.get().age is None


@pytest.mark.django_db
def test_changing_an_answer_after_the_code_withdraws_it(family):
    family.walk()
    family.client.post(family.url("code-issue"))
    first = PrecheckCode.objects.get()
    family.client.post(family.url("question", "insurance") + "?from=answers", {"answer": "koki"})
    assert not PrecheckCode.objects.exists()
    assert family.get("code")["Location"] == family.url("result")
    family.client.post(family.url("code-issue"))
    second = PrecheckCode.objects.get()
    assert second.code != first.code and second.answers["insurance"] == "koki"


@pytest.mark.django_db
def test_asking_again_replaces_the_familys_earlier_code(family):
    family.walk()
    family.client.post(family.url("code-issue"))
    first = PrecheckCode.objects.get().code
    family.client.post(family.url("code-issue"))
    assert list(PrecheckCode.objects.values_list("code", flat=True)) != [first]
    assert PrecheckCode.objects.count() == 1


@pytest.mark.django_db
def test_a_code_is_only_issued_after_the_date_of_death(family):
    response = family.client.post(family.url("code-issue"))
    assert response["Location"] == family.url("death")
    assert not PrecheckCode.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["answers", "result", "checklist-pdf"])
def test_the_pages_that_follow_from_the_answers_ask_the_date_of_death_first(family, page):
    response = family.get(page)
    assert response.status_code == 302 and response["Location"] == family.url("death")


@pytest.mark.django_db
def test_a_code_cannot_be_asked_for_by_get(family):
    family.walk()
    assert family.get("code-issue").status_code == 405
    assert not PrecheckCode.objects.exists()


@pytest.mark.django_db
def test_the_days_a_code_lives_come_from_the_setting(family, settings):
    settings.OKUYAMI_PRECHECK_DAYS = 3
    family.walk()
    family.client.post(family.url("code-issue"))
    row = PrecheckCode.objects.get()
    assert row.expires_at - row.created_at == timedelta(days=3)


# --- Expiry and purge ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_purge_cases_deletes_expired_codes_used_or_not_and_keeps_live_ones(family, public_city):
    family.walk()
    family.client.post(family.url("code-issue"))
    live = PrecheckCode.objects.get()
    now = timezone.now()
    expired = PrecheckCode.objects.create(
        municipality=public_city,
        code="AAAAAAAAA",
        death_date="2026-11-01",
        answers={"insurance": "koki"},
        created_at=now - timedelta(days=15),
        expires_at=now - timedelta(days=1),
    )
    used = PrecheckCode.objects.create(
        municipality=public_city,
        code="CCCCCCCCC",
        death_date="2026-11-01",
        created_at=now - timedelta(days=15),
        expires_at=now - timedelta(seconds=1),
        used_at=now - timedelta(days=10),
    )
    out = StringIO()
    call_command("purge_cases", stdout=out)
    assert "deleted 2 pre-check code(s) older than 14 days" in out.getvalue()
    assert list(PrecheckCode.objects.values_list("pk", flat=True)) == [live.pk]
    assert not PrecheckCode.objects.filter(pk__in=[expired.pk, used.pk]).exists()
    out = StringIO()
    call_command("purge_cases", stdout=out)
    assert "deleted 0 pre-check code(s)" in out.getvalue()


@pytest.mark.django_db
def test_codes_purge_counts_what_it_deleted(public_city):
    now = timezone.now()
    PrecheckCode.objects.create(
        municipality=public_city, code="EEEEEEEEE", death_date="2026-11-01", created_at=now, expires_at=now
    )
    assert services.codes_purge(now=now + timedelta(seconds=1)) == 1
    assert services.codes_purge(now=now + timedelta(seconds=1)) == 0
