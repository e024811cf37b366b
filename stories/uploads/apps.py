from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "stories.uploads"
    label = "uploads"
    verbose_name = "Uploads"
    default_auto_field = "django.db.models.BigAutoField"
