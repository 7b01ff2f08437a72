from django.db import models
from django.db.models import Case, IntegerField, Value, When

from .text import normalize_name

# What a search reads of the typed text (the longest commune name has 45 characters).
MAX_QUERY_LENGTH = 100
# A "petite commune" has fewer inhabitants than this (the threshold of the municipal
# electoral rules, used by the Académie's priorities and the deployment dashboards).
SMALL_COMMUNE_POPULATION = 3500
# Where the communes' population (Commune.population) comes from: the INSEE legal populations
# shipped by @etalab/decoupage-administratif 6.0.0 (package.json), whose reference year is
# three years before the year they come into force. Shown next to per-capita figures.
POPULATION_SOURCE_YEAR = 2023
POPULATION_SOURCE = (f"populations légales {POPULATION_SOURCE_YEAR} de l'Insee, en vigueur "
                     f"au 1er janvier {POPULATION_SOURCE_YEAR + 3}")


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=10)
    population = models.PositiveIntegerField("population", null=True, blank=True)
    search_name = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = normalize_name(self.name)
        super().save(*args, **kwargs)


class CommuneQuerySet(models.QuerySet):
    def search(self, query: str, limit: int = 20):
        """Communes matching a name prefix or a postal/INSEE code prefix, best first."""
        # No name is longer; SQLite refuses LIKE patterns beyond 50,000 bytes.
        query = (query or "").strip()[:MAX_QUERY_LENGTH]
        if query.isdigit():
            if len(query) < 2:
                return self.none()
            matches = self.filter(
                models.Q(postal_codes_text__contains=f" {query}")
                | models.Q(insee_code__startswith=query)
            )
            return matches.order_by("-population", "name")[:limit]
        normalized = normalize_name(query)
        if len(normalized) < 2:
            return self.none()
        matches = self.filter(
            models.Q(search_name__startswith=normalized)
            | models.Q(search_name__contains=f" {normalized}")
        ).annotate(
            rank=Case(
                When(search_name=normalized, then=Value(0)),
                When(search_name__startswith=normalized, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        return matches.order_by("rank", models.F("population").desc(nulls_last=True), "name")[
            :limit
        ]


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=200)
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)
    postal_codes_text = models.CharField(max_length=200, blank=True, editable=False)
    population = models.PositiveIntegerField("population", null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    # An approximate centre (the middle of the commune's bounding box), for "near me"
    # searches; None where the source has no outline for the commune.
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        indexes = [models.Index(fields=["postal_codes_text"])]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # The bulk import sets these itself; single saves (admin, tests) get them here.
        self.search_name = normalize_name(self.name)
        self.postal_codes_text = "".join(f" {code}" for code in self.postal_codes) + " "
        super().save(*args, **kwargs)

    @property
    def coordinates(self):
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def label(self):
        code = self.insee_code[:3] if self.insee_code.startswith("97") else self.insee_code[:2]
        return f"{self.name} ({code})"
