"""Enrolments in a session and the presence of each participant per half-day."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from calendars.dates import long_date

from .sessions import AttendanceMode, Session

# The videoconference link is shown to remote participants from this long before the start.
VISIO_OPENS_BEFORE = timezone.timedelta(minutes=30)


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Enrolment.ACTIVE_STATUSES)

    def holding_seats(self):
        return self.filter(status__in=Session.SEAT_STATUSES)

    def waitlist(self):
        return self.filter(status=Enrolment.Status.WAITLISTED).order_by("waitlisted_at", "pk")

    def for_user(self, user):
        return self.filter(user=user).select_related(
            "session__course", "session__commune__department"
        )

    def clashing_with(self, session, user):
        """The person's other active enrolments in sessions still held that are of the
        same course or overlap this session's time."""
        return (
            self.active().filter(user=user, session__status=Session.Status.SCHEDULED)
            .exclude(session=session)
            .filter(Q(session__course_id=session.course_id)
                    | Q(session__start__lt=session.end, session__end__gt=session.start))
            .select_related("session__course").order_by("session__start")
        )


class Enrolment(models.Model):
    """A person's place (or wait) in a session; the rules live in services.py."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente de validation"
        CONFIRMED = "confirmed", "Confirmée"
        WAITLISTED = "waitlisted", "Liste d'attente"
        CANCELLED = "cancelled", "Annulée"
        CANCELLED_BY_ORGANISER = "cancelled_by_organiser", "Annulée par l'organisateur"
        REFUSED = "refused", "Refusée"
        # A waiting-list offer (academy/offers.py): the seat is held until the deadline.
        OFFERED = "offered", "Place proposée"
        OFFER_DECLINED = "offer_declined", "Place déclinée"
        OFFER_EXPIRED = "offer_expired", "Proposition expirée"

    ACTIVE_STATUSES = [Status.PENDING, Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED]

    session = models.ForeignKey(Session, verbose_name="session", on_delete=models.PROTECT,
                                related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="participant",
                             on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField("statut", max_length=30, choices=Status.choices)
    priority = models.PositiveSmallIntegerField(
        "priorité", default=0,
        help_text="Indication calculée à l'inscription : premier mandat, commune de moins de "
                  "3 500 habitants, collectivité du territoire de la session.",
    )
    waitlisted_at = models.DateTimeField("en liste d'attente depuis", null=True, blank=True)
    created_at = models.DateTimeField("inscrit le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    reminder_7_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_1_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    survey_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Added to the session's SEQUENCE in this person's invitations: goes up when they
    # cancel or come back, so each CANCEL or new REQUEST supersedes the previous email.
    invitation_sequence = models.PositiveIntegerField(default=0, editable=False)
    attendance_mode = models.CharField(
        "participation", max_length=10, choices=AttendanceMode.choices, blank=True,
        help_text="Sur place ou à distance : choisi par le participant pour une session "
                  "hybride.",
    )
    offered_at = models.DateTimeField("place proposée le", null=True, blank=True,
                                      editable=False)
    offer_expires_at = models.DateTimeField("proposition valable jusqu'au", null=True,
                                            blank=True, editable=False)
    mandate = models.ForeignKey(
        "academy.Mandate", verbose_name="au titre du mandat", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="enrolments",
        help_text="Les heures de formation sont comptées une fois, au titre de ce mandat.",
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription"
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_enrolment_per_session")
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self):
        return f"{self.user} — {self.session}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    def offer_is_open(self, now=None):
        """A waiting-list offer still open: checked on read, so an offer past its deadline
        is never open, even before the expiry job (academy.offers.expire_offers) runs."""
        return (self.status == self.Status.OFFERED and self.offer_expires_at is not None
                and (now or timezone.now()) < self.offer_expires_at)

    def waitlist_rank(self):
        """"3e sur la liste d'attente" (None when not on the list)."""
        position = self.waitlist_position()
        if position is None:
            return None
        return f"{position}{'er' if position == 1 else 'e'} sur la liste d'attente"

    def waitlist_position(self):
        if self.status != self.Status.WAITLISTED:
            return None
        ahead = Enrolment.objects.waitlist().filter(session_id=self.session_id).filter(
            Q(waitlisted_at__lt=self.waitlisted_at)
            | Q(waitlisted_at=self.waitlisted_at, pk__lt=self.pk)
        )
        return ahead.count() + 1

    def can_self_cancel(self, now=None):
        now = now or timezone.now()
        return self.is_active and now <= self.session.cancellable_until

    @property
    def attends_remotely(self):
        """True when this person follows the session by videoconference: a remote-only
        session, or a hybrid one for which they chose "À distance"."""
        session = self.session
        if not session.remote_url:
            return False
        if session.is_hybrid:
            return self.attendance_mode == AttendanceMode.REMOTE
        return not session.commune_id

    @property
    def visio_url(self):
        """The videoconference link for this person ("" when they attend on site)."""
        return self.session.remote_url if self.attends_remotely else ""

    def visio_opens_at(self):
        return self.session.start - VISIO_OPENS_BEFORE

    def visio_link_visible(self, now=None):
        """Whether to offer "Rejoindre la visio": a confirmed remote participant of a
        scheduled session, from 30 minutes before the start until the end."""
        now = now or timezone.now()
        session = self.session
        return (self.status == self.Status.CONFIRMED and self.attends_remotely
                and session.status == Session.Status.SCHEDULED
                and self.visio_opens_at() <= now <= session.end)

    def attendance_label(self):
        """How the person attended ("Sur place", "À distance"), or "" for a session held
        one way only."""
        if not self.session.is_hybrid:
            return ""
        return self.get_attendance_mode_display()

    def present_half_days(self):
        return sum(1 for a in self.attendances.all() if a.status == Attendance.Status.PRESENT)

    def was_present(self):
        """Marked present on at least one half-day (from the prefetched attendances when
        they were read with the enrolment)."""
        if "attendances" in getattr(self, "_prefetched_objects_cache", {}):
            return self.present_half_days() > 0
        return self.attendances.filter(status=Attendance.Status.PRESENT).exists()

    def hours_attended(self):
        """Hours credited for the half-days marked present: the session's planned hours
        (see Session.planned_hours) shared equally between its half-days."""
        slots = self.session.half_days()
        if not slots:
            return 0
        return round(self.session.planned_hours() * self.present_half_days() / len(slots), 1)

    def outcome_label(self):
        """What a past enrolment came to, as "Mon espace" says it: "Présent (3 demi-journées
        sur 4)", "Absent", "Excusé", "Présence non renseignée", or the status."""
        if self.status == self.Status.WAITLISTED:
            return "Restée sur liste d'attente"
        if self.status == self.Status.OFFERED:
            return "Place proposée restée sans réponse"
        if self.status == self.Status.PENDING:
            return "Demande restée sans réponse"
        if self.status != self.Status.CONFIRMED:
            return self.get_status_display()
        marks = [a.status for a in self.attendances.all()]
        if not marks:
            return "Présence non renseignée"
        present = marks.count(Attendance.Status.PRESENT)
        if present:
            slots = len(self.session.half_days())
            if present >= slots:
                return "Présent"
            return f"Présent ({present} demi-journée{'s' if present > 1 else ''} sur {slots})"
        if all(mark == Attendance.Status.EXCUSED for mark in marks):
            return "Excusé"
        return "Absent"

    def counted_mandate(self, mandates):
        """The mandate, among the person's ``mandates`` (ordered by start), under which this
        training counts: the one chosen at enrolment, else (older enrolments, a deleted
        mandate) the earliest one already held on the session's first day. Never several."""
        by_id = {m.pk: m for m in mandates}
        if self.mandate_id in by_id:
            return by_id[self.mandate_id]
        day = timezone.localtime(self.session.start).date()
        return next((m for m in mandates if m.started_on <= day), None)


