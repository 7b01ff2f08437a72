"""Results of the academy's satisfaction questionnaires for ANCT administrators, under
/tableau-de-bord/questionnaires/: the sessions, courses and trainers with invitations, then
per session, course or trainer the response rate, the average of each 1–5 question with its
distribution (a chart and its table) and the free texts. Never who answered: the academy
stores answers without any link to the person (academy/models/surveys.py)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from academy import surveys
from academy.models import CoursePage, Session, Stage
from academy.survey_exports import SurveyAnswersExport, SurveyResultsExport, sessions_of
from accounts.roles import is_anct_admin
from core.exports import export_response

from .charts import bars

FORBIDDEN = "Les résultats des questionnaires de satisfaction sont réservés à l'équipe ANCT."
LEVELS = {"session": "Session", "formation": "Formation", "formateur": "Formateur"}
EXPORTS = {"resultats": SurveyResultsExport, "reponses": SurveyAnswersExport}


def _check(request):
    if not is_anct_admin(request.user):
        raise PermissionDenied(FORBIDDEN)


@login_required
def index(request):
    _check(request)
    sessions = surveys.session_overview(Session.objects.all()).order_by("-start")[:100]
    invited = Q(sessions__enrolments__survey_invitations__stage=Stage.END)
    courses = (CoursePage.objects.annotate(
        invited=Count("sessions__enrolments__survey_invitations", filter=invited),
        answered=Count("sessions__enrolments__survey_invitations", filter=invited & Q(
            sessions__enrolments__survey_invitations__answered=True)))
        .filter(invited__gt=0).order_by("title"))
    trainer_invited = Q(trained_sessions__enrolments__survey_invitations__stage=Stage.END)
    trainers = (get_user_model().objects.annotate(
        invited=Count("trained_sessions__enrolments__survey_invitations",
                      filter=trainer_invited),
        answered=Count("trained_sessions__enrolments__survey_invitations",
                       filter=trainer_invited & Q(
                           trained_sessions__enrolments__survey_invitations__answered=True)))
        .filter(invited__gt=0).order_by("last_name", "first_name"))
    for row in [*sessions, *courses, *trainers]:
        row.rate = round(row.answered * 100 / row.invited) if row.invited else None
    return render(request, "dashboards/surveys/index.html", {
        "sessions": sessions, "courses": courses, "trainers": trainers})


def _subject(level, pk):
    """(params of the export, title) for a results page; 404 for an unknown one."""
    if level == "session":
        session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
        return {"session": session}, session
    if level == "formation":
        course = get_object_or_404(CoursePage, pk=pk)
        return {"course": course}, course.title
    if level == "formateur":
        trainer = get_object_or_404(
            get_user_model().objects.filter(trained_sessions__isnull=False).distinct(), pk=pk)
        return {"trainer": trainer}, trainer.get_full_name() or "Formateur"
    raise Http404


@login_required
def results(request, level, pk):
    _check(request)
    params, subject = _subject(level, pk)
    sessions, _name = sessions_of(**params)
    stages = surveys.results_for(sessions)
    for stage in stages:
        for question in stage.questions:
            question["bars"] = bars(question["distribution"])
            question["chart_id"] = f"{stage.stage}-{question['number']}"
    return render(request, "dashboards/surveys/results.html", {
        "level": level, "level_label": LEVELS[level], "pk": pk, "subject": subject,
        "session": params.get("session"), "stages": stages,
        "session_count": sessions.count()})


@login_required
def export(request, level, pk, table, fmt):
    _check(request)
    if table not in EXPORTS:
        raise Http404
    params, _subject_name = _subject(level, pk)
    return export_response(request, EXPORTS[table], fmt, **params)
