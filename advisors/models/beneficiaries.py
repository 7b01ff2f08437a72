"""Bénéficiaires: the people an advisor follows from one visit to the next (as La Coop de la
médiation numérique does). A minimal record of the structure: a name (or initials), a
commune, a year-of-birth band and, only with the person's consent, a way to reach them.

Only the advisors under contract with the structure see its records (``visible_to``); a
record is anonymised on request, after two years without a visit, or once nobody of the
structure is under contract any more (``advisors.services.beneficiaries``): its identity is
erased, its commune, band and links to the activity reports stay for the statistics."""

import datetime
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from territories.text import normalize_name

from ..validators import normalize_phone, validate_phone
from .scope import scope_of

ANONYMOUS_NAME = "Anonyme"
# A record with no visit for this long is anonymised (the daily job).
RETENTION_WITHOUT_VISIT = datetime.timedelta(days=2 * 365)
CONSENT_REQUIRED = ("Sans le consentement de la personne, ne saisissez ni courriel ni "
                    "téléphone.")


class BirthBand(models.TextChoices):
    """Year of birth, by band: enough for the statistics, never the date itself."""

    BEFORE_1945 = "before_1945", "Avant 1945"
    FROM_1945 = "1945_1959", "1945 à 1959"
    FROM_1960 = "1960_1974", "1960 à 1974"
    FROM_1975 = "1975_1989", "1975 à 1989"
    FROM_1990 = "1990_2004", "1990 à 2004"
    FROM_2005 = "from_2005", "2005 et après"

    @classmethod
    def of_year(cls, year):
        """The band of a year of birth (1957 → "1945 à 1959")."""
        for limit, band in ((1945, cls.BEFORE_1945), (1960, cls.FROM_1945),
                            (1975, cls.FROM_1960), (1990, cls.FROM_1975),
                            (2005, cls.FROM_1990)):
            if year < limit:
                return band
        return cls.FROM_2005


def structures_followed_by(user):
    """The structures whose records ``user`` keeps: those where they are an advisor under
    contract today (usually one)."""
    from .people import Contract
    from .structures import Structure

    if user is None or not user.is_authenticated:
        return Structure.objects.none()
    return Structure.objects.filter(pk__in=Contract.objects.active().filter(
        advisor__user=user).values("structure_id")).order_by("name", "pk")


class BeneficiaryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The records of the structures where ``user`` is an advisor under contract today.
        Nobody else, ANCT included: the people followed are the structure's business, and
        the statistics read only the activity reports."""
        from .people import Contract

        scope = scope_of(user)
        condition = scope.via(Contract.objects.active(), "structure_id",
                              scope.own_advisor("advisor"), target="structure_id")
        return self.none() if condition is None else self.filter(condition)

    def editable_by(self, user):
        return self.visible_to(user).filter(anonymised_at__isnull=True)

    def identified(self):
        """Not anonymised."""
        return self.filter(anonymised_at__isnull=True)

    def matching(self, text):
        """Whose name holds every word of ``text`` (accents, case and punctuation
        ignored: "Helene" finds "Hélène")."""
        for word in normalize_name(text).split()[:10]:
            self = self.filter(search_name__contains=word)
        return self

    def with_last_visit(self):
        """``last_report``: the date of the latest linked report (None without one);
        ``last_visit``: that, else the day the record was created."""
        return self.annotate(last_report=Max("reports__date"),
                             last_visit=Coalesce(Max("reports__date"),
                                                 TruncDate("created_at")))

    def without_visit_since(self, day):
        return self.with_last_visit().filter(last_visit__lt=day)

    def duplicate_groups(self, limit=20):
        """[[record, record…]] of the identified records sharing a structure, a normalised
        name and a commune (at most ``limit`` groups), each group oldest first."""
        keys = list(self.identified().exclude(search_name="")
                    .values("structure_id", "commune_id", "search_name")
                    .annotate(count=Count("pk")).filter(count__gt=1)
                    .order_by("search_name", "commune_id")[:limit])
        if not keys:
            return []
        condition = reduce(or_, (Q(structure_id=k["structure_id"], commune_id=k["commune_id"],
                                   search_name=k["search_name"]) for k in keys))
        groups = {}
        # Each row tells itself apart (visits, last one): two records made the same day
        # would otherwise read alike.
        for row in (self.identified().filter(condition).select_related("commune__department")
                    .with_last_visit().annotate(visits=Count("reports", distinct=True))
                    .order_by("created_at", "pk")):
            groups.setdefault((row.structure_id, row.commune_id, row.search_name),
                              []).append(row)
        return [groups[key] for key in sorted(groups, key=lambda k: (k[2], k[1]))]

    def duplicates_of(self, beneficiary):
        """The other identified records of the same structure with the same normalised name
        and commune."""
        if beneficiary.anonymised_at or not beneficiary.search_name:
            return self.none()
        return self.filter(structure_id=beneficiary.structure_id,
                           commune_id=beneficiary.commune_id,
                           search_name=beneficiary.search_name,
                           anonymised_at__isnull=True).exclude(pk=beneficiary.pk)


class Beneficiary(models.Model):
    class AnonymisedBecause(models.TextChoices):
        REQUEST = "request", "À la demande de la personne"
        INACTIVITY = "inactivity", "Deux ans sans accompagnement"
        STRUCTURE_LEFT = "structure_left", "Plus aucun conseiller sous contrat dans la structure"

    structure = models.ForeignKey("advisors.Structure", verbose_name="structure",
                                  on_delete=models.PROTECT, related_name="beneficiaries")
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom ou initiales", max_length=100, blank=True)
    search_name = models.CharField(max_length=220, editable=False, db_index=True, blank=True)
    commune = models.ForeignKey("territories.Commune", verbose_name="commune",
                                on_delete=models.PROTECT, related_name="+")
    birth_band = models.CharField("année de naissance", max_length=20, blank=True,
                                  choices=BirthBand.choices)
    contact_consent = models.BooleanField(
        "la personne accepte d'être recontactée", default=False,
        help_text="Sans ce consentement, aucun courriel ni téléphone n'est enregistré.")
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True, validators=[validate_phone])
    reports = models.ManyToManyField("advisors.ActivityReport", verbose_name="comptes rendus",
                                     blank=True, related_name="beneficiaries")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="saisi par",
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)
    anonymised_because = models.CharField("motif de l'anonymisation", max_length=20,
                                          blank=True, choices=AnonymisedBecause.choices)

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = "bénéficiaire"
        verbose_name_plural = "bénéficiaires"
        ordering = ["search_name", "pk"]
        indexes = [models.Index(fields=["structure", "search_name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_consent=True) | Q(email="", phone=""),
                name="beneficiary_contact_needs_consent",
                violation_error_message=CONSENT_REQUIRED),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.search_name = ("" if self.anonymised_at
                            else normalize_name(f"{self.first_name} {self.last_name}"))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_anonymised(self):
        return self.anonymised_at is not None

    def clean_fields(self, exclude=None):
        self.first_name = (self.first_name or "").strip()
        self.last_name = (self.last_name or "").strip()
        self.email = (self.email or "").strip().lower()
        self.phone = normalize_phone(self.phone)
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if not self.anonymised_at and not self.last_name:
            errors["last_name"] = "Indiquez le nom ou au moins les initiales."
        if not self.contact_consent:
            for name in ("email", "phone"):
                if getattr(self, name):
                    errors[name] = CONSENT_REQUIRED
        if errors:
            raise ValidationError(errors)

    def anonymise(self, because, now=None):
        """Erases the identity (names, contact); commune, band, structure and the links to
        the reports stay. Saved; returns False when it already was."""
        if self.anonymised_at:
            return False
        self.first_name, self.last_name = ANONYMOUS_NAME, ""
        self.email = self.phone = ""
        self.contact_consent = False
        self.anonymised_at = now or timezone.now()
        self.anonymised_because = because
        self.save()
        return True
