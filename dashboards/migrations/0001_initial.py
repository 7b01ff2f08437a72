"""The dashboards' models, moved from the advisors app with their tables.

``advisors.0002_dashboards`` created the tables; this migration declares the models over
them (``db_table``) without touching the database, and hands the content types (hence the
permissions and admin log entries that point at them) from the advisors app to this one."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import accounts.private_files

MODELS = ("dailysnapshot", "exportjob")


def move_content_types(apps, schema_editor, source="advisors", target="dashboards"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="dashboards", target="advisors")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("advisors", "0006_private_export_files"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("territories", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DailySnapshot",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("date", models.DateField(verbose_name="date")),
                        ("granted_posts", models.IntegerField(default=0,
                                                              verbose_name="postes accordés")),
                        ("occupied_posts", models.IntegerField(default=0,
                                                               verbose_name="postes occupés")),
                        ("vacant_posts", models.IntegerField(default=0,
                                                             verbose_name="postes vacants")),
                        ("recruited", models.IntegerField(
                            default=0, verbose_name="conseillers recrutés")),
                        ("in_training", models.IntegerField(
                            default=0, verbose_name="conseillers en formation")),
                        ("active", models.IntegerField(default=0,
                                                       verbose_name="conseillers en poste")),
                        ("ruptures", models.IntegerField(default=0, verbose_name="ruptures")),
                        ("service_points", models.IntegerField(
                            default=0, verbose_name="lieux d'activité ouverts")),
                        ("accompaniments", models.IntegerField(
                            default=0, verbose_name="accompagnements (cumul)")),
                        ("people", models.IntegerField(
                            default=0, verbose_name="personnes accompagnées (cumul)")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("department", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE, related_name="+",
                            to="territories.department", verbose_name="département")),
                    ],
                    options={
                        "verbose_name": "instantané quotidien",
                        "verbose_name_plural": "instantanés quotidiens",
                        "db_table": "advisors_dailysnapshot",
                        "ordering": ["-date", "department"],
                        "constraints": [models.UniqueConstraint(
                            fields=("date", "department"),
                            name="one_snapshot_per_department_per_day")],
                    },
                ),
                migrations.CreateModel(
                    name="ExportJob",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False,
                                                primary_key=True, serialize=False)),
                        ("kind", models.CharField(default="activity", max_length=30,
                                                  verbose_name="type d'export")),
                        ("level", models.CharField(max_length=20, verbose_name="échelon")),
                        ("territory_code", models.CharField(blank=True, max_length=20,
                                                            verbose_name="territoire")),
                        ("date_from", models.DateField(blank=True, null=True,
                                                       verbose_name="du")),
                        ("date_to", models.DateField(blank=True, null=True, verbose_name="au")),
                        ("status", models.CharField(
                            choices=[("pending", "En attente"), ("running", "En cours"),
                                     ("done", "Terminé"), ("failed", "Échec")],
                            default="pending", max_length=10, verbose_name="statut")),
                        ("progress", models.PositiveSmallIntegerField(
                            default=0, verbose_name="avancement (%)")),
                        ("file", models.FileField(
                            blank=True, storage=accounts.private_files.private_storage,
                            upload_to="exports/dashboards/", verbose_name="fichier")),
                        ("error", models.TextField(blank=True, verbose_name="erreur")),
                        ("created_at", models.DateTimeField(auto_now_add=True,
                                                            verbose_name="demandé le")),
                        ("finished_at", models.DateTimeField(blank=True, null=True,
                                                             verbose_name="terminé le")),
                        ("requester", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE, related_name="+",
                            to=settings.AUTH_USER_MODEL, verbose_name="demandeur")),
                    ],
                    options={
                        "verbose_name": "export",
                        "db_table": "advisors_exportjob",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
