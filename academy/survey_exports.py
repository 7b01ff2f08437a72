"""Exports of the satisfaction questionnaires' results (``core.exports``): the figures per
question, and the anonymous answers. Built with one session, a course or a trainer (or
nothing: every session); for ANCT administrators. Registered through ``academy/exports.py``."""

from accounts.roles import is_anct_admin
from core.exports import Export

from . import surveys
from .models import Session, SurveyAnswer


def sessions_of(session=None, course=None, trainer=None):
    """The sessions a results page or export covers, and a name for its files."""
    if session is not None:
        return Session.objects.filter(pk=session.pk), f"session-{session.pk}"
    if course is not None:
        return Session.objects.filter(course=course), f"formation-{course.pk}"
    if trainer is not None:
        return Session.objects.filter(trainer_accounts=trainer), f"formateur-{trainer.pk}"
    return Session.objects.all(), "toutes-sessions"


class SurveyExport(Export):
    params = ("session", "course", "trainer")

    @classmethod
    def allowed(cls, user):
        return is_anct_admin(user)

    @property
    def sessions(self):
        return sessions_of(self.session, self.course, self.trainer)[0]

    @property
    def name(self):
        return sessions_of(self.session, self.course, self.trainer)[1]


class SurveyResultsExport(SurveyExport):
    """Per stage and question: answers, average, and the count of each score 1 to 5."""

    identifier = "academy.survey_results"
    verbose_name = "Résultats des questionnaires de satisfaction"
    sheet_title = "Résultats"

    def headers(self):
        return ["Moment", "Question", "Personnes invitées", "Réponses au questionnaire",
                "Taux de réponse (%)", "Réponses à la question", "Moyenne (sur 5)",
                "Note 1", "Note 2", "Note 3", "Note 4", "Note 5"]

    def rows(self):
        for results in surveys.results_for(self.sessions):
            for question in results.questions:
                counts = ([count for _label, count in question["distribution"]]
                          if question["is_likert"] else [None] * 5)
                yield [results.stage_label, question["label"], results.invited,
                       results.answered, results.rate, question["count"],
                       question["average"], *counts]

    def get_filename(self):
        return f"questionnaires-resultats-{self.name}"


class SurveyAnswersExport(SurveyExport):
    """Every answer, one row each, numbered by response: never who gave it."""

    identifier = "academy.survey_answers"
    verbose_name = "Réponses anonymes aux questionnaires de satisfaction"
    sheet_title = "Réponses"

    def headers(self):
        return ["Formation", "Session (début)", "Moment", "Réponse n°", "Date",
                "Question", "Note (sur 5)", "Texte"]

    def rows(self):
        answers = (SurveyAnswer.objects.filter(response__session__in=self.sessions)
                   .select_related("response__session__course")
                   .order_by("response__session__start", "response__stage", "response_id",
                             "pk"))
        numbers = {}
        for answer in answers:
            response = answer.response
            number = numbers.setdefault(response.pk, len(numbers) + 1)
            yield [response.session.course.title, response.session.start,
                   response.get_stage_display(), number, response.answered_on, answer.label,
                   answer.score, answer.text]

    def get_filename(self):
        return f"questionnaires-reponses-{self.name}"
