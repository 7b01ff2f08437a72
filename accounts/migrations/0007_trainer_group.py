from django.db import migrations

NAME = "Formateur"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    """The trainers' role group (accounts.roles.Role.TRAINER)."""

    dependencies = [("accounts", "0006_reminders")]

    operations = [migrations.RunPython(create_group, remove_group)]
