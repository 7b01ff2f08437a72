from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.urls import reverse

from .models import User
from .roles import MFA_REQUIRED_ROLES

# The page a person was sent away from to set up TOTP, offered again once it is on.
MFA_NEXT_SESSION_KEY = "accounts_mfa_next"


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
            # The setup page explains why (accounts/templatetags/mfa_setup) and, once TOTP is
            # on, offers to continue to the page the person wanted.
            if request.method == "GET":
                request.session[MFA_NEXT_SESSION_KEY] = request.get_full_path()
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class AdminAccessMiddleware:
    """A signed-in person without access to the back office gets a French 403 page under
    ``/admin/``, with ways out (their space, another account, the home page). Wagtail would
    send them to the login page, which sends a signed-in person back to ``/admin/``: an
    endless loop of redirections."""

    prefix = "/admin/"
    # Left to their own views: the redirections to allauth's pages and the admin's public
    # assets (translations, icons), the same for everyone.
    open_paths = ("/admin/login/", "/admin/password_reset/", "/admin/jsi18n/",
                  "/admin/sprite/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith(self.prefix)
            and not request.path.startswith(self.open_paths)
            and user is not None
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            return render(request, "accounts/admin_forbidden.html",
                          {"next": request.get_full_path()}, status=403)
        return self.get_response(request)