class Attendance(models.Model):
    """Presence of one participant for one half-day of a session."""

    class Status(models.TextChoices):
        PRESENT = "present", "Présent"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excusé"

    class Period(models.TextChoices):
        MORNING = "am", "Matin"
        AFTERNOON = "pm", "Après-midi"

    class Mode(models.TextChoices):
        """How the mark was recorded (shown on the attendance sheet)."""
        QR = "qr", "QR code scanné"
        TRAINER = "trainer", "Pointé par le formateur"
        ANCT = "anct", "Correction ANCT"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    day = models.DateField("jour")
    period = models.CharField("demi-journée", max_length=2, choices=Period.choices)
    status = models.CharField("présence", max_length=10, choices=Status.choices)
    mode = models.CharField("mode d'enregistrement", max_length=10, choices=Mode.choices,
                            blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="enregistrée par", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("enregistrée le", null=True, blank=True)
    arrived_at = models.TimeField("arrivée tardive à", null=True, blank=True)
    left_at = models.TimeField("départ anticipé à", null=True, blank=True)

    class Meta:
        verbose_name = "présence"
        constraints = [models.UniqueConstraint(fields=["enrolment", "day", "period"],
                                               name="one_attendance_per_half_day")]

    def __str__(self):
        return f"{self.enrolment.user} — {long_date(self.day)} {self.get_period_display()}"
