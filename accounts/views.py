from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .spaces import sections_for


@login_required
def account_home(request):
    """"Mon espace": the signed-in person's landing page."""
    has_mfa = Authenticator.objects.filter(
        user=request.user, type=Authenticator.Type.TOTP
    ).exists()
    return render(
        request,
        "accounts/home.html",
        {"has_mfa": has_mfa, "roles": request.user.role_names,
         "sections": sections_for(request)},
    )
