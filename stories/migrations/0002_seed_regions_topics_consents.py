"""Lower Saxony's districts and independent cities, the topics and the first consent texts."""

from django.db import migrations
from django.utils.text import slugify

DISTRICTS = [
    "Ammerland",
    "Aurich",
    "Celle",
    "Cloppenburg",
    "Cuxhaven",
    "Diepholz",
    "Emsland",
    "Friesland",
    "Gifhorn",
    "Goslar",
    "Göttingen",
    "Grafschaft Bentheim",
    "Hameln-Pyrmont",
    "Harburg",
    "Heidekreis",
    "Helmstedt",
    "Hildesheim",
    "Holzminden",
    "Leer",
    "Lüchow-Dannenberg",
    "Lüneburg",
    "Nienburg/Weser",
    "Northeim",
    "Landkreis Oldenburg",
    "Landkreis Osnabrück",
    "Osterholz",
    "Peine",
    "Region Hannover",
    "Rotenburg (Wümme)",
    "Schaumburg",
    "Stade",
    "Uelzen",
    "Vechta",
    "Verden",
    "Wesermarsch",
    "Wittmund",
    "Wolfenbüttel",
    "Braunschweig",
    "Delmenhorst",
    "Emden",
    "Oldenburg (Oldb)",
    "Osnabrück",
    "Salzgitter",
    "Wilhelmshaven",
    "Wolfsburg",
]
TOPICS = [
    "Arbeit und Ausbildung",
    "Sprache",
    "Schule und Bildung",
    "Wohnen",
    "Ehrenamt und Sport",
    "Zusammenleben",
    "Gesundheit",
    "Glaube",
]
CONSENTS = {
    "publication": {
        "de": "Ich bin einverstanden, dass meine Geschichte mit Video auf dem YouTube-Kanal und "
        "der Website der Kampagne ZUSAMMEN. MEHR. veröffentlicht wird. Ich kann diese "
        "Einwilligung jederzeit über meinen persönlichen Link widerrufen.",
        "en": "I agree that my story and video are published on the ZUSAMMEN. MEHR. YouTube "
        "channel and website. I can withdraw this consent at any time through my "
        "private link.",
    },
    "usage_rights": {
        "de": "Ich räume der Kampagne das Recht ein, Text und Video zu kürzen, zu untertiteln und "
        "für die Dauer der Kampagne mit den Partnern des Bündnisses zu teilen.",
        "en": "I grant the campaign the right to shorten and subtitle the text and video and to "
        "share them with the alliance's partners for the duration of the campaign.",
    },
    "special_categories": {
        "de": "Meine Geschichte kann Hinweise auf Herkunft oder Religion enthalten. Ich willige "
        "ausdrücklich ein, dass diese Angaben für die Veröffentlichung verarbeitet werden "
        "(Art. 9 Abs. 2 lit. a DSGVO).",
        "en": "My story may reveal origin or religion. I explicitly consent to this information "
        "being processed for publication (Art. 9(2)(a) GDPR).",
    },
    "people_in_video": {
        "de": "Alle Personen, die im Video zu erkennen sind, haben der Veröffentlichung "
        "zugestimmt.",
        "en": "Every person who can be recognised in the video has agreed to its publication.",
    },
    "guardian": {
        "de": "Ich bin erziehungsberechtigt und stimme der Veröffentlichung zu.",
        "en": "I am the legal guardian and agree to the publication.",
    },
}


def seed(apps, schema_editor):
    Region = apps.get_model("stories", "Region")
    Topic = apps.get_model("stories", "Topic")
    ConsentText = apps.get_model("stories", "ConsentText")
    for position, name in enumerate(DISTRICTS):
        Region.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "position": position}
        )
    Region.objects.get_or_create(
        slug="andere-region", defaults={"name": "Andere Region", "position": 999, "is_other": True}
    )
    for position, name in enumerate(TOPICS):
        Topic.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "position": position}
        )
    for purpose, texts in CONSENTS.items():
        for language, text in texts.items():
            ConsentText.objects.get_or_create(
                purpose=purpose, version=1, language=language, defaults={"text": text}
            )


class Migration(migrations.Migration):
    dependencies = [("stories", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
