"""Campaign admins edit the decision e-mail templates."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODES = ["view", "add", "change", "delete"]


def forwards(apps, schema_editor):
    config = apps.get_app_config("moderation")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="campaign_admin")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="moderation",
            codename__in=[f"{code}_decisionemailtemplate" for code in CODES],
        )
    )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_decision_email_templates")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
