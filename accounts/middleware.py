from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class StaffMfaRequiredMiddleware:
    """Sends staff without two-factor authentication to set it up before the back office."""

    protected_prefix = "/admin/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(self.protected_prefix)
            and user.must_use_mfa
            and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            messages.warning(
                request,
                "L'accès à l'administration exige la double authentification : "
                "configurez une application d'authentification pour continuer.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
