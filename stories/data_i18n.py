"""Seeded campaign data that visitors read in their language: marked for translation.

Regions are place names and stay as they are; topics are words. Topics an admin adds
later show in German until a translator adds them to the catalogues.
"""

from django.utils.translation import gettext_noop

TOPIC_NAMES = [
    gettext_noop("Arbeit und Ausbildung"),
    gettext_noop("Sprache"),
    gettext_noop("Schule und Bildung"),
    gettext_noop("Wohnen"),
    gettext_noop("Ehrenamt und Sport"),
    gettext_noop("Zusammenleben"),
    gettext_noop("Gesundheit"),
    gettext_noop("Glaube"),
]
