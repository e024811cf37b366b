from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "publishing.partners"
    label = "partners"
    verbose_name = "Partner"
    default_auto_field = "django.db.models.BigAutoField"
