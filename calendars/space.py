"""The "Mon agenda" block of "Mon espace": subscription links for the personal feed."""

from django.conf import settings
from django.urls import reverse

from .models import CalendarToken


def personal_feed_urls(user) -> dict[str, str]:
    token = CalendarToken.objects.for_user(user).token
    https = settings.SITE_URL.rstrip("/") + reverse("calendars:personal_feed", args=[token])
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def space_section(request):
    return {"feed": personal_feed_urls(request.user)}
