# Service points and structures located from their address (advisors.geocoding).

from django.db import migrations, models

SOURCE = models.CharField(
    blank=True, default="", max_length=10, verbose_name="origine de la position",
    choices=[("", "Non localisée"), ("address", "Adresse localisée"),
             ("commune", "Position approximative (centre de la commune)"),
             ("manual", "Placée sur la carte")])
PENDING = models.BooleanField(
    default=False, verbose_name="position à rechercher",
    help_text="Le géocodeur n'a pas répondu : la position sera recherchée à nouveau.")


class Migration(migrations.Migration):

    dependencies = [
        ("advisors", "0011_beneficiaries"),
    ]

    operations = [
        migrations.AddField("servicepoint", "position_source", SOURCE.clone()),
        migrations.AddField("servicepoint", "position_pending", PENDING.clone()),
        migrations.AddField("structure", "latitude",
                            models.FloatField(blank=True, null=True, verbose_name="latitude")),
        migrations.AddField("structure", "longitude",
                            models.FloatField(blank=True, null=True, verbose_name="longitude")),
        migrations.AddField("structure", "position_source", SOURCE.clone()),
        migrations.AddField("structure", "position_pending", PENDING.clone()),
    ]
