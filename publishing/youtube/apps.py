from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """The YouTube app: channel, quota, publications and takedowns.

    The label stays ``publishing`` so that its migrations and audit codes keep their names.
    """

    name = "publishing.youtube"
    label = "publishing"
    verbose_name = "YouTube"
    default_auto_field = "django.db.models.BigAutoField"
