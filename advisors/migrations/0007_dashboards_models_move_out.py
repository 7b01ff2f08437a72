"""DailySnapshot and ExportJob now belong to the dashboards app (``dashboards/models.py``).

Only Django's state changes here: the tables ``advisors_dailysnapshot`` and
``advisors_exportjob`` stay where they are, with every row, and ``dashboards.0001_initial``
(which this migration waits for) declares the same models over the same tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("advisors", "0006_private_export_files"),
        ("dashboards", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DailySnapshot"),
                migrations.DeleteModel(name="ExportJob"),
            ],
            database_operations=[],
        ),
    ]
