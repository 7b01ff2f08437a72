"""Fills the rollups of 0002 on a database that already holds records (a deployment of the
version that adds them): without this, the dashboards would count from empty rows until
``manage.py rebuild_dashboard_rollups``. A new database (tests, ``make run`` before the
geography) has nothing to count: nothing is done."""

from django.db import migrations


def fill(apps, schema_editor):
    Department = apps.get_model("territories", "Department")
    DeploymentTotal = apps.get_model("dashboards", "DeploymentTotal")
    if not Department.objects.exists() or DeploymentTotal.objects.exists():
        return
    # The module's own rebuild, which reads the current models: this migration runs right
    # after 0002, on the schema the rebuild was written for.
    from dashboards import rollups

    rollups.rebuild()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_rollups")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
