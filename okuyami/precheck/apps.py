from django.apps import AppConfig


class PrecheckConfig(AppConfig):
    """The families' pre-check at home: the catalog's questions on public pages, and the 受付コード
    that hands the answers to the counter."""

    name = "okuyami.precheck"
    label = "precheck"
    verbose_name = "ご家族の事前確認"
    default_auto_field = "django.db.models.BigAutoField"
