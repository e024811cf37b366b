"""Seed the legal pages with the German defaults of ``publishing.gallery.defaults``."""

from django.db import migrations

from publishing.gallery.defaults import PAGES


def seed(apps, schema_editor):
    LegalPage = apps.get_model("gallery", "LegalPage")
    for kind, title, body in PAGES:
        LegalPage.objects.get_or_create(
            kind=kind, language="de", defaults={"title": title, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("gallery", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
