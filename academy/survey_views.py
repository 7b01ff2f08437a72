"""Answering the built-in satisfaction questionnaire (/inscriptions/questionnaire/<token>/):
the personal link of the invitation is the key, signed in or not; one answer per person and
questionnaire, a second one is refused politely. And the "Mon espace" section listing the
questionnaires still to answer."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import surveys
from .models import SurveyInvitation
from .services import EnrolmentError

FORM_ERRORS = ("Le questionnaire contient des erreurs : les questions à compléter sont "
               "signalées ci-dessous.")


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    invitation = (SurveyInvitation.objects
                  .select_related("enrolment__session__course", "question_set")
                  .filter(token=token[:64]).first())
    if invitation is None:
        raise Http404("Ce lien de questionnaire n'est pas valide.")
    context = {"invitation": invitation, "session": invitation.enrolment.session,
               "question_set": invitation.question_set}
    if invitation.answered:
        return render(request, "academy/surveys/answered.html", {**context, "already": True})
    form = surveys.SurveyForm(invitation.question_set, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                surveys.submit(token, form.answers())
            except EnrolmentError as error:
                return render(request, "academy/surveys/answered.html",
                              {**context, "already": True, "message": str(error)})
            return render(request, "academy/surveys/answered.html", context)
        context["form_errors"] = FORM_ERRORS
    return render(request, "academy/surveys/answer.html", {**context, "form": form})


def space_section(request):
    """The questionnaires the person has still to answer, or nothing."""
    if not request.user.is_authenticated:
        return None
    pending = list(surveys.pending_for(request.user)[:10])
    if not pending:
        return None
    return {"survey_invitations": pending}
