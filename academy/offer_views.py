"""Waiting list pages: the seat offered (academy.offers; the emailed link is signed and
works logged out: log in, then back here) and "Quitter la liste d'attente"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from . import offers
from .models import Enrolment
from .services import EnrolmentError

ANSWERS = {"accepter": offers.accept, "decliner": offers.decline}


@require_http_methods(["GET", "POST"])
def offer(request, token):
    """The offer's page: "Accepter la place" / "Décliner la place" (POST ``choix``)."""
    enrolment_id = offers.enrolment_id_from_token(token)
    if enrolment_id is None:
        raise Http404("Ce lien n'est pas valable.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    enrolment = get_object_or_404(Enrolment.objects.for_user(request.user), pk=enrolment_id)
    if request.method == "POST":
        answer = ANSWERS.get(request.POST.get("choix", ""))
        if answer is None:
            messages.error(request, "Choisissez « Accepter la place » ou « Décliner la place ».")
            return redirect(request.path)
        try:
            answer(enrolment.pk, request.user)
        except EnrolmentError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        title = enrolment.session.course.title
        if answer is offers.accept:
            messages.success(request, f"Votre inscription à « {title} » est confirmée. Un "
                                      "courriel de confirmation vous a été envoyé.")
        else:
            messages.info(request, f"Vous avez décliné la place pour « {title} » : elle ne "
                                   "vous est plus réservée.")
        return redirect("accounts:home")
    is_open = enrolment.offer_is_open()
    return render(request, "academy/offer.html", {
        "enrolment": enrolment, "session": enrolment.session, "is_open": is_open,
        "deadline": offers.deadline_label(enrolment) if enrolment.offer_expires_at else "",
        "expired": (enrolment.status == Enrolment.Status.OFFER_EXPIRED
                    or (enrolment.status == Enrolment.Status.OFFERED and not is_open)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def leave_waitlist(request, enrolment_id):
    """"Quitter la liste d'attente": a page asks for confirmation; its button posts here."""
    enrolment = get_object_or_404(Enrolment.objects.for_user(request.user), pk=enrolment_id)
    if request.method == "GET":
        if enrolment.status != Enrolment.Status.WAITLISTED:
            messages.info(request, "Vous ne figurez pas sur la liste d'attente de cette "
                                   "session.")
            return redirect("accounts:home")
        return render(request, "academy/leave_waitlist.html", {
            "enrolment": enrolment, "session": enrolment.session,
        })
    try:
        offers.leave_waitlist(enrolment.pk, request.user)
    except EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Vous avez quitté la liste d'attente de « "
                                  f"{enrolment.session.course.title} ».")
    return redirect("accounts:home")
