"""Service points (permanences, lieux d'activité): where and when advisors receive the public.

The calendar feeds read ``opening_ranges``, ``closures``, ``calendar_sequence`` and
``updated_at``; ``services`` bumps the sequence whenever what a calendar shows changes."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from calendars.dates import long_date

from ..validators import normalize_phone, validate_phone
from .positions import Located
from .scope import scope_of


class PlaceService(models.TextChoices):
    """Services offered, from the national "lieux de médiation numérique" vocabulary."""

    ADMINISTRATIVE_PROCEDURES = ("aide-aux-demarches-administratives",
                                 "Aide aux démarches administratives")
    EVERYDAY_TOOLS = ("maitrise-des-outils-numeriques-du-quotidien",
                      "Maîtrise des outils numériques du quotidien")
    UNDERSTANDING_DIGITAL = ("comprehension-du-monde-numerique",
                             "Compréhension du monde numérique")
    PROFESSIONAL_INTEGRATION = ("insertion-professionnelle-via-le-numerique",
                                "Insertion professionnelle via le numérique")
    HEALTH_PROCEDURES = ("accompagnement-des-demarches-de-sante",
                         "Accompagnement des démarches de santé")
    PARENTING = "parentalite", "Parentalité et éducation avec le numérique"
    LEISURE = "loisirs-et-creations-numeriques", "Loisirs et créations numériques"
    DIGITAL_CULTURE = "approfondir-ma-culture-numerique", "Approfondir ma culture numérique"
    INTERNET_ACCESS = ("acces-internet-et-materiel-informatique",
                       "Accès internet et matériel informatique")
    REPAIR = "aide-a-la-reparation-de-materiel", "Aide à la réparation de matériel informatique"
    EQUIPMENT = "equipement-informatique", "Acquisition de matériel informatique à prix solidaire"
    SAFE_USE = "usage-securise-du-numerique", "Usage sécurisé du numérique"


def staffing_links(on=None):
    """The rows of ``ServicePoint.advisors`` whose advisor is under contract (submitted or
    validated, still running on that day, no effective rupture: ``Contract.holding_posts``)
    with the service point's structure: who staffs a place. Links of advisors whose
    contracts ended stay (their history, and their places if they come back) but count
    no more."""
    from .people import Contract

    return ServicePoint.advisors.through.objects.filter(Exists(
        Contract.objects.holding_posts(on).filter(
            advisor_id=OuterRef("advisor_id"),
            structure_id=OuterRef("servicepoint__structure_id"))))


class ServicePointQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Structure managers and préfets; the advisors working there while under contract
        with its structure (an advisor whose contract ended reaches it no more); the
        coordinators of those listed there."""
        scope = scope_of(user)
        staffed = ServicePoint.advisors.through.objects.all()
        return scope.restrict(
            self,
            scope.structures("structure"),
            scope.via(staffing_links(), "servicepoint_id", scope.own_advisor("advisor")),
            scope.via(staffed, "servicepoint_id", scope.coordinated("advisor")),
        )

    def editable_by(self, user):
        """Structure managers, and the advisors working there under contract with its
        structure."""
        scope = scope_of(user)
        return scope.restrict(
            self,
            scope.managed("structure"),
            scope.via(staffing_links(), "servicepoint_id", scope.own_advisor("advisor")),
        )

    def staffed(self, on=None):
        """Places an advisor under contract with their structure works at (on that day)."""
        return self.filter(Exists(staffing_links(on).filter(servicepoint_id=OuterRef("pk"))))

    def public(self, on=None):
        """Shown on the public map, the directory and in open data: published by its
        structure (``is_public``) and, once advisors are listed there, only while one of
        them is under contract with the structure ("a place is only shown while somebody
        staffs it"): when the last one's contract ends, the place leaves the directory
        the next day, and comes back when a listed advisor is under contract again (a
        colleague added, or the same advisor recruited anew). A place nobody was ever
        listed at stays as its managers set it."""
        listed = ServicePoint.advisors.through.objects.filter(servicepoint_id=OuterRef("pk"))
        staffed = staffing_links(on).filter(servicepoint_id=OuterRef("pk"))
        return self.filter(Q(is_public=True) & (~Exists(listed) | Exists(staffed)))

    def with_public_state(self, on=None):
        """Annotates ``listed_publicly``: shown by ``public()`` (directory, open data)."""
        return self.annotate(listed_publicly=Exists(
            ServicePoint.objects.public(on).filter(pk=OuterRef("pk"))))

    def with_calendar_data(self):
        return self.select_related("commune__department", "structure").prefetch_related(
            "opening_ranges", "closures", "advisors__user")


