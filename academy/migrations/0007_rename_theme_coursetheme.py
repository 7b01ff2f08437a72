"""Theme becomes CourseTheme, so it is not mistaken for advisors' ActivityTheme choices.

RenameModel renames the table (academy_theme → academy_coursetheme) and the column of the
courses' many-to-many table, keeping every row; contenttypes renames the content type right
after it. The model permissions keep their rows (and so the groups holding them) and only take
the new codenames, so `post_migrate` does not create a second set.
"""

from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def rename_permissions(apps, schema_editor, old="theme", new="coursetheme"):
    Permission = apps.get_model("auth", "Permission")
    academy = Permission.objects.filter(content_type__app_label="academy")
    for action in ACTIONS:
        before = academy.filter(codename=f"{action}_{old}").first()
        if before is None:
            continue
        after = academy.filter(codename=f"{action}_{new}").first()
        if after is None:
            before.codename = f"{action}_{new}"
            before.save(update_fields=["codename"])
            continue
        # Both exist (a database migrated back and forth): the holders of the old one keep
        # the right under the new codename.
        for group in before.group_set.all():
            group.permissions.add(after)
        for user in before.user_set.all():
            user.user_permissions.add(after)
        before.delete()


def restore_permissions(apps, schema_editor):
    rename_permissions(apps, schema_editor, old="coursetheme", new="theme")


class Migration(migrations.Migration):

    dependencies = [
        ("academy", "0006_session_capacity_at_least_one"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel("Theme", "CourseTheme"),
        migrations.RunPython(rename_permissions, restore_permissions),
    ]
