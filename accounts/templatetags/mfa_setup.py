"""What the TOTP setup pages tell a person whose role requires two-factor authentication:
why they are there, and where to go once it is on."""

from django import template
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from ..middleware import MFA_NEXT_SESSION_KEY
from ..roles import Role

register = template.Library()


_ROLE_PHRASES = {Role.PREFET: "rôle de préfet", Role.ANCT_ADMIN: "rôle d'administrateur ANCT",
                 Role.ANCT_EDITOR: "rôle d'éditeur ANCT"}


def _role_label(user) -> str:
    for role, phrase in _ROLE_PHRASES.items():
        if role in user.role_names:
            return phrase
    return "accès à l'administration"


@register.simple_tag(takes_context=True)
def mfa_required_reason(context) -> str:
    """Why this person must set up TOTP (empty when their role does not require it)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.must_use_mfa:
        return ""
    return (f"Votre {_role_label(user)} donne accès à des données sensibles : la double "
            "authentification est obligatoire. Installez une application d'authentification "
            "(par exemple FreeOTP, Aegis ou Google Authenticator) sur votre téléphone, "
            "scannez le code QR puis saisissez le code à 6 chiffres qu'elle affiche.")


@register.simple_tag(takes_context=True)
def mfa_next_page(context):
    """The page the person was sent away from to set up TOTP, as (url, title) or None."""
    request = context.get("request")
    if request is None:
        return None
    url = request.session.get(MFA_NEXT_SESSION_KEY)
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return None
    path = url.split("?", 1)[0]
    if path.startswith("/admin/"):
        label = "l'administration"
    elif path.startswith("/tableau-de-bord/"):
        label = "le tableau de bord"
    elif path.startswith("/conseillers-numeriques/"):
        label = "l'espace Conseillers numériques"
    else:
        label = "la page demandée"
    try:
        resolve(path)
    except Resolver404:
        if not path.startswith("/admin/"):
            return None
    return {"url": url, "label": label}
