# StaffMembership and AuditEvent now belong to `core` (core/migrations/0001_initial.py adopts
# them with their rows): here they leave this app's state only; no table is touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("procedures", "0003_audit_trials_manager"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="StaffMembership"),
                migrations.DeleteModel(name="AuditEvent"),
            ],
            database_operations=[],
        ),
    ]
