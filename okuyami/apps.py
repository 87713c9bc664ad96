from django.apps import AppConfig


class OkuyamiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "okuyami"
    verbose_name = "おくやみ窓口"