class ServicePoint(Located):
    class Access(models.TextChoices):
        FREE = "free", "Accès libre"
        APPOINTMENT = "appointment", "Sur rendez-vous"
        RESTRICTED = "restricted", "Réservé à un public"

    structure = models.ForeignKey("advisors.Structure", verbose_name="structure",
                                  on_delete=models.PROTECT, related_name="service_points")
    name = models.CharField("nom", max_length=255)
    address = models.CharField("adresse", max_length=255, blank=True,
                               help_text="Obligatoire sauf pour une permanence itinérante.")
    commune = models.ForeignKey("territories.Commune", verbose_name="commune",
                                on_delete=models.PROTECT, related_name="+")
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    access = models.CharField("accès", max_length=20, choices=Access.choices,
                              default=Access.FREE)
    is_itinerant = models.BooleanField("itinérante", default=False)
    services = models.JSONField("services proposés", default=list, blank=True,
                                help_text="Codes des services du schéma national des lieux "
                                          "de médiation numérique.")
    advisors = models.ManyToManyField("advisors.Advisor", verbose_name="conseillers",
                                      blank=True, related_name="service_points")
    phone = models.CharField("téléphone", max_length=20, blank=True,
                             validators=[validate_phone])
    email = models.EmailField("courriel", blank=True)
    website = models.URLField("site internet", blank=True)
    booking_url = models.URLField("lien de prise de rendez-vous", blank=True)
    is_public = models.BooleanField("visible sur la carte publique", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = ServicePointQuerySet.as_manager()

    class Meta(Located.Meta):
        verbose_name = "lieu d'activité"
        verbose_name_plural = "lieux d'activité"
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["commune", "is_public"]),
                   # "Near me": the box around the searched point (advisors.geo.NearestFirst).
                   models.Index(fields=["latitude", "longitude"],
                                name="servicepoint_position")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180,
                    longitude__lte=180),
                name="service_point_coordinates_complete_and_in_range",
                violation_error_message=(
                    "Indiquez une latitude et une longitude valides, ou aucune des deux.")),
        ]

    def __str__(self):
        return f"{self.name} — {self.commune.name}"

    def clean_fields(self, exclude=None):
        self.phone = normalize_phone(self.phone)
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if not self.is_itinerant and not (self.address or "").strip():
            errors["address"] = "Indiquez l'adresse du lieu (sauf permanence itinérante)."
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = "Indiquez la latitude et la longitude, ou aucune des deux."
        else:
            if self.latitude is not None and not -90 <= self.latitude <= 90:
                errors["latitude"] = "La latitude est comprise entre -90 et 90."
            if self.longitude is not None and not -180 <= self.longitude <= 180:
                errors["longitude"] = "La longitude est comprise entre -180 et 180."
        services = self.services if isinstance(self.services, list) else None
        if not services:
            errors["services"] = "Choisissez au moins un service proposé."
        else:
            unknown = [code for code in services if code not in PlaceService.values]
            if unknown:
                errors["services"] = f"Services inconnus : {', '.join(map(str, unknown))}."
            elif len(set(services)) != len(services):
                errors["services"] = "Chaque service ne figure qu'une fois."
        if errors:
            raise ValidationError(errors)

    @property
    def coordinates(self):
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def unstaffed(self) -> bool:
        """Published by its structure but kept out of the public lists: advisors are listed
        here and none of them is under contract with the structure any more."""
        if not self.is_public:
            return False
        listed = getattr(self, "listed_publicly", None)
        if listed is None:
            listed = ServicePoint.objects.public().filter(pk=self.pk).exists()
        return not listed

    def current_advisors(self, on=None):
        """The advisors listed here who are under contract with its structure (on that
        day): the only ones the directory names."""
        return self.advisors.filter(pk__in=staffing_links(on).filter(
            servicepoint_id=self.pk).values("advisor_id"))

    def get_services_display(self):
        labels = dict(PlaceService.choices)
        return [labels.get(code, code) for code in self.services]


