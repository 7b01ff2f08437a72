"""The public verification page of an attestation, and the holder's choice of what it
shows (full name or initials)."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .attestations import DEFAULT_RATE_LIMIT, holder_name, set_initials
from .models import Attestation, Enrolment

REFERENCE_MAX_LENGTH = 40
ACTION = "attestation_check"


def check(request, reference):
    """What the attestation states and whether it is still valid; nothing else (no email,
    no mandate, no place). Rate limited per client address, known reference or not."""
    rate = getattr(settings, "ATTESTATION_CHECK_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    limited = ratelimit.consume_or_429(request, action=ACTION, limit_get=True,
                                       config={ACTION: rate})
    if limited:
        return limited
    attestation = None
    if len(reference) <= REFERENCE_MAX_LENGTH:
        attestation = (Attestation.objects.select_related("enrolment__user")
                       .filter(reference=reference).first())
    if attestation is None:
        response = render(request, "academy/attestations/unknown.html", status=404)
        response["X-Robots-Tag"] = "noindex"
        return response
    user = attestation.enrolment.user
    response = render(request, "academy/attestations/check.html", {
        "attestation": attestation,
        "holder": holder_name(user, initials=attestation.show_initials),
        "is_holder": request.user.is_authenticated and request.user.pk == user.pk,
        "issuer": "Agence nationale de la cohésion des territoires (ANCT) – "
                  "Académie des territoires",
    })
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def choose_initials(request, enrolment_id):
    """The holder chooses what the public page shows: "initiales" or the full name."""
    enrolment = get_object_or_404(Enrolment, pk=enrolment_id, user=request.user)
    if not enrolment.hours_attended() or enrolment.session.end > timezone.now():
        raise Http404("Pas d'attestation pour cette inscription.")
    attestation = set_initials(enrolment, request.POST.get("affichage") == "initiales")
    messages.success(request, "Votre choix est enregistré : la page de vérification affiche "
                     + ("vos initiales." if attestation.show_initials else "votre nom."))
    back = request.POST.get("retour")
    if back == "verification":
        return redirect("attestation_check", reference=attestation.reference)
    return redirect("accounts:home")

