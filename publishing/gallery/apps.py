from django.apps import AppConfig


class GalleryConfig(AppConfig):
    name = "publishing.gallery"
    label = "gallery"
    verbose_name = "Galerie und Rechtstexte"
