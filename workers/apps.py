from django.apps import AppConfig


class WorkersConfig(AppConfig):
    verbose_name = "Background jobs"
    name = "workers"
    default_auto_field = "django.db.models.BigAutoField"
