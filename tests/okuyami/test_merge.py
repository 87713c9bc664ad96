"""Two counters saved the same 受付: each field compared three ways (okuyami/merge.py, pure)."""

import pytest

from okuyami.merge import merge_edits


@pytest.mark.parametrize(
    ("seen", "mine", "latest", "values", "taken", "conflicts"),
    [
        # Only the other counter changed the phone: the latest is taken, nothing to settle.
        ({"phone": "1"}, {"phone": "1"}, {"phone": "2"}, {"phone": "2"}, ("phone",), ()),
        # Only the clerk changed it: theirs stays.
        ({"phone": "1"}, {"phone": "3"}, {"phone": "1"}, {"phone": "3"}, (), ()),
        # Both changed it the same way: nothing to settle.
        ({"phone": "1"}, {"phone": "2"}, {"phone": "2"}, {"phone": "2"}, (), ()),
        # Both changed it differently: the clerk settles it, their value still shown.
        ({"phone": "1"}, {"phone": "3"}, {"phone": "2"}, {"phone": "3"}, (), ("phone",)),
        # A form that did not say what it showed: every difference is the clerk's to settle.
        ({}, {"phone": "3"}, {"phone": "2"}, {"phone": "3"}, (), ("phone",)),
        # Several fields at once.
        (
            {"name": "a", "phone": "1", "address": "x"},
            {"name": "a", "phone": "3", "address": "y"},
            {"name": "b", "phone": "2", "address": "x"},
            {"name": "b", "phone": "3", "address": "y"},
            ("name",),
            ("phone",),
        ),
    ],
)
def test_each_field_is_kept_taken_or_settled(seen, mine, latest, values, taken, conflicts):
    merge = merge_edits(seen=seen, mine=mine, latest=latest)
    assert (merge.values, merge.taken, merge.conflicts) == (values, taken, conflicts)
