"""Brute-force protection of sign-in without locking the owner out.

Failures are counted per account *and* client address: from one address, the attempts on one
account are slowed down by progressive delays (none for the first ``FREE_FAILURES``, then
30 s, 1 min, 2 min… up to 15 min), during which the password is not even checked. Someone
failing from another address does not delay the owner. The owner, if delayed, can receive a
link by email that lifts the delay (no captcha). Across addresses, when an account collects
``ALERT_THRESHOLD`` failures within an hour, the ANCT administrators are told by email (at
most once an hour per account). allauth's own limit stays, per address only, across
accounts (``ACCOUNT_RATE_LIMITS["login_failed"]``)."""

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse

from .network import client_ip

logger = logging.getLogger(__name__)

FREE_FAILURES = 3
FIRST_DELAY = 30  # seconds, doubled at each further failure
MAX_DELAY = 15 * 60
FORGET_AFTER = 60 * 60  # a pair's failures are forgotten an hour after the last one
ALERT_THRESHOLD = 20
ALERT_WINDOW = 60 * 60
UNLOCK_LINK_MAX_AGE = 60 * 60
UNLOCK_SALT = "accounts.lockout.unlock"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _pair_key(email: str, ip: str) -> str:
    return f"login-failures:{_digest(email.strip().lower(), ip)}"


def _account_key(email: str) -> str:
    return f"login-failures-account:{_digest(email.strip().lower())}"


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures of one account+address."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - FREE_FAILURES))


def seconds_to_wait(email: str, ip: str, now: float | None = None) -> int:
    state = cache.get(_pair_key(email, ip))
    if not state:
        return 0
    now = time.time() if now is None else now
    return max(0, math.ceil(state["until"] - now))


def record_failure(email: str, ip: str, now: float | None = None) -> int:
    """Counts a failure; returns the delay (seconds) now imposed on this account+address."""
    now = time.time() if now is None else now
    key = _pair_key(email, ip)
    state = cache.get(key) or {"failures": 0, "until": 0}
    state["failures"] += 1
    delay = delay_after(state["failures"])
    state["until"] = now + delay
    cache.set(key, state, FORGET_AFTER + delay)
    _count_for_account(email)
    return delay


def clear(email: str, ip: str) -> None:
    cache.delete(_pair_key(email, ip))


def _count_for_account(email: str) -> None:
    key = _account_key(email)
    cache.add(key, 0, ALERT_WINDOW)
    try:
        total = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, ALERT_WINDOW)
        total = 1
    if total >= ALERT_THRESHOLD and cache.add(f"{key}:alerted", 1, ALERT_WINDOW):
        alert_staff(email, total)


def alert_staff(email: str, failures: int) -> None:
    """Tells the ANCT administrators (and superusers) that an account is being tried."""
    from .emails import queue_email
    from .models import User
    from .roles import Role

    logger.warning("Repeated failed logins on an account (%s failures within an hour)",
                   failures)
    recipients = sorted(set(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ANCT_ADMIN),
                            is_active=True).values_list("email", flat=True)
    ))
    if not User.objects.filter(email__iexact=email).exists() or not recipients:
        return
    queue_email(
        subject="[Académie des territoires] Tentatives de connexion répétées",
        to=recipients,
        text=(
            "Bonjour,\n\n"
            f"Le compte {email} a subi {failures} tentatives de connexion échouées en moins "
            "d'une heure, depuis une ou plusieurs adresses. Chaque adresse est ralentie ; "
            "le titulaire du compte peut toujours se connecter depuis la sienne.\n\n"
            "Si ces tentatives continuent, vérifiez avec la personne concernée que son mot de "
            "passe est solide et que la double authentification est active.\n"
        ),
    )


# --- unlock by email ----------------------------------------------------------------------
def unlock_token(email: str, ip: str) -> str:
    return signing.dumps({"e": email.strip().lower(), "ip": ip}, salt=UNLOCK_SALT)


def read_unlock_token(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=UNLOCK_SALT, max_age=UNLOCK_LINK_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None


def send_unlock_link(request, email: str) -> None:
    """Emails a link lifting the delay of this account from the requester's address; nothing
    is sent (and nothing differs in the answer) when no account has this address."""
    from allauth.account.models import EmailAddress

    from .emails import queue_email
    from .site import on_site

    email = email.strip().lower()
    if not EmailAddress.objects.filter(email__iexact=email, verified=True).exists():
        return
    link = on_site(request.build_absolute_uri(
        reverse("account_unlock_confirm", args=[unlock_token(email, client_ip(request))])))
    queue_email(
        subject="[Académie des territoires] Débloquer votre connexion",
        to=[email],
        text=(
            "Bonjour,\n\n"
            "Après plusieurs mots de passe erronés, les connexions à votre compte ont été "
            "ralenties depuis votre adresse. Pour les débloquer, ouvrez ce lien (valable une "
            f"heure) :\n\n{link}\n\n"
            "Si vous n'êtes pas à l'origine de ces tentatives, quelqu'un essaie peut-être "
            "votre mot de passe : il lui reste ralenti. Vous pouvez le changer depuis « Mon "
            "espace » une fois connecté.\n\n"
            f"L'équipe de la plateforme Académie des territoires\n{settings.SITE_URL}\n"
        ),
    )


def unlock(request, data: dict) -> None:
    """Lifts the delay for the address that asked for the link and the one opening it."""
    clear(data["e"], data["ip"])
    clear(data["e"], client_ip(request))
