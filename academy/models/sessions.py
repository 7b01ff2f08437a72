"""Sessions: the dated occurrences of a course, outside the page's revisions."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from modelcluster.models import ClusterableModel

from accounts.roles import Role
from calendars.dates import long_date


class SessionQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(end__gte=timezone.now()).order_by("start")

    def scheduled(self):
        return self.filter(status=Session.Status.SCHEDULED)

    def with_seats(self):
        """Annotates ``seats_taken`` and ``seats_left`` (confirmed enrolments only)."""
        taken = Count("enrolments", filter=Q(enrolments__status__in=Session.HELD_STATUSES))
        return self.annotate(seats_taken=taken, seats_left=F("capacity") - taken)

    def next_for_courses(self):
        """Subquery: the id of each course's next scheduled session."""
        return Subquery(
            self.filter(course=OuterRef("pk"), end__gte=timezone.now(),
                        status=Session.Status.SCHEDULED)
            .order_by("start").values("pk")[:1]
        )


class Session(ClusterableModel):
    """A dated occurrence of a course. Not part of the page's revisions: editing or
    reverting the course never touches its sessions."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Programmée"
        CANCELLED = "cancelled", "Annulée"

    # Enrolment statuses that hold a seat.
    SEAT_STATUSES = ["confirmed"]
    # Statuses counted as taken seats: also an open waiting-list offer (academy/offers.py).
    HELD_STATUSES = ["confirmed", "offered"]

    class WaitlistMode(models.TextChoices):
        AUTOMATIC = "automatic", "Inscription automatique du suivant"
        OFFER = "offer", "Place proposée au suivant, qui l'accepte ou la décline"

    course = models.ForeignKey("academy.CoursePage", verbose_name="formation",
                               on_delete=models.PROTECT, related_name="sessions")
    start = models.DateTimeField("début")
    end = models.DateTimeField("fin")
    address = models.CharField("adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        "territories.Commune", verbose_name="commune", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    remote_url = models.URLField("lien de visioconférence", blank=True)
    capacity = models.PositiveIntegerField(
        "nombre de places",
        validators=[MinValueValidator(1, "Une session compte au moins une place.")])
    enrolment_opens = models.DateTimeField("ouverture des inscriptions")
    enrolment_closes = models.DateTimeField("clôture des inscriptions")
    cancellation_deadline = models.DateTimeField("date limite d'annulation")
    trainers = models.CharField("formateurs", max_length=255, blank=True)
    # The trainers' accounts: they open the session's space (participants, QR attendance,
    # the list to tick, the sheet) at /formateur/.
    trainer_accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="comptes des formateurs", blank=True,
        related_name="trained_sessions", limit_choices_to={"groups__name": Role.TRAINER},
        help_text="Personnes du groupe « Formateur » : elles émargent les participants.")
    requires_approval = models.BooleanField(
        "inscriptions soumises à validation", default=False,
        help_text="Les demandes restent « en attente de validation » jusqu'à ce que l'équipe "
                  "les accepte.",
    )
    survey_url = models.URLField(
        "questionnaire de satisfaction", blank=True,
        help_text="Envoyé aux participants à la fin de la session.",
    )
    replay_url = models.URLField(
        "lien du replay", blank=True,
        help_text="Montré après la session aux participants confirmés et présents.",
    )
    waitlist_mode = models.CharField(
        "quand une place se libère", max_length=10, choices=WaitlistMode.choices,
        default=WaitlistMode.AUTOMATIC,
        help_text="Automatique : la première personne de la liste d'attente est inscrite. "
                  "Proposition : la place lui est réservée pendant le délai ci-dessous ; "
                  "si elle décline ou ne répond pas, la place passe à la suivante.",
    )
    offer_hours = models.PositiveSmallIntegerField(
        "délai pour accepter (heures)", default=48,
        validators=[MinValueValidator(1, "Le délai est d'au moins 1 heure."),
                    MaxValueValidator(168, "Le délai est d'au plus 168 heures (7 jours).")],
        help_text="De 1 à 168 heures ; utilisé quand la place est proposée.",
    )
    contact_email = models.EmailField(
        "contact de l'organisateur", blank=True,
        help_text="Indiqué aux participants qui veulent annuler après la date limite.",
    )
    status = models.CharField("statut", max_length=20, choices=Status.choices,
                              default=Status.SCHEDULED)
    updated_at = models.DateTimeField(auto_now=True)
    # iCalendar SEQUENCE: goes up whenever the time, place or status changes, so calendar
    # applications update the event instead of adding a second one.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = SessionQuerySet.as_manager()

    CALENDAR_FIELDS = ("start", "end", "address", "commune_id", "remote_url", "status")

    class Meta:
        verbose_name = "session"
        ordering = ["start"]
        indexes = [models.Index(fields=["course", "start"]), models.Index(fields=["start"])]

    def __str__(self):
        local = timezone.localtime(self.start)
        return f"{self.course.title} — {long_date(local)}"

    def save(self, *args, **kwargs):
        if self.pk:
            before = Session.objects.filter(pk=self.pk).values(
                "calendar_sequence", *self.CALENDAR_FIELDS).first()
            if before and any(before[f] != getattr(self, f) for f in self.CALENDAR_FIELDS):
                self.calendar_sequence = before["calendar_sequence"] + 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "calendar_sequence"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.course.url}#session-{self.pk}"

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "La fin doit être postérieure au début."
        if self.enrolment_opens and self.enrolment_closes and (
            self.enrolment_closes <= self.enrolment_opens
        ):
            errors["enrolment_closes"] = "La clôture doit suivre l'ouverture des inscriptions."
        if self.enrolment_closes and self.start and self.enrolment_closes > self.start:
            errors["enrolment_closes"] = "Les inscriptions doivent se clore avant le début."
        if self.cancellation_deadline and self.start and self.cancellation_deadline > self.start:
            errors["cancellation_deadline"] = (
                "La date limite d'annulation doit précéder le début de la session : les "
                "participants ne peuvent pas annuler une session commencée.")
        if not self.commune_id and not self.remote_url:
            errors["commune"] = "Indiquez une commune ou un lien de visioconférence."
        if self.pk and self.capacity is not None:
            confirmed = self.enrolments.filter(status__in=self.SEAT_STATUSES).count()
            if self.capacity < confirmed:
                errors["capacity"] = (
                    f"La capacité ne peut pas être inférieure au nombre d'inscrits confirmés "
                    f"({confirmed}). Annulez d'abord des inscriptions."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def cancellable_until(self):
        """The last moment participants may cancel themselves: the deadline, and never after
        the start (Session.clean refuses such a deadline; this covers older rows)."""
        return min(self.cancellation_deadline, self.start)

    @property
    def is_hybrid(self):
        """Held in a place and by videoconference: each participant chooses at enrolment."""
        return bool(self.commune_id and self.remote_url)

    def default_attendance_mode(self):
        """The only way to attend a session that is not hybrid ("" for a hybrid one)."""
        if self.is_hybrid:
            return ""
        return AttendanceMode.REMOTE if not self.commune_id else AttendanceMode.ON_SITE

    def planned_hours(self):
        """Hours of training this session gives in full: the course's duration, or the
        session's own schedule when it is shorter (one hour of lunch off each full day)."""
        nominal = float(self.course.duration_hours)
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        # Every day runs from the first day's starting time to the last day's ending time.
        daily = ((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)) / 60
        if daily <= 0:  # overnight or irregular schedule: only the course's figure is known
            return nominal
        if start.hour < 12 and end.hour >= 14:
            daily -= 1  # lunch
        scheduled = daily * ((end.date() - start.date()).days + 1)
        return round(min(nominal, scheduled), 1)

    def half_days(self):
        """[(date, "am"|"pm")] covered by the session, in Europe/Paris time: a day that
        starts after noon has no morning, one that ends before 2 pm no afternoon."""
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        slots, day = [], start.date()
        while day <= end.date():
            if day != start.date() or start.hour < 12:
                slots.append((day, "am"))
            if day != end.date() or end.hour >= 14:
                slots.append((day, "pm"))
            day += timezone.timedelta(days=1)
        return slots

    @property
    def enrolment_is_open(self):
        now = timezone.now()
        return (self.status == self.Status.SCHEDULED
                and self.enrolment_opens <= now < self.enrolment_closes)

    def _confirmed_enrolment(self, user):
        if not user.is_authenticated:
            return None
        return self.enrolments.filter(user=user, status="confirmed").first()

    def _viewers_enrolment(self, user, enrolment):
        """The viewer's confirmed enrolment: ``enrolment`` when the caller has it (the
        person's own, read with its attendances), else read."""
        if enrolment:
            return enrolment if enrolment.status == "confirmed" else None
        return self._confirmed_enrolment(user)

    def materials_visible_to(self, user, now=None, enrolment=None):
        """The session's documents are for the team, and for confirmed participants: until
        the end to prepare, then for those marked present on at least one half-day."""
        if user.is_authenticated and user.has_perm("academy.change_session"):
            return True
        enrolment = self._viewers_enrolment(user, enrolment)
        if enrolment is None:
            return False
        if (now or timezone.now()) <= self.end:
            return True
        return enrolment.was_present()

    def replay_visible_to(self, user, now=None, enrolment=None):
        """The replay link: after the session, to the confirmed participants marked present."""
        if not self.replay_url or (now or timezone.now()) <= self.end:
            return False
        enrolment = self._viewers_enrolment(user, enrolment)
        return bool(enrolment and enrolment.was_present())

    @property
    def place_label(self):
        """Commune and département code, e.g. "Beauvais (60)"; "À distance" without a place."""
        if self.commune_id:
            return f"{self.commune.name} ({self.commune.department.code})"
        return "À distance"


class AttendanceMode(models.TextChoices):
    ON_SITE = "on_site", "Sur place"
    REMOTE = "remote", "À distance"
