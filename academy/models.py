from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from calendars.dates import long_date
from cms.blocks import ContentBlocks


class CourseTheme(models.Model):
    """A catalogue theme (transition écologique, numérique…), edited by ANCT editors."""

    name = models.CharField("nom", max_length=100, unique=True)
    slug = models.SlugField(unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        verbose_name = "thème"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Partner(models.Model):
    name = models.CharField("nom", max_length=150, unique=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name="logo", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    url = models.URLField("site", blank=True)

    panels = [FieldPanel("name"), FieldPanel("logo"), FieldPanel("url")]

    class Meta:
        verbose_name = "partenaire"
        ordering = ["name"]

    def __str__(self):
        return self.name


register_snippet(CourseTheme)
register_snippet(Partner)


class Audience(models.TextChoices):
    ELECTED_OFFICIALS = "elected", "Élus locaux"
    ADVISORS = "advisors", "Conseillers numériques"
    AGENTS = "agents", "Agents des collectivités"
    ALL = "all", "Tous publics"


class Format(models.TextChoices):
    ON_SITE = "on_site", "En présentiel"
    REMOTE = "remote", "À distance"
    HYBRID = "hybrid", "Hybride"


class CatalogPage(Page):
    """The catalogue at /formations/: lists and filters course pages."""

    intro = models.TextField("introduction", blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["academy.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = "catalogue des formations"

    def serve(self, request, *args, **kwargs):
        from .views import catalog

        return catalog(request, self)


class CoursePage(Page):
    summary = models.TextField("résumé", max_length=500)
    objectives = RichTextField("objectifs pédagogiques", features=["ul", "bold", "italic"])
    programme = StreamField(ContentBlocks(), verbose_name="programme", blank=True)
    themes = ParentalManyToManyField(CourseTheme, verbose_name="thèmes", blank=True)
    audience = models.CharField("public", max_length=20, choices=Audience.choices,
                                default=Audience.ELECTED_OFFICIALS)
    format = models.CharField("format", max_length=20, choices=Format.choices,
                              default=Format.ON_SITE)
    duration_hours = models.DecimalField("durée (heures)", max_digits=5, decimal_places=1)
    partners = ParentalManyToManyField(Partner, verbose_name="partenaires", blank=True)
    price = models.DecimalField(
        "prix (€)", max_digits=8, decimal_places=2, null=True, blank=True,
        help_text="Laisser vide si la formation est gratuite.",
    )
    dif_eligible = models.BooleanField("éligible au DIF élus", default=False)
    programme_page = models.ForeignKey(
        "cms.ProgrammePage", verbose_name="programme national", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="courses",
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.SearchField("programme"),
        index.FilterField("audience"),
        index.FilterField("format"),
    ]
    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        # cms.PageIllustration: shown on the course's card and page, with its alt text.
        InlinePanel("illustrations", max_num=1, heading="Image", label="Image"),
        FieldPanel("objectives"),
        FieldPanel("programme"),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("audience"),
                FieldPanel("format"),
                FieldPanel("duration_hours"),
                FieldPanel("programme_page"),
            ],
            heading="Caractéristiques",
        ),
        MultiFieldPanel(
            [
                FieldPanel("price"),
                FieldPanel("dif_eligible"),
                FieldPanel("partners", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Financement et partenaires",
        ),
        HelpPanel(
            template="academy/admin/course_sessions_panel.html", heading="Sessions",
        ),
    ]
    parent_page_types = ["academy.CatalogPage"]
    subpage_types = []

    class Meta:
        verbose_name = "formation"

    @property
    def is_free(self):
        return not self.price

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A course previewed before its first save has no sessions yet.
        context["sessions"] = (
            Session.objects.filter(course=self).scheduled().upcoming().with_seats()
            .select_related("commune__department")
            if self.pk else Session.objects.none()
        )
        context["now"] = timezone.now()
        mine = {}
        if request.user.is_authenticated and self.pk:
            mine = {e.session_id: e for e in Enrolment.objects.filter(
                user=request.user, session__course=self)}
        for session in context["sessions"]:
            session.my_enrolment = mine.get(session.pk)
        return context


class SessionQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(end__gte=timezone.now()).order_by("start")

    def scheduled(self):
        return self.filter(status=Session.Status.SCHEDULED)

    def with_seats(self):
        """Annotates ``seats_taken`` and ``seats_left`` (confirmed enrolments only)."""
        taken = Count("enrolments", filter=Q(enrolments__status__in=Session.SEAT_STATUSES))
        return self.annotate(seats_taken=taken, seats_left=F("capacity") - taken)

    def next_for_courses(self):
        """Subquery: the id of each course's next scheduled session."""
        return Subquery(
            self.filter(course=OuterRef("pk"), end__gte=timezone.now(),
                        status=Session.Status.SCHEDULED)
            .order_by("start").values("pk")[:1]
        )


class Session(models.Model):
    """A dated occurrence of a course. Not part of the page's revisions: editing or
    reverting the course never touches its sessions."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Programmée"
        CANCELLED = "cancelled", "Annulée"

    # Enrolment statuses that hold a seat.
    SEAT_STATUSES = ["confirmed"]

    course = models.ForeignKey(CoursePage, verbose_name="formation", on_delete=models.PROTECT,
                               related_name="sessions")
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
    requires_approval = models.BooleanField(
        "inscriptions soumises à validation", default=False,
        help_text="Les demandes restent « en attente de validation » jusqu'à ce que l'équipe "
                  "les accepte.",
    )
    survey_url = models.URLField(
        "questionnaire de satisfaction", blank=True,
        help_text="Envoyé aux participants à la fin de la session.",
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

    @property
    def place_label(self):
        """Commune and département code, e.g. "Beauvais (60)"; "À distance" without a place."""
        if self.commune_id:
            return f"{self.commune.name} ({self.commune.department.code})"
        return "À distance"


class AttendanceMode(models.TextChoices):
    ON_SITE = "on_site", "Sur place"
    REMOTE = "remote", "À distance"


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

    ACTIVE_STATUSES = [Status.PENDING, Status.CONFIRMED, Status.WAITLISTED]

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

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    day = models.DateField("jour")
    period = models.CharField("demi-journée", max_length=2, choices=Period.choices)
    status = models.CharField("présence", max_length=10, choices=Status.choices)

    class Meta:
        verbose_name = "présence"
        constraints = [models.UniqueConstraint(fields=["enrolment", "day", "period"],
                                               name="one_attendance_per_half_day")]

    def __str__(self):
        return f"{self.enrolment.user} — {long_date(self.day)} {self.get_period_display()}"


class MandateRole(models.TextChoices):
    MAYOR = "maire", "Maire"
    DELEGATE_MAYOR = "maire_delegue", "Maire délégué"
    DEPUTY_MAYOR = "adjoint", "Adjoint au maire"
    MUNICIPAL_COUNCILLOR = "conseiller_municipal", "Conseiller municipal"
    EPCI_PRESIDENT = "president_epci", "Président d'EPCI"
    EPCI_VICE_PRESIDENT = "vice_president_epci", "Vice-président d'EPCI"
    EPCI_COUNCILLOR = "conseiller_epci", "Conseiller communautaire (EPCI)"
    DEPARTMENT_PRESIDENT = "president_departement", "Président du conseil départemental"
    DEPARTMENT_COUNCILLOR = "conseiller_departemental", "Conseiller départemental"
    REGION_PRESIDENT = "president_region", "Président du conseil régional"
    REGION_COUNCILLOR = "conseiller_regional", "Conseiller régional"


# The level of local authority each mandate is held in (see territories.authorities).
MANDATE_LEVELS = {
    MandateRole.MAYOR: "commune", MandateRole.DELEGATE_MAYOR: "commune",
    MandateRole.DEPUTY_MAYOR: "commune", MandateRole.MUNICIPAL_COUNCILLOR: "commune",
    MandateRole.EPCI_PRESIDENT: "epci", MandateRole.EPCI_VICE_PRESIDENT: "epci",
    MandateRole.EPCI_COUNCILLOR: "epci",
    MandateRole.DEPARTMENT_PRESIDENT: "departement",
    MandateRole.DEPARTMENT_COUNCILLOR: "departement",
    MandateRole.REGION_PRESIDENT: "region", MandateRole.REGION_COUNCILLOR: "region",
}


class OfficialProfile(models.Model):
    """What the Académie needs to know about an elected official."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="official_profile")
    is_employee = models.BooleanField(
        "salarié", null=True, blank=True,
        help_text="Les élus salariés ont droit à un congé de formation (18 jours par mandat).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "profil d'élu"

    def __str__(self):
        return str(self.user)


class Mandate(models.Model):
    profile = models.ForeignKey(OfficialProfile, on_delete=models.CASCADE,
                                related_name="mandates")
    role = models.CharField("fonction", max_length=30, choices=MandateRole.choices)
    commune = models.ForeignKey("territories.Commune", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    epci = models.ForeignKey("territories.Epci", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("territories.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("territories.Region", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField("début du mandat")
    is_first_mandate = models.BooleanField("premier mandat", default=False)

    # No élu in office today took up a mandate before this day.
    EARLIEST_START = date(1950, 1, 1)

    class Meta:
        verbose_name = "mandat"
        ordering = ["started_on", "pk"]

    def __str__(self):
        return f"{self.get_role_display()} — {self.authority}"

    def clean(self):
        if self.started_on is None:
            return
        if self.started_on < self.EARLIEST_START:
            raise ValidationError({"started_on": (
                "Cette date est trop ancienne : indiquez le début de votre mandat actuel "
                "(au plus tôt le 1er janvier 1950).")})
        if self.started_on > timezone.localdate():
            raise ValidationError({"started_on": (
                "Un mandat ne peut pas commencer dans le futur : indiquez la date de votre "
                "installation, au plus tard aujourd'hui.")})

    @property
    def level(self):
        return MANDATE_LEVELS[self.role]

    @property
    def authority(self):
        return {"commune": self.commune, "epci": self.epci, "departement": self.department,
                "region": self.region}[self.level]

    def set_authority(self, authority):
        self.commune = self.epci = self.department = self.region = None
        setattr(self, {"commune": "commune", "epci": "epci", "departement": "department",
                       "region": "region"}[self.level], authority)
