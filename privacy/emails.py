"""The messages of the privacy app (French, plain text), queued after commit."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.emails import queue_email
from calendars import dates

from .services import WARNING_NOTICE


def _day(moment):
    """"1er avril 2026", the day in Europe/Paris."""
    return dates.long_date(moment)


def _absolute(url_name):
    return settings.SITE_URL.rstrip("/") + reverse(url_name)


def inactivity_warning(user, *, sent_at, agent=False):
    """Tells the person their account will be erased (an agent's: deactivated) 30 days
    from now unless they log in."""
    context = {
        "user": user,
        "since": _day(user.last_activity),
        "never_logged_in": user.last_login is None,
        "deadline": _day(sent_at + WARNING_NOTICE),
        "login_url": _absolute("account_login"),
        "data_url": _absolute("privacy:my_data"),
        "register_url": _absolute("privacy:register"),
        "agent": agent,
    }
    subject = ("Votre compte sera désactivé faute de connexion"
               if agent else "Votre compte sera supprimé faute de connexion")
    queue_email(subject=f"[Académie des territoires] {subject}", to=[user.email],
                text=render_to_string("privacy/emails/inactivity_warning.txt", context))

