import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from .roles import MFA_REQUIRED_ROLES, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def with_role(self, role: Role):
        return self.filter(groups__name=role)


class User(AbstractUser):
    """A person with an account; the email address is the login."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.email

    def has_role(self, role: Role) -> bool:
        return self.groups.filter(name=role).exists()

    @property
    def role_names(self) -> list[str]:
        """The names of this person's role groups, read once per instance (each request has
        its own): a page asks several times. Adding or removing a group through this
        instance forgets them (``forget_roles``, connected in ``AccountsConfig.ready``)."""
        names = getattr(self, "_role_names", None)
        if names is None:
            names = self._role_names = [group.name for group in self.groups.all()]
        return names

    @property
    def must_use_mfa(self) -> bool:
        """ANCT staff (administrators, editors, any back-office user) and préfets must use
        MFA."""
        if self.is_staff or self.is_superuser:
            return True
        return self.groups.filter(name__in=list(MFA_REQUIRED_ROLES)).exists()


def new_outgoing_key() -> str:
    return uuid.uuid4().hex


class OutgoingEmailQuerySet(models.QuerySet):
    def failed(self):
        return self.filter(status=OutgoingEmail.Status.FAILED)

    def due(self, now, *, fresh_after, stale_after):
        """Messages a worker should (re)try now: never tried and older than ``fresh_after``
        (the broker was down when they were queued), between two attempts and whose next
        attempt is due (retries are scheduled here, not in the broker), or "sending" for
        longer than ``stale_after`` (the worker died while talking to the SMTP server).
        A message handed to a worker is not due again before ``next_attempt_at``."""
        Status = OutgoingEmail.Status
        not_handed = models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
        return self.filter(
            models.Q(status=Status.PENDING, attempts=0, updated_at__lte=now - fresh_after)
            & not_handed
            | models.Q(status=Status.PENDING, attempts__gt=0, next_attempt_at__lte=now)
            | models.Q(status=Status.SENDING, updated_at__lte=now - stale_after)
        )


class OutgoingEmail(models.Model):
    """The outbox: every email is saved here in the transaction that decides to send it,
    then a Celery task delivers it. A message survives a broker outage, and a re-run task
    never sends a message twice (see ``accounts.outbox``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENDING = "sending", "Envoi en cours"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"

    key = models.CharField("clé d'idempotence", max_length=255, unique=True,
                           default=new_outgoing_key)
    subject = models.CharField("objet", max_length=998)
    to = models.JSONField("destinataires", default=list)
    text = models.TextField("texte")
    html = models.TextField("HTML", blank=True)
    from_email = models.CharField("expéditeur", max_length=320, blank=True)
    calendar_method = models.CharField("méthode iCalendar", max_length=20, blank=True)
    calendar_content = models.TextField("invitation iCalendar", blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    # SMTP failing: the first failure of the current run of failures (given up a day after
    # it), and when the next attempt is due (the minute flush hands it to a worker then).
    failing_since = models.DateTimeField("en échec depuis", null=True, blank=True)
    next_attempt_at = models.DateTimeField("prochaine tentative", null=True, blank=True)
    # A message written by the worker that sends it (``accounts.emails.queue_composed``):
    # the name of a feature's composer and what it needs; subject and bodies are filled in
    # before the first attempt and kept.
    composer = models.CharField("rédaction", max_length=100, blank=True)
    composer_arguments = models.JSONField("données de rédaction", default=dict, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "courriel sortant"
        verbose_name_plural = "courriels sortants"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"{self.subject or '(rédigé à l’envoi)'} → {self.recipients}"

    @property
    def recipients(self) -> str:
        return ", ".join(self.to)


class NoticePreference(models.Model):
    """A person's choice about one kind of optional notice (a reminder, a digest) that a
    feature app declares in ``accounts.notices``; without a row the notice is sent.
    Decisions on a person's files are never optional and have no row here."""

    user = models.ForeignKey(User, verbose_name="utilisateur", on_delete=models.CASCADE,
                             related_name="notice_preferences")
    kind = models.CharField("type de notification", max_length=60)
    enabled = models.BooleanField("reçue", default=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="one_notice_preference_per_kind")]

    def __str__(self):
        return f"{self.kind} : {'oui' if self.enabled else 'non'}"


class SentNotice(models.Model):
    """A notice sent once (a reminder at a threshold, a weekly digest): its row, keyed by
    kind and a feature's key ("convention:12:90:2027-01-01:user:5", "week:2026-W49:user:5"),
    is written in the transaction that queues the email, so a job run twice, or on the
    next day, finds it and sends nothing more."""

    kind = models.CharField("type de notification", max_length=60)
    key = models.CharField("clé", max_length=200)
    user = models.ForeignKey(User, verbose_name="destinataire", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "notification envoyée"
        verbose_name_plural = "notifications envoyées"
        constraints = [models.UniqueConstraint(fields=["kind", "key"],
                                               name="one_sent_notice_per_key")]

    def __str__(self):
        return f"{self.kind} {self.key}"


def forget_roles(sender, instance, action, **kwargs):
    """``m2m_changed`` of ``User.groups``: the instance reads its roles again."""
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, User):
        instance.__dict__.pop("_role_names", None)
