"""Staff memberships and audit records moved from `procedures` to `core` with their rows.

The database is taken back to main's schema before the move (procedures 0003, no core),
filled there through the historical models, and migrated forward again.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from core.models import AuditEvent, StaffMembership
from tests.migrating import historical_city, migrated_back

BEFORE_THE_MOVE = [("procedures", "0003_audit_trials_manager"), ("core", None)]


def table_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.django_db(transaction=True)
def test_memberships_and_audit_records_keep_their_rows_through_the_move():
    memberships = ContentType.objects.get_for_model(StaffMembership).pk
    with migrated_back(BEFORE_THE_MOVE) as old:
        assert {"procedures_staffmembership", "procedures_auditevent"} <= table_names()
        assert "core_staffmembership" not in table_names()
        user = old.get_model("auth", "User").objects.create(username="kept")
        city = historical_city(old)
        old.get_model("procedures", "StaffMembership").objects.create(
            user_id=user.pk, municipality=city, role="manager", must_change_password=True
        )
        at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
        old.get_model("procedures", "AuditEvent").objects.create(
            municipality=city, municipality_code="122041", username="kept", action="view", case_id=7, at=at
        )

    assert {"core_staffmembership", "core_auditevent"} <= table_names()
    assert not {"procedures_staffmembership", "procedures_auditevent"} & table_names()
    membership = StaffMembership.objects.get()
    assert (membership.user.username, membership.municipality.code, membership.role) == (
        "kept",
        "122041",
        StaffMembership.Role.MANAGER,
    )
    assert membership.must_change_password
    event = AuditEvent.objects.get()
    assert (event.case_id, event.action, event.at) == (7, AuditEvent.Action.VIEW, at)
    # New rows follow the old ones (the id sequence moved with the table).
    newcomer = get_user_model().objects.create(username="new")
    added = StaffMembership.objects.create(user=newcomer, municipality=membership.municipality)
    assert added.pk > membership.pk
    # Admin history and permissions keep their content type.
    assert ContentType.objects.get_for_model(StaffMembership).pk == memberships
