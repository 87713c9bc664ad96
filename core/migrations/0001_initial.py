# StaffMembership and AuditEvent moved here from `procedures`, rows and all: the models are
# adopted as they stand (no table is created), then their tables and index take this app's names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_types_follow(apps, schema_editor):
    """Admin history and permissions keep pointing at the moved models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("staffmembership", "auditevent"):
        if not ContentType.objects.filter(app_label="core", model=model).exists():
            ContentType.objects.filter(app_label="procedures", model=model).update(app_label="core")


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("staffmembership", "auditevent"):
        if not ContentType.objects.filter(app_label="procedures", model=model).exists():
            ContentType.objects.filter(app_label="core", model=model).update(app_label="procedures")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("procedures", "0003_audit_trials_manager"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffMembership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("counter", "窓口"), ("editor", "編集者"), ("manager", "管理者")], max_length=10, verbose_name="役割")),
                        ("must_change_password", models.BooleanField(default=False, verbose_name="次回ログイン時にパスワードの変更が必要")),
                        ("municipality", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="members", to="procedures.municipality", verbose_name="市区町村")),
                        ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="membership", to=settings.AUTH_USER_MODEL, verbose_name="ユーザー")),
                    ],
                    options={
                        "verbose_name": "職員の所属",
                        "verbose_name_plural": "職員の所属",
                        "db_table": "procedures_staffmembership",
                    },
                ),
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("municipality_code", models.CharField(max_length=6, verbose_name="団体コード")),
                        ("username", models.CharField(blank=True, max_length=150, verbose_name="職員（記録時）")),
                        ("action", models.CharField(choices=[("view", "閲覧"), ("print", "印刷"), ("export", "書き出し"), ("change", "変更"), ("erase", "消去"), ("catalog_change", "カタログの変更")], max_length=20, verbose_name="操作")),
                        ("case_id", models.PositiveBigIntegerField(blank=True, null=True, verbose_name="受付番号")),
                        ("detail", models.CharField(blank=True, max_length=200, verbose_name="内容")),
                        ("at", models.DateTimeField(db_index=True, verbose_name="日時")),
                        ("municipality", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="procedures.municipality", verbose_name="市区町村")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="職員")),
                    ],
                    options={
                        "verbose_name": "操作記録",
                        "verbose_name_plural": "操作記録",
                        "ordering": ["-at", "-id"],
                        "db_table": "procedures_auditevent",
                        "indexes": [models.Index(fields=["municipality", "at"], name="procedures__municip_e1176c_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="staffmembership", table=None),
        migrations.AlterModelTable(name="auditevent", table=None),
        migrations.RenameIndex(
            model_name="auditevent", new_name="audit_municipality_at_idx", old_name="procedures__municip_e1176c_idx"
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
