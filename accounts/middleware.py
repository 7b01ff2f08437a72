from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.urls import reverse

from .models import User
from .roles import MFA_REQUIRED_ROLES


def lacks_required_totp(user) -> bool:
    """Whether ``user`` must use two-factor authentication (``User.must_use_mfa``) and has no
    TOTP yet, read in one query since it runs on every guarded request."""
    must = Q(is_staff=True) | Q(is_superuser=True) | Q(
        Exists(Group.objects.filter(user=OuterRef("pk"), name__in=list(MFA_REQUIRED_ROLES)))
    )
    has_totp = Exists(
        Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    )
    return User.objects.filter(must, ~Q(has_totp), pk=user.pk).exists()


class StaffMfaRequiredMiddleware:
    """Sends users whose role requires two-factor authentication (ANCT staff, préfets) to set
    it up before any page of the back office or of the areas where their role gives access.

    Only the listed prefixes are guarded: the account pages under ``/comptes/`` (including
    the TOTP setup and logout), static files and the public site stay reachable, so that the
    person can always set up TOTP or leave.
    """

    protected_prefixes = ("/admin/", "/conseillers-numeriques/", "/tableau-de-bord/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(self.protected_prefixes)
            and lacks_required_totp(user)
        ):
            messages.warning(
                request,
                "Votre rôle exige la double authentification : configurez une application "
                "d'authentification pour continuer.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
