"""Deadlines on the real printed PDFs: months as the law counts them, rules without a date, notes."""

from datetime import date

import pytest

from okuyami import printing
from okuyami.display import deadline_aside, deadline_words
from okuyami.guide import AdjustmentAction, ManualChange
from tests.okuyami.conftest import PEOPLE, guide_for, page_texts, read_pdf

PRINTED_ON = date(2026, 2, 10)


def pdf_text(document: str, guide: dict, large: bool = False) -> str:
    data = printing.render_pdf(document, guide=guide, people=PEOPLE, printed_on=PRINTED_ON, large=large)
    return "".join(page_texts(read_pdf(data))).replace(" ", "").replace("\n", "")


def test_a_death_on_1_february_2026_prints_sozoku_hoki_on_1_may():
    """3か月 is 2026-05-01 (Friday), not 90 days later (2026-05-07, after Golden Week)."""
    guide = guide_for({"deceased": {"death_date": "2026-02-01"}, "answers": {"renunciation": True}})
    for document, large in (("checklist", False), ("checklist", True), ("route", False)):
        text = pdf_text(document, guide, large)
        assert "相続放棄・限定承認の申述" in text, document
        assert "令和8年5月1日（金）" in text or "令和8年5月1日(金)" in text, (document, large)
        assert "令和8年5月7日" not in text, document
    # The 家庭裁判所 is not the municipality's: the 共通申請書 names it among the other offices only.
    application = pdf_text("application", guide, False)
    assert "相続放棄・限定承認の申述" not in application and "家庭裁判所" in application


def test_a_rule_from_an_unanswered_date_prints_what_it_counts_from():
    case = {
        "deceased": {"death_date": "2026-02-01", "birth_date": "1940-01-01"},
        "answers": {"insurance": "kokuho", "funeral_held": True},
        "unknown": ["funeral_date"],
    }
    text = pdf_text("checklist", guide_for(case))
    assert "国民健康保険の葬祭費の支給申請" in text
    assert "葬儀（火葬のみの場合は火葬）を行った日の翌日から2年" in text


def test_a_funeral_date_prints_two_years_from_the_funeral():
    case = {
        "deceased": {"death_date": "2026-02-01", "birth_date": "1940-01-01"},
        "answers": {"insurance": "kokuho", "funeral_held": True, "funeral_date": "2026-02-05"},
    }
    text = pdf_text("checklist", guide_for(case))
    assert "令和10年2月7日（月）" in text or "令和10年2月7日(月)" in text  # 2028-02-05 is a Saturday


def test_a_procedure_with_only_a_note_prints_the_note_not_no_deadline():
    guide = guide_for({"deceased": {"death_date": "2026-02-01"}, "answers": {"seal_registration": True}})
    text = pdf_text("checklist", guide)
    seal = text[text.index("印鑑登録証の返却") :]
    assert seal.index("速やかに") < seal.index("要確認")  # in its deadline column
    assert text.count("期限の定めなし") == 1  # 戸籍謄本の請求 alone: no deadline and no note


def test_an_old_snapshot_without_the_new_fields_still_prints():
    guide = guide_for({"deceased": {"death_date": "2026-02-01"}, "answers": {"seal_registration": True}})
    for stop in guide["stops"]:
        for procedure in stop["procedures"]:
            procedure.pop("deadline_rule")
    guide["version"] = 1
    assert "印鑑登録証の返却" in pdf_text("checklist", guide)


def test_a_procedure_added_at_the_counter_gets_its_deadline_from_the_answers():
    case = {
        "deceased": {"death_date": "2026-02-01"},
        "answers": {"funeral_held": True, "funeral_date": "2026-02-05"},
    }
    guide = guide_for(case, (ManualChange("kokuho_sosaihi", AdjustmentAction.ADD),))
    (entry,) = [p for s in guide["stops"] for p in s["procedures"] if p["key"] == "kokuho_sosaihi"]
    assert entry["deadline"] == "2028-02-07"


@pytest.mark.parametrize(
    ("procedure", "words", "aside"),
    [
        ({"deadline": "2026-05-01", "deadline_rule": "", "deadline_note": "3か月以内"}, "", "3か月以内"),
        ({"deadline": None, "deadline_rule": "葬儀を行った日の翌日から2年", "deadline_note": "時効"},
         "葬儀を行った日の翌日から2年", "時効"),
        ({"deadline": None, "deadline_rule": "", "deadline_note": "速やかに"}, "速やかに", ""),
        ({"deadline": None, "deadline_rule": "", "deadline_note": ""}, "", ""),
        ({"deadline": None, "deadline_note": "速やかに"}, "速やかに", ""),  # a guide of version 1
    ],
)  # fmt: skip
def test_what_stands_for_a_missing_date_and_the_note_beside_it(procedure, words, aside):
    assert deadline_words(procedure) == words
    assert deadline_aside(procedure) == aside
