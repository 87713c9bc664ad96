"""Migrations okuyami 0006 and 0007 on cases written before them (issue #15, items 1, 2 and 4).

The database is taken back to okuyami 0005, filled there through the historical models (a
finalised case whose only unmarked procedure is at an outside office, one waiting on 後日, and
notes in the old single field), and migrated forward again.
"""

from datetime import UTC, datetime

import pytest

from okuyami.models import Adjustment, Case, Finalisation
from tests.migrating import historical_city, latest, migrate, migrated_back

BEFORE = [
    ("okuyami", "0005_case_date_ranges"),
    ("procedures", "0006_urls_and_string_literals_as_the_contract_says"),
]
FINALISED_AT = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # 10:30 in Japan
MARKED_AT = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def snapshot(*stops) -> dict:
    """A guide of version 2: its stops have no `outside`."""
    return {
        "version": 2,
        "municipality": {"code": "122041", "name": "船橋市", "prefecture": "千葉県"},
        "death_date": "2026-11-18",
        "stops": [
            {
                "counter": counter,
                "name": counter,
                "place": place,
                "place_name": place,
                "procedures": [{"key": key, "name": key, "deadline": None} for key in keys],
            }
            for counter, place, keys in stops
        ],
        "maybe": [],
        "dropped": [],
    }


def fill(apps) -> dict[str, int]:
    city = historical_city(apps)
    places = apps.get_model("procedures", "Place")
    places.objects.create(municipality=city, key="main", name="本庁舎", order=1)
    places.objects.create(municipality=city, key="nenkin", name="年金事務所", order=2, outside=True)
    user = apps.get_model("auth", "User").objects.create(username="alice")
    case_model, mark = apps.get_model("okuyami", "Case"), apps.get_model("okuyami", "Mark")
    details = {
        "municipality": city,
        "deceased_name": "移行 太郎",
        "deceased_kana": "イコウ タロウ",
        "death_date": "2026-11-18",
        "visitor_name": "移行 花子",
        "visitor_kana": "イコウ ハナコ",
        "visitor_relation": "配偶者",
        "visitor_phone": "047-000-0000",
        "status": "finalised",
        "finalised_at": FINALISED_AT,
        "finalised_by": user,
    }
    route = snapshot(("shimin", "main", ["seal"]), ("nenkin_office", "nenkin", ["pension"]))
    waiting_outside = case_model.objects.create(**details, snapshot=route)
    mark.objects.create(case=waiting_outside, procedure_key="seal", status="done", marked_by=user)
    later = case_model.objects.create(**details, snapshot=route)
    mark.objects.create(case=later, procedure_key="seal", status="later", marked_by=user)
    mark.objects.filter(case=later).update(marked_at=MARKED_AT)
    gone_place = snapshot(("shimin", "main", ["seal"]), ("closed", "no_longer_there", ["old"]))
    unknown_place = case_model.objects.create(**details, snapshot=gone_place)
    mark.objects.create(case=unknown_place, procedure_key="seal", status="done", marked_by=user)
    open_case = case_model.objects.create(**{**details, "status": "open", "finalised_at": None})
    adjustment = apps.get_model("okuyami", "Adjustment")
    adjustment.objects.create(case=open_case, procedure_key="seal", action="drop", note="職員向けの覚え書き")
    adjustment.objects.create(case=open_case, procedure_key="gentsuki", action="add", note="")
    return {
        "outside": waiting_outside.pk,
        "later": later.pk,
        "unknown": unknown_place.pk,
        "open": open_case.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_old_cases_gain_outside_stops_editions_and_staff_memos():
    with migrated_back(BEFORE) as apps:
        ids = fill(apps)
        migrate(latest())
        outside = Case.objects.get(pk=ids["outside"])
        # Only the 年金事務所 was left: guidance only, so the relay is done.
        assert outside.status == Case.Status.DONE
        assert [stop["outside"] for stop in outside.snapshot["stops"]] == [False, True]
        assert (outside.snapshot["edition"], outside.snapshot["finalised_on"]) == (1, "2026-11-20")
        first = Finalisation.objects.get(case=outside)
        assert (first.edition, first.finalised_at, first.guide) == (1, FINALISED_AT, outside.snapshot)
        assert first.finalised_by.username == "alice"
        later = Case.objects.get(pk=ids["later"])
        assert (later.status, later.later_since) == (Case.Status.FINALISED, MARKED_AT)
        # A place no longer in the catalog counts as the city's own: nothing closes by accident.
        unknown = Case.objects.get(pk=ids["unknown"])
        assert unknown.status == Case.Status.FINALISED and unknown.later_since is None
        memos = dict(Adjustment.objects.values_list("procedure_key", "staff_note"))
        assert memos == {"seal": "職員向けの覚え書き", "gentsuki": ""}
        assert set(Adjustment.objects.values_list("family_note", flat=True)) == {""}
        assert not Finalisation.objects.filter(case_id=ids["open"]).exists()
        # And back: the staff memo returns to the one note.
        old = migrate(BEFORE)
        notes = dict(old.get_model("okuyami", "Adjustment").objects.values_list("procedure_key", "note"))
        assert notes == {"seal": "職員向けの覚え書き", "gentsuki": ""}
