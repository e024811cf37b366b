from django.apps import AppConfig

from stories.signals import partner_code_known


class PartnersConfig(AppConfig):
    name = "publishing.partners"
    label = "partners"
    verbose_name = "Partner"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .erasure import partner_code_is_known

        partner_code_known.connect(partner_code_is_known, dispatch_uid="partners.erasure")
