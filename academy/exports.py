"""The academy's exports (see ``core.exports`` for how they are written and served)."""

from core.admin_exports import QuerysetExport
from core.exports import Export

from .models import Session


class SessionEnrolmentsExport(Export):
    """The people enrolled in one session: personal data, so for ANCT administrators."""

    identifier = "academy.session_enrolments"
    verbose_name = "Inscriptions à une session"
    sheet_title = "Inscriptions"
    params = ("session",)

    @classmethod
    def allowed(cls, user):
        from .admin_views import may_administer_sessions

        return user.has_perm("academy.change_session") and may_administer_sessions(user)

    def headers(self):
        return ["Nom", "Prénom", "Courriel", "Statut", "Priorité", "Inscrit le",
                "Position en liste d'attente", "Participation"]

    def rows(self):
        waitlist = {e.pk: n for n, e in enumerate(self.session.enrolments.waitlist(), start=1)}
        for e in self.session.enrolments.select_related("user").order_by("user__last_name"):
            yield [e.user.last_name, e.user.first_name, e.user.email, e.get_status_display(),
                   e.priority, e.created_at, waitlist.get(e.pk), e.get_attendance_mode_display()]

    def get_filename(self):
        return f"inscriptions-session-{self.session.pk}"


class SessionsExport(QuerysetExport):
    """The sessions listing of the admin (its filters and ordering choose the rows)."""

    identifier = "academy.sessions"
    verbose_name = "Sessions de formation"
    sheet_title = "Sessions"
    model = Session
    columns = {"course.title": "Formation", "start": "Début", "end": "Fin",
               "place_label": "Lieu", "capacity": "Places", "get_status_display": "Statut",
               "trainers": "Formateurs"}

    @classmethod
    def allowed(cls, user):
        return user.has_perm("academy.view_session") or user.has_perm("academy.change_session")

    def get_queryset(self):
        return Session.objects.select_related("course", "commune__department").order_by("start")

    def get_filename(self):
        return "sessions"


# The satisfaction questionnaires' exports live with their feature; importing them here
# registers them with the others.
from .survey_exports import SurveyAnswersExport, SurveyResultsExport  # noqa: E402, F401
