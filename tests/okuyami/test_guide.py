"""The guide (pure): outside stops, editions and what a correction changed."""

from datetime import date

from okuyami.guide import GUIDE_VERSION, correction_of, finalised_guide, guide_changes, is_outside
from tests.okuyami.conftest import FORTY_CASE, guide_for


def test_stops_at_offices_that_are_not_the_municipalitys_are_marked_outside():
    guide = guide_for(FORTY_CASE)
    assert guide["version"] == GUIDE_VERSION == 3
    outside = {stop["counter"] for stop in guide["stops"] if is_outside(stop)}
    own = {stop["counter"] for stop in guide["stops"] if not is_outside(stop)}
    # The national template marks 年金事務所, 税務署, 法務局 … outside; 戸籍住民課 and 保険年金課 are its own.
    assert {"nenkin_jimusho", "zeimusho"} <= outside and {"shimin", "hoken_nenkin"} <= own
    assert is_outside({"counter": "x"}) is False  # a guide of version 2 before its migration


def test_a_guide_finalised_again_is_a_correction_with_its_day():
    guide = guide_for(FORTY_CASE)
    assert correction_of(guide) is None and correction_of(None) is None
    assert correction_of(finalised_guide(guide, edition=1, on=date(2026, 11, 20))) is None
    second = finalised_guide(guide, edition=2, on=date(2026, 11, 27))
    assert correction_of(second) == {"edition": 2, "on": date(2026, 11, 27)}
    assert "edition" not in guide  # a copy: the live guide is untouched


def test_a_correction_names_what_it_added_and_dropped():
    before = guide_for({**FORTY_CASE, "answers": {**FORTY_CASE["answers"]}})
    after = guide_for({**FORTY_CASE, "answers": {**FORTY_CASE["answers"], "vehicles": []}})
    changes = guide_changes(before, after)
    assert changes["added"] == [] and changes["dropped"]
    assert guide_changes(after, before) == {"added": changes["dropped"], "dropped": []}
    assert guide_changes(before, before) == {"added": [], "dropped": []}
