import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import register as register_content
from . import services
from .export import personal_data
from .forms import DeleteAccountForm


def space_section(request):
    """The "Mes données personnelles" block of "Mon espace"."""
    return {}


@login_required
@never_cache
def my_data(request):
    return render(request, "privacy/my_data.html", {
        "blockers": services.deletion_blockers(request.user)})


@login_required
@never_cache
@require_GET
def download(request):
    now = timezone.now()
    body = json.dumps(personal_data(request.user, now), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="mes-donnees-{timezone.localdate(now):%Y-%m-%d}.json"')
    return response


@login_required
@never_cache
def delete_account(request):
    user = request.user
    blockers = services.deletion_blockers(user)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and not blockers and form.is_valid():
        try:
            services.erase_account(user)
        except services.ErasureRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("privacy:my_data")
        logout(request)
        messages.success(
            request, "Votre compte est supprimé et vos données personnelles sont effacées.")
        return redirect("/")
    return render(request, "privacy/delete_account.html", {"form": form, "blockers": blockers})


def register(request):
    """The register of personal data (politique de confidentialité): a fact page."""
    return render(request, "privacy/register.html", {
        "rows": register_content.ROWS, "contact_email": register_content.contact_email(),
        "inactivity_years": 3, "notice_days": services.WARNING_NOTICE.days})


def accessibility(request):
    return render(request, "privacy/accessibility.html", {
        "contact_email": register_content.contact_email()})
