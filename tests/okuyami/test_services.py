"""The case services validate their input and write their own audit records, whoever calls them."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEvent
from okuyami import services
from okuyami.guide import procedure_count
from okuyami.models import Case
from okuyami.selectors import interview_for
from procedures.evaluation import CaseInvalid
from tests.conftest import CASE_DETAILS, make_case

pytestmark = pytest.mark.django_db

DETAILS = {**CASE_DETAILS, "appointment_at": None}  # what the reception form gives


def recorded() -> list[tuple[str, str]]:
    """What was recorded about cases (importing the catalog records a catalog change too)."""
    cases = AuditEvent.objects.exclude(action=AuditEvent.Action.CATALOG_CHANGE)
    return list(cases.order_by("id").values_list("action", "detail"))


def test_every_case_service_records_itself_with_who_did_it(alice, city_a):
    case = services.case_create(municipality=city_a, user=alice, data=DETAILS)
    services.case_update(case=case, user=alice, data={**DETAILS, "visitor_phone": "047-000-0001"}, version=1)
    question = interview_for(case).catalog.question_by_key["insurance"]
    services.case_answer(case=case, user=alice, question=question, value="koki")
    services.case_set_answers(
        case=case, user=alice, answers={"insurance": "kokuho"}, unknown=[], version=case.version
    )
    services.case_adjust(case=case, user=alice, procedure_key="gentsuki", action="add")
    case.refresh_from_db()
    services.case_finalise(case=case, user=alice, version=case.version, channel=services.API)
    services.case_mark(case=case, user=alice, procedure_key="gentsuki", status="done")
    assert recorded() == [
        ("change", "受付を作成"),
        ("change", "受付の内容を変更"),
        ("change", "回答を保存（亡くなった方の健康保険は？）"),
        ("change", "回答を保存（API）"),
        ("change", "手続きの追加（原付の廃車）"),
        ("change", f"結果を確定（手続き{procedure_count(case.snapshot)}件）（API）"),
        ("change", "窓口の処理（原付の廃車：完了）"),
    ]
    cases = AuditEvent.objects.exclude(action=AuditEvent.Action.CATALOG_CHANGE)
    assert set(cases.values_list("username", "case_id")) == {("alice", case.pk)}


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"deceased_kana": "Funabashi"}, "deceased_kana", "kana"),
        ({"visitor_phone": "tel"}, "visitor_phone", "phone"),
        ({"death_date": timezone.localdate() + timedelta(days=1)}, "death_date", "future"),
        ({"deceased_birth_date": date(2026, 11, 21)}, "deceased_birth_date", "after_death"),
    ],
)
def test_create_and_update_refuse_details_that_break_the_models_rules(alice, city_a, changes, field, code):
    with pytest.raises(ValidationError) as refused:
        services.case_create(municipality=city_a, user=alice, data={**DETAILS, **changes})
    assert [error.code for error in refused.value.error_dict[field]] == [code]
    assert not Case.objects.exists()
    case = services.case_create(municipality=city_a, user=alice, data=DETAILS)
    with pytest.raises(ValidationError):
        services.case_update(case=case, user=alice, data={**DETAILS, **changes}, version=case.version)
    assert Case.objects.get().version == 1
    assert recorded() == [("change", "受付を作成")]


def test_set_answers_checks_the_answers_against_the_catalog(alice, city_a):
    case = make_case(city_a)
    with pytest.raises(CaseInvalid) as refused:
        services.case_set_answers(
            case=case, user=alice, answers={"insurance": "kokuhoo", "nope": 1}, unknown=[], version=1
        )
    assert [error.split(":")[0] for error in refused.value.errors] == ["answers.insurance", "answers.nope"]
    case.refresh_from_db()
    assert (case.answers, case.version) == ({}, 1)
    assert recorded() == []


# --- The interview: its way through the questions ---------------------------------------------------


def test_the_interview_knows_its_next_previous_and_first_unanswered_question(city_a):
    case = make_case(city_a, answers={"head_of_household": False, "insurance": "koki"}, unknown=["pension"])
    interview = interview_for(case)
    keys = [q.key for q in interview.questions]
    # Born 1945: `care` (40 to 64) is not asked; not the head: `household_left` neither.
    assert keys == ["head_of_household", "insurance", "pension", "vehicles", "moved_in"]
    assert interview.answered_count == 3
    assert interview.first_unanswered().key == "vehicles"
    assert interview.previous("insurance").key == "head_of_household"
    assert interview.previous("head_of_household") is None
    assert interview.following("insurance").key == "pension"
    assert interview.following("insurance", unanswered_only=True).key == "vehicles"
    assert interview.following("moved_in") is None
    # A question no longer asked (answered before an earlier answer changed) leads to the first.
    assert interview.following("household_left").key == "head_of_household"
