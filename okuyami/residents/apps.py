from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "okuyami.residents"
    label = "residents"
    verbose_name = "住民記録"

    def ready(self):
        from okuyami.residents import checks  # noqa: F401  (registers the settings check)
