"""The "Mon agenda" block of "Mon espace": subscription links for the personal feed."""

from django.conf import settings
from django.urls import reverse

from accounts import space_cache

from .models import CalendarToken


def personal_feed_urls(user) -> dict[str, str]:
    token = CalendarToken.objects.for_user(user).token
    https = settings.SITE_URL.rstrip("/") + reverse("calendars:personal_feed", args=[token])
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def space_section(request):
    return {"feed": personal_feed_urls(request.user)}


def _token_changed(sender, instance, **kwargs):
    space_cache.bump_person(instance.user_id)


def connect():
    """"Mon espace" shows the link: renewed with the token (kept per person)."""
    from django.db.models.signals import post_delete, post_save

    for signal in (post_save, post_delete):
        signal.connect(_token_changed, sender=CalendarToken,
                       dispatch_uid=f"space-calendar-token-{signal}")
