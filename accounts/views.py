from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.safestring import mark_safe

from core import personal_pages

from . import lockout, notices, space_cache, spaces


@login_required
def account_home(request):
    """"Mon espace": the signed-in person's landing page. Its body is kept per person and
    version (``accounts.space_cache``); the page around it (header, messages) is rendered
    for each request."""
    user = request.user
    # The whole page may be kept for this session (core.personal_pages) while the person's
    # and everyone's versions hold (``space_cache.person_keys``, read by the middleware
    # before anything the page shows).
    personal_pages.depend(request)
    current = space_cache.versions(user.pk)
    body = space_cache.kept_body(user.pk, current)
    if body is None:
        body = spaces.build_body(request, ("accounts/home_head.html", {}), (
            "accounts/home_account.html", {
                "has_mfa": Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP).exists(),
                "roles": user.role_names,
                "has_optional_notices": bool(notices.for_user(user))}))
        space_cache.keep_body(user.pk, current, body)
    spaces.keep_whole(request, body)
    return render(request, "accounts/home.html",
                  {"body": mark_safe(spaces.serve_body(request, body))})  # noqa: S308


# --- unlock of a slowed-down login (accounts.lockout) ------------------------------------------
class UnlockRequestForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique de votre compte", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def unlock_request(request):
    """Asks for the link that lifts the delay; the same answer whether or not an account has
    this address."""
    form = UnlockRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        limited = ratelimit.consume_or_429(request, action="login_unlock", key=email)
        if limited:
            return limited
        lockout.send_unlock_link(request, email)
        return render(request, "accounts/unlock_sent.html", {"email": email})
    return render(request, "accounts/unlock_request.html", {"form": form})


def unlock_confirm(request, token):
    data = lockout.read_unlock_token(token)
    if data is not None:
        lockout.unlock(request, data)
    return render(request, "accounts/unlock_done.html", {"valid": data is not None},
                  status=200 if data is not None else 400)
