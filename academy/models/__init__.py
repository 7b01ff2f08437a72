"""The Académie's models, one module per job: the catalogue's pages and snippets, sessions,
enrolments with their attendance and verifiable attestations, and the élus' profiles and
mandates."""

from .attestations import Attestation
from .enrolments import VISIO_OPENS_BEFORE, Attendance, Enrolment, EnrolmentQuerySet
from .materials import SessionDocument
from .pages import Audience, CatalogPage, CoursePage, CourseTheme, Format, Partner
from .profiles import MANDATE_LEVELS, Mandate, MandateRole, OfficialProfile
from .sessions import AttendanceMode, Session, SessionQuerySet
from .surveys import (
    Question,
    QuestionSet,
    Stage,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)

__all__ = [
    "MANDATE_LEVELS", "VISIO_OPENS_BEFORE", "Attendance", "Attestation", "AttendanceMode",
    "Audience", "CatalogPage", "CoursePage", "CourseTheme", "Enrolment", "EnrolmentQuerySet",
    "Format", "Mandate", "MandateRole", "OfficialProfile", "Partner", "Question", "QuestionSet",
    "Session",
    "SessionDocument", "SessionQuerySet", "Stage", "SurveyAnswer", "SurveyInvitation",
    "SurveyResponse",
]