class ServicePointChildQuerySet(models.QuerySet):
    """Rows of a service point (hours, closures): seen and changed like the service point."""

    def visible_to(self, user):
        return self.filter(service_point__in=ServicePoint.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        return self.filter(
            service_point__in=ServicePoint.objects.editable_by(user).values("pk"))


class OpeningRange(models.Model):
    """Opening hours of one half-day of the week (weekday 0 = Monday)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Lundi"
        TUESDAY = 1, "Mardi"
        WEDNESDAY = 2, "Mercredi"
        THURSDAY = 3, "Jeudi"
        FRIDAY = 4, "Vendredi"
        SATURDAY = 5, "Samedi"
        SUNDAY = 6, "Dimanche"

    class Period(models.TextChoices):
        MORNING = "am", "Matin"
        AFTERNOON = "pm", "Après-midi"

    # A morning closes by 2 pm; an afternoon opens from 11 am (lunchtime openings fit one).
    MORNING_CLOSES_BY = datetime.time(14, 0)
    AFTERNOON_OPENS_FROM = datetime.time(11, 0)

    service_point = models.ForeignKey(ServicePoint, verbose_name="lieu d'activité",
                                      on_delete=models.CASCADE, related_name="opening_ranges")
    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    period = models.CharField("demi-journée", max_length=2, choices=Period.choices)
    opens = models.TimeField("ouverture")
    closes = models.TimeField("fermeture")

    objects = ServicePointChildQuerySet.as_manager()

    class Meta:
        verbose_name = "plage d'ouverture"
        verbose_name_plural = "horaires d'ouverture"
        ordering = ["weekday", "period", "opens"]
        constraints = [
            models.UniqueConstraint(fields=["service_point", "weekday", "period"],
                                    name="one_opening_range_per_half_day",
                                    violation_error_message="Une seule plage par demi-journée."),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")),
                                   name="opening_range_closes_after_opening",
                                   violation_error_message=(
                                       "L'heure de fermeture doit suivre l'heure d'ouverture.")),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_range_weekday",
            violation_error_message="Le jour est compris entre lundi (0) et dimanche (6)."),
        ]

    def __str__(self):
        return (f"{self.get_weekday_display()} {self.get_period_display().lower()} : "
                f"{self.opens:%H:%M}–{self.closes:%H:%M}")

    def clean(self):
        errors = {}
        if self.opens and self.closes and self.closes <= self.opens:
            errors["closes"] = "L'heure de fermeture doit suivre l'heure d'ouverture."
        elif self.period == self.Period.MORNING and self.closes and (
            self.closes > self.MORNING_CLOSES_BY
        ):
            errors["closes"] = "Une plage du matin se termine au plus tard à 14 h."
        elif self.period == self.Period.AFTERNOON and self.opens and (
            self.opens < self.AFTERNOON_OPENS_FROM
        ):
            errors["opens"] = "Une plage de l'après-midi commence au plus tôt à 11 h."
        if errors:
            raise ValidationError(errors)


class Closure(models.Model):
    """Days a service point is exceptionally closed (holidays, works…), both ends included."""

    service_point = models.ForeignKey(ServicePoint, verbose_name="lieu d'activité",
                                      on_delete=models.CASCADE, related_name="closures")
    start = models.DateField("premier jour de fermeture")
    end = models.DateField("dernier jour de fermeture")
    reason = models.CharField("motif", max_length=255, blank=True)

    objects = ServicePointChildQuerySet.as_manager()

    class Meta:
        verbose_name = "fermeture exceptionnelle"
        verbose_name_plural = "fermetures exceptionnelles"
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["service_point", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")),
                                   name="closure_ends_after_start",
                                   violation_error_message=(
                                       "Le dernier jour de fermeture doit suivre le premier.")),
        ]

    def __str__(self):
        if self.start == self.end:
            return f"Fermé le {long_date(self.start)}"
        return f"Fermé du {long_date(self.start)} au {long_date(self.end)}"

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "Le dernier jour de fermeture doit suivre le premier."})
