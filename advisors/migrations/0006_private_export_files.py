"""Export files move to the private storage (outside MEDIA_ROOT, never served as /media/);
files already written under MEDIA_ROOT are moved there."""

from django.db import migrations, models

import accounts.private_files


def move_to_private_storage(apps, schema_editor):
    from django.core.files.storage import storages

    public, private = storages["default"], storages["private"]
    ExportJob = apps.get_model("advisors", "ExportJob")
    for job in ExportJob.objects.exclude(file="").iterator():
        name = job.file.name
        if private.exists(name) or not public.exists(name):
            continue
        with public.open(name, "rb") as source:
            saved = private.save(name, source)
        if saved != name:
            ExportJob.objects.filter(pk=job.pk).update(file=saved)
        public.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("advisors", "0005_service_point_position"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exportjob",
            name="file",
            field=models.FileField(blank=True, storage=accounts.private_files.private_storage,
                                   upload_to="exports/dashboards/", verbose_name="fichier"),
        ),
        migrations.RunPython(move_to_private_storage, migrations.RunPython.noop),
    ]
