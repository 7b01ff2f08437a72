"""Where an address is on the map, and how sure we are of it: service points and structures
are located from their address by the Base Adresse Nationale (``advisors.geocoding``)."""

from django.db import models


class Positioning(models.TextChoices):
    UNKNOWN = "", "Non localisée"
    ADDRESS = "address", "Adresse localisée"
    COMMUNE = "commune", "Position approximative (centre de la commune)"
    MANUAL = "manual", "Placée sur la carte"


class Located(models.Model):
    """``position_source`` says where the latitude and longitude come from;
    ``position_pending`` that the geocoder did not answer and a job tries again
    (``advisors.tasks.retry_geocoding``). ``from_db`` keeps what was read, so a save can
    tell a changed address, or a marker moved by hand, from the rest."""

    position_source = models.CharField(
        "origine de la position", max_length=10, choices=Positioning.choices, blank=True,
        default="")  # Positioning.UNKNOWN, as plain text (bulk writers copy the default)
    position_pending = models.BooleanField(
        "position à rechercher", default=False,
        help_text="Le géocodeur n'a pas répondu : la position sera recherchée à nouveau.")

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._position_read = instance.position_key()
        return instance

    def position_key(self):
        """What the position is computed from, and the position itself."""
        fields = self.__dict__
        return (" ".join((fields.get("address") or "").split()).lower(),
                fields.get("commune_id"), fields.get("latitude"), fields.get("longitude"))

    @property
    def position_is_approximate(self):
        return self.position_source == Positioning.COMMUNE
