import secrets

from django.conf import settings
from django.db import models


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        """The person's token, created on first use."""
        token, _ = self.get_or_create(user=user, defaults={"token": new_token()})
        return token


class CalendarToken(models.Model):
    """The secret in a person's personal feed URL. Resetting it makes the old URL a 404."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField("créé le", auto_now=True)

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'agenda personnel"

    def __str__(self):
        return f"Agenda de {self.user}"

    def reset(self):
        self.token = new_token()
        self.save(update_fields=["token", "created_at"])
