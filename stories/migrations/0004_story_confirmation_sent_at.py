from django.db import migrations, models
from django.db.models import F


def mark_earlier_mails_sent(apps, schema_editor):
    """Stories sent before this field existed got their e-mail: never send it twice."""
    Story = apps.get_model("stories", "Story")
    Story.objects.filter(submitted_at__isnull=False).update(confirmation_sent_at=F("submitted_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0003_photos_subtitles"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="confirmation_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_earlier_mails_sent, migrations.RunPython.noop),
    ]
