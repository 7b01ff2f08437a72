"""Who may open what, through the real views: every URL pattern of the site × every role ×
the role's own object and other parties' objects.

``PATTERNS`` classifies each named URL pattern (public, personal, or scoped to an object) and
says, for each case, who may reach it. ``test_every_url_pattern_is_classified`` walks the
URL resolver: a view that nobody classified fails CI, and so does an entry left behind after
a view was removed. Then ``test_visibility_matrix`` runs, for each pattern, every case as
every role and checks:

- allowed: the page answers (200, or the redirect the case names — never the login page);
- refused: 403 or 404 (anonymous people may instead be sent to the login page);
- a refused POST changed nothing in the database;
- a page a role may open never shows private details of a party the role may not see
  (the ``zqx…`` markers put into each party's advisor, contact, application, report and
  hidden service point).

Three parties: A (Beauvais, Oise 60, Hauts-de-France) — the structure of the manager, the
advisor and the coordinated advisor in the roles; C (Amiens, Somme 80, Hauts-de-France) —
another département of the regional préfet's région; B (Paris, Île-de-France). The Wagtail
admin (``/admin/``) is left out of the walk and checked by ``test_admin_is_closed_to_…``.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.static import serve as static_serve

from academy import surveys
from academy.attestations import current_attestation
from academy.models import (
    Attendance,
    Audience,
    Enrolment,
    Mandate,
    OfficialProfile,
    SessionDocument,
    Stage,
)
from academy.models.funding import TrainingBody
from academy.offers import offer_token
from accounts.models import User
from accounts.roles import Role
from advisors.models import (
    ActivityReport,
    Amendment,
    Application,
    Beneficiary,
    Closure,
    Contract,
    Convention,
    OpeningRange,
    Structure,
)
from calendars.models import CalendarToken
from dashboards.models import ExportJob
from territories.models import Commune, Department, Region
from tests import factories as site
from tests.advisors import factories as make
from tests.security.db import snapshot

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
COMMENT = "Projet cohérent avec le schéma départemental d'inclusion numérique."

# --- roles ------------------------------------------------------------------------------------
ANON, ELU, MANAGER, ADVISOR, COORD = "anonymous", "elu", "manager_of_a", "advisor_of_a", \
    "coordinator_of_a"
P60, PREG, ADMIN = "prefect_of_oise_60", "prefect_of_hauts_de_france", "anct_admin"
TRAINER = "trainer_of_a_session"
ROLES = (ANON, ELU, MANAGER, ADVISOR, COORD, P60, PREG, ADMIN, TRAINER)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
NOBODY = frozenset()

# Private markers of each party, and the parties whose private details each role may read.
MARKERS = {"A": "zqxa", "B": "zqxb", "C": "zqxc"}
READS_PRIVATE = {ANON: "", ELU: "", MANAGER: "A", ADVISOR: "A", COORD: "A", P60: "A",
                 PREG: "AC", ADMIN: "ABC", TRAINER: ""}

# --- who may reach a party's object -------------------------------------------------------------
# Each maps a party (A, C, B) to the roles allowed on that party's object.
READ_STRUCTURE = {"A": {MANAGER, ADVISOR, P60, PREG, ADMIN}, "C": {PREG, ADMIN}, "B": {ADMIN}}
READ_TERRITORY = {"A": {MANAGER, P60, PREG, ADMIN}, "C": {PREG, ADMIN}, "B": {ADMIN}}
MANAGE = {"A": {MANAGER, ADMIN}, "C": {ADMIN}, "B": {ADMIN}}
EDIT_POINT = {"A": {MANAGER, ADVISOR, ADMIN}, "C": {ADMIN}, "B": {ADMIN}}
# Only the préfet of the structure's département gives the opinion (not ANCT, not the région).
OPINION = {"A": {P60}, "C": set(), "B": set()}
COORDINATED = {"A": {COORD}, "C": set(), "B": set()}
# Only its author corrects an activity report (not the coordinator, not ANCT).
AUTHOR = {"A": {ADVISOR}, "C": set(), "B": set()}
# The people a structure follows: only its advisors under contract (not its manager, not
# the coordinator, not the préfet, not ANCT).
FOLLOWS = {"A": {ADVISOR}, "C": set(), "B": set()}


@dataclass(frozen=True)
class Case:
    """One request: ``kwargs(world, role)`` builds the URL's arguments, ``data(world, role,
    side)`` the POST body; ``allowed`` roles get one of the ``ok`` statuses."""

    side: str
    allowed: frozenset
    kwargs: object = None
    method: str = "get"
    data: object = None
    ok: tuple = ()
    query: str = ""

    def expected_ok(self):
        return self.ok or ((302,) if self.method == "post" else (200,))


@dataclass(frozen=True)
class Entry:
    kind: str  # "public" (anyone may GET), "personal" (signed-in, own data), "scoped"
    cases: tuple = field(default_factory=tuple)


def public(*cases, query=""):
    return Entry("public", cases or (Case("-", EVERYONE, query=query),))


def personal(allowed=SIGNED_IN, ok=(), method="get", data=None):
    return Entry("personal", (Case("own", frozenset(allowed), method=method, data=data,
                                   ok=ok),))


def scoped(*cases):
    return Entry("scoped", tuple(cases))


def on(attr, who, key="pk", method="get", data=None, ok=(), sides="ACB"):
    """One case per party: the party's ``attr`` object, reached by ``who[party]``."""
    return tuple(
        Case(side, frozenset(who[side]),
             kwargs=lambda w, r, s=side: {key: getattr(w.sides[s], attr).pk},
             method=method, data=data, ok=ok)
        for side in sides)


def own_or(anonymous_fallback):
    return lambda w, r: w.people[r] if r != ANON else w.people[anonymous_fallback]


# --- POST bodies (valid: only the scoping may refuse them) ---------------------------------------
def contract_body(w, r, side):
    return {"first_name": "Nouvelle", "last_name": "Recrue",
            "email": f"recrue-{uuid.uuid4().hex[:8]}@conseiller-numerique.fr",
            "kind": Contract.Kind.CDD, "start": TODAY.isoformat(),
            "end": (TODAY + datetime.timedelta(days=365)).isoformat(),
            "monthly_gross_salary": "2500.00"}


def rupture_body(w, r, side):
    return {"reason": Contract.RuptureReason.RESIGNATION,
            "date": (TODAY + datetime.timedelta(days=30)).isoformat()}


def extension_body(w, r, side):
    end = w.sides[side].contract.end
    return {"new_end": (end + datetime.timedelta(days=60)).isoformat()}


def status_body(w, r, side):
    return {"to_status": Application.Status.ABANDONED, "reason": "Plus de besoin."}


def convention_body(w, r, side):
    return {"start": "2026-01-01", "end": "2028-12-31"}


def renewal_body(w, r, side):
    end = w.sides[side].convention.end
    return {"start": (end + datetime.timedelta(days=1)).isoformat(),
            "end": (end + datetime.timedelta(days=3 * 365)).isoformat()}


def reason_body(w, r, side):
    return {"reason": "La structure ne renouvelle pas."}


def amendment_body(w, r, side):
    return {"kind": Amendment.Kind.ADD, "posts": "1", "reason": "Un poste de plus."}


def opinion_body(w, r, side):
    return {"verdict": "favourable", "comment": COMMENT}


def place_body(w, r, side):
    point = w.sides[side].point
    return {"name": "Nouveau nom", "address": "3 rue Neuve", "commune": point.commune.label,
            "access": "free", "services": ["aide-aux-demarches-administratives"],
            "is_public": "on", "h0_am_opens": "09:00", "h0_am_closes": "12:00"}


def closure_body(w, r, side):
    return {"start": (TODAY + datetime.timedelta(days=40)).isoformat(),
            "end": (TODAY + datetime.timedelta(days=41)).isoformat(), "reason": "Travaux"}


def report_edit_body(w, r, side):
    return {"date": TODAY.isoformat(), "kind": "individual", "participants": "1",
            "channel": "other_place", "service_point": "",
            "commune": w.sides[side].report.commune.label, "themes": ["email"],
            "duration": "30_60", "age_over_60": "1"}


def coordinator_request_body(w, r, side):
    return {"motivation": "Un coordinateur pour le département.",
            "desired_start": (TODAY + datetime.timedelta(days=30)).isoformat(),
            "coordination_scope": Application.CoordinationScope.DEPARTMENT,
            "coordinated_department": w.sides[side].structure.commune.department_id}


def appoint_body(w, r, side):
    return {"contract": w.sides[side].contract.pk}


def contacts_body(w, r, side):
    return {"address": "5 rue Corrigée", "contact_first_name": "Nadia",
            "contact_last_name": "Benali", "contact_email": "n.benali@exemple.fr",
            "contact_phone": "03 44 79 40 00"}


def training_body(w, r, side):
    return {"training_start": "2025-09-01", "training_end": "2025-12-19",
            "training_hours": "154", "pix_level": "4"}


def beneficiary_body(w, r, side):
    return {"first_name": "Nouvelle", "last_name": "P.", "birth_band": "1960_1974",
            "commune": w.sides["A" if side == "own" else side].beneficiary.commune.label}


def merge_cases(method):
    """A party's record and its duplicate (same name, same commune)."""
    return tuple(Case(side, frozenset(FOLLOWS[side]), method=method,
                      kwargs=lambda w, r, s=side: {"pk": w.sides[s].beneficiary.pk,
                                                   "other": w.sides[s].twin.pk})
                 for side in "ACB")


def period_body(w, r, side):
    return {"du": (TODAY - datetime.timedelta(days=90)).isoformat(), "au": TODAY.isoformat()}


# --- the trainers' space: their session (under way today) and another -----------------------
def trainer_cases(name, method="get", slot=False):
    """The session the trainer trains, and another one; the team (ADMIN) manages both."""
    def kwargs(session_attr):
        def build(w, r):
            session = getattr(w, session_attr)
            found = {"session_id": session.pk}
            if slot:
                day, period = session.half_days()[0]
                found.update(day=f"{day:%Y%m%d}", period=period)
            return found
        return build
    return (Case("own session", frozenset({TRAINER, ADMIN}), kwargs=kwargs("trained_session"),
                 method=method),
            Case("another session", frozenset({ADMIN}), kwargs=kwargs("live_session"),
                 method=method))


def scan_token(session_attr, age_seconds=0):
    """The code the trainer's screen shows now (or ``age_seconds`` ago)."""
    def build(w, r):
        from academy import attendance

        session = getattr(w, session_attr)
        day, period = attendance.current_slot(session) or session.half_days()[0]
        moment = timezone.now() - datetime.timedelta(seconds=age_seconds)
        return {"token": attendance.make_token(session, day, period,
                                               attendance.time_step(moment))}
    return build


# --- dashboards: territories and exports --------------------------------------------------------
def territory_cases(level, codes):
    """``codes``: [(code or party, allowed)] → GET cases of a dashboard page."""
    return tuple(Case(str(code), frozenset(allowed),
                      kwargs=lambda w, r, c=code: {"code": c}) for code, allowed in codes)


def structure_code(w, side):
    return str(w.sides[side].structure.pk)


def table_export(level, code, table, fmt, allowed):
    def kwargs(w, r):
        value = structure_code(w, code) if level == "structure" else code
        return {"level": level, "code": value, "table": table, "fmt": fmt}
    return Case(f"{level}/{code}/{table}.{fmt}", frozenset(allowed), kwargs=kwargs)


def export_request(level, code, allowed):
    def kwargs(w, r):
        value = structure_code(w, code) if level == "structure" else code
        return {"level": level, "code": value}
    return Case(f"{level}/{code}", frozenset(allowed), kwargs=kwargs, method="post",
                data=period_body)


# Only its managers open a structure's own statistics (not its préfet, not ANCT).
OWN_STRUCTURE = {"A": {MANAGER}, "C": set(), "B": set()}


def statistics_exports(allowed):
    return tuple(Case(fmt, frozenset(allowed), kwargs=lambda w, r, f=fmt: {"fmt": f})
                 for fmt in ("csv", "xlsx"))


def job_cases():
    return (Case("own job", SIGNED_IN, kwargs=lambda w, r: {"pk": w.jobs[r].pk}),
            Case("another's job", NOBODY, kwargs=lambda w, r: {"pk": w.other_job.pk}))


# --- the table: every URL pattern, classified ---------------------------------------------------
PATTERNS = {
    # Site-wide public pages
    "sitemap": public(),
    "robots_txt": public(),
    "site_map": public(),
    "legal_notice": public(),
    "search": public(query="?q=formation"),
    "territories:communes": public(query="?q=beau"),
    "territories:authorities": public(query="?level=commune&q=beau"),
    # Élus, the Académie, "Mon espace"
    "accounts:home": personal(),
    # One's own choice of optional reminders (POST: the unticked boxes turn them off).
    "accounts:notices": Entry("personal", (Case("own", SIGNED_IN),
                                           Case("own", SIGNED_IN, method="post"))),
    "official_profile": personal(),
    "academy:enrol": scoped(
        Case("published course's session", SIGNED_IN, method="post",
             kwargs=lambda w, r: {"session_id": w.live_session.pk}),
        Case("draft course's session", NOBODY, method="post",
             kwargs=lambda w, r: {"session_id": w.draft_session.pk})),
    "academy:cancel": scoped(
        Case("own enrolment", SIGNED_IN, method="post",
             kwargs=lambda w, r: {"enrolment_id": w.enrolments[r].pk}),
        Case("another's enrolment", NOBODY, method="post",
             kwargs=lambda w, r: {"enrolment_id": w.other_enrolment.pk})),
    # Waiting list (academy.offers): one's own offer page (by its signed link) and leaving.
    "academy:offer": scoped(
        Case("own enrolment's link", SIGNED_IN,
             kwargs=lambda w, r: {"token": offer_token(w.enrolments[r])}),
        Case("another's enrolment's link", NOBODY,
             kwargs=lambda w, r: {"token": offer_token(w.other_enrolment)})),
    "academy:leave_waitlist": scoped(
        Case("own enrolment", SIGNED_IN, method="post",
             kwargs=lambda w, r: {"enrolment_id": w.enrolments[r].pk}),
        Case("another's enrolment", NOBODY, method="post",
             kwargs=lambda w, r: {"enrolment_id": w.other_enrolment.pk})),
    "academy:attestation": scoped(
        Case("own attendance", SIGNED_IN,
             kwargs=lambda w, r: {"enrolment_id": w.attended[r].pk}),
        Case("another's attendance", NOBODY,
             kwargs=lambda w, r: {"enrolment_id": w.other_attended.pk})),
    "academy:attestation_initials": scoped(
        Case("own attestation", SIGNED_IN, method="post",
             kwargs=lambda w, r: {"enrolment_id": w.attended[r].pk},
             data=lambda w, r, side: {"affichage": "initiales", "retour": "verification"}),
        Case("another's attestation", NOBODY, method="post",
             kwargs=lambda w, r: {"enrolment_id": w.other_attended.pk},
             data=lambda w, r, side: {"affichage": "initiales"})),
    # A session's documents: its confirmed (and, after it, present) participants, and the team.
    "academy:material": scoped(
        Case("document of a session one attended", SIGNED_IN,
             kwargs=lambda w, r: {"document_id": w.documents["attended"].pk}),
        Case("document of a session one is not in", {ADMIN},
             kwargs=lambda w, r: {"document_id": w.documents["other"].pk})),
    # DIF élus (academy.funding): the élu's own declaration and quote (people without a
    # mandate have no DIF); the programme of an eligible course is public.
    "academy:dif_request": scoped(
        Case("own enrolment", {ELU},
             kwargs=lambda w, r: {"enrolment_id": w.enrolments[r].pk}),
        # "own": the bad-input tests send this form spoiled (tests/security/test_bad_input.py).
        Case("own", {ELU}, method="post",
             kwargs=lambda w, r: {"enrolment_id": w.enrolments[r].pk},
             data=lambda w, r, side: {"requested_on": TODAY.isoformat(),
                                      "file_reference": "MCE-1"}),
        Case("another's enrolment", NOBODY,
             kwargs=lambda w, r: {"enrolment_id": w.other_enrolment.pk}),
        Case("another's enrolment", NOBODY, method="post",
             kwargs=lambda w, r: {"enrolment_id": w.other_enrolment.pk},
             data=lambda w, r, side: {"requested_on": TODAY.isoformat()})),
    "academy:dif_quote": scoped(
        Case("own enrolment", {ELU},
             kwargs=lambda w, r: {"enrolment_id": w.enrolments[r].pk}),
        Case("another's enrolment", NOBODY,
             kwargs=lambda w, r: {"enrolment_id": w.other_enrolment.pk})),
    "academy:dif_programme": public(
        Case("eligible published course", EVERYONE,
             kwargs=lambda w, r: {"course_id": w.live_session.course_id}),
        Case("draft course", NOBODY,
             kwargs=lambda w, r: {"course_id": w.draft_session.course_id})),
    # The trainers' space: a trainer reaches only the sessions they train (the team all).
    "trainer:home": personal({TRAINER}),
    "trainer:session": scoped(*trainer_cases("session")),
    "trainer:sheet": scoped(*trainer_cases("sheet")),
    "trainer:qr": scoped(*trainer_cases("qr", slot=True)),
    "trainer:qr_code": scoped(*trainer_cases("qr_code", slot=True)),
    "trainer:attendance": scoped(*trainer_cases("attendance", slot=True),
                                 *trainer_cases("attendance", method="post", slot=True)),
    # The QR code of a half-day under way: its confirmed participant (the élu) is marked
    # present; anyone else, and a code that expired, are refused (anonymous: to the login).
    "attendance_scan": public(
        Case("current code", frozenset({ELU}), kwargs=scan_token("trained_session")),
        Case("expired code", NOBODY, kwargs=scan_token("trained_session", age_seconds=120)),
        Case("session not under way", NOBODY, kwargs=scan_token("live_session"))),
    # What an attestation's QR code opens: anyone, with the reference.
    # The satisfaction questionnaire: whoever holds the personal link answers it.
    "academy:survey": scoped(
        Case("invitation link", EVERYONE, kwargs=lambda w, r: {"token": w.survey_token}),
        Case("own", EVERYONE, method="post", ok=(200,),
             kwargs=lambda w, r: {"token": w.survey_token},
             data=lambda w, r, side: dict(w.survey_answers)),
        Case("unknown link", NOBODY, kwargs=lambda w, r: {"token": "lien-inconnu"})),
    "attestation_check": public(
        Case("issued attestation", EVERYONE,
             kwargs=lambda w, r: {"reference": w.attestation_reference}),
        Case("unknown reference", NOBODY, kwargs=lambda w, r: {"reference": "inconnue"})),
    # Calendars
    "academy_calendar:sessions": public(),
    "academy_calendar:session": public(
        Case("published course's session", EVERYONE,
             kwargs=lambda w, r: {"session_id": w.live_session.pk}),
        Case("draft course's session", NOBODY,
             kwargs=lambda w, r: {"session_id": w.draft_session.pk})),
    "advisors_calendar:service_point": public(
        Case("public point", EVERYONE,
             kwargs=lambda w, r: {"service_point_id": w.sides["A"].point.pk}),
        *(Case(f"hidden point of {side}", NOBODY,
               kwargs=lambda w, r, s=side: {"service_point_id": w.sides[s].hidden_point.pk})
          for side in "AB")),
    # The token is the key (no login): its holder reads it; an old or dead token is a 404.
    "calendars:personal_feed": public(
        Case("own token", EVERYONE, kwargs=lambda w, r: {"token": w.tokens[r]}),
        Case("token replaced by a reset", NOBODY, kwargs=lambda w, r: {"token": w.old_token}),
        Case("deactivated person's token", NOBODY,
             kwargs=lambda w, r: {"token": w.inactive_token})),
    "calendars:reset_token": personal(method="post"),
    # Personal data: one's own export and account deletion; the register, accessibility
    "privacy:my_data": personal(),
    "privacy:download": personal(),
    "privacy:delete_account": personal(),
    "privacy:register": public(),
    "privacy:accessibility": public(),
    # Conseillers numériques: pages of one's own roles
    "advisors:home": personal(),
    "advisors:apply": personal(),
    "advisors:siret_lookup": personal(),
    "advisors:my_structures": personal(ok=(200, 302)),
    "advisors:prefect_applications": personal({P60, PREG, ADMIN}),
    "advisors:places": personal(),
    "advisors:place_create": personal({MANAGER, ADVISOR, ADMIN}),
    "advisors:reports": personal({ADVISOR, COORD}),
    "advisors:report_create": personal({ADVISOR, COORD}),
    "advisors:training": personal({ADVISOR, COORD}),
    # An advisor declares their own training (ANCT validates it in the back office).
    "advisors:training_declare": Entry("personal", (
        Case("own", frozenset({ADVISOR, COORD})),
        Case("own", frozenset({ADVISOR, COORD}), method="post", data=training_body))),
    "advisors:report_edit": scoped(
        *on("report", AUTHOR), *on("report", AUTHOR, method="post", data=report_edit_body)),
    "advisors:report_duplicate": scoped(
        *on("report", AUTHOR), *on("report", AUTHOR, method="post", data=report_edit_body)),
    "advisors:report_delete": scoped(*on("report", AUTHOR),
                                     *on("report", AUTHOR, method="post")),
    "advisors:coordination": personal(),  # lists only the advisors one coordinates
    # The people followed (bénéficiaires): the advisors under contract with the structure.
    "advisors:beneficiaries": personal({ADVISOR, COORD}),  # a coordinator's list is empty
    "advisors:beneficiary_create": Entry("personal", (
        Case("own", frozenset({ADVISOR})),
        Case("own", frozenset({ADVISOR}), method="post", data=beneficiary_body))),
    "advisors:beneficiary_import": personal({ADVISOR}),
    "advisors:beneficiary": scoped(*on("beneficiary", FOLLOWS)),
    "advisors:beneficiary_edit": scoped(
        *on("beneficiary", FOLLOWS),
        *on("beneficiary", FOLLOWS, method="post", data=beneficiary_body)),
    "advisors:beneficiary_anonymise": scoped(*on("beneficiary", FOLLOWS),
                                             *on("beneficiary", FOLLOWS, method="post")),
    "advisors:beneficiary_merge": scoped(*merge_cases("get"), *merge_cases("post")),
    # Conseillers numériques: one party's objects
    "advisors:structure": scoped(*on("structure", READ_STRUCTURE)),
    # Its managers (and ANCT) correct a structure's address and contacts; not its advisors,
    # not the préfets who read it.
    "advisors:structure_contacts": scoped(
        *on("structure", MANAGE),
        *on("structure", MANAGE, method="post", data=contacts_body)),
    "advisors:contract_create": scoped(
        *on("structure", MANAGE),
        *on("structure", MANAGE, method="post", data=contract_body)),
    "advisors:rupture": scoped(*on("contract", MANAGE),
                               *on("contract", MANAGE, method="post", data=rupture_body)),
    "advisors:extension_request": scoped(
        *on("contract", MANAGE), *on("contract", MANAGE, method="post", data=extension_body)),
    # Coordinator posts: the structure asks for one, then appoints the coordinator it recruited.
    "advisors:coordinator_post_request": scoped(
        *on("structure", MANAGE),
        *on("structure", MANAGE, method="post", data=coordinator_request_body)),
    "advisors:coordinator_appoint": scoped(
        *on("coord_post", MANAGE),
        *on("coord_post", MANAGE, method="post", data=appoint_body)),
    "advisors:application_status": scoped(
        *on("application", MANAGE),
        *on("application", MANAGE, method="post", data=status_body)),
    "advisors:convention_start": scoped(
        *on("structure2", MANAGE),
        *on("structure2", MANAGE, method="post", data=convention_body)),
    "advisors:convention": scoped(*on("convention", READ_TERRITORY)),
    "advisors:renewal_start": scoped(
        *on("convention", MANAGE),
        *on("convention", MANAGE, method="post", data=renewal_body)),
    "advisors:renewal_decline": scoped(
        *on("renewal", MANAGE), *on("renewal", MANAGE, method="post", data=reason_body)),
    "advisors:amendment_request": scoped(
        *on("convention", MANAGE),
        *on("convention", MANAGE, method="post", data=amendment_body)),
    "advisors:amendment": scoped(
        *on("amendment", READ_TERRITORY),
        *on("amendment", OPINION, method="post", data=opinion_body)),
    "advisors:application": scoped(
        *on("application", READ_TERRITORY),
        *on("application", OPINION, method="post", data=opinion_body)),
    "advisors:place": scoped(*on("point", EDIT_POINT),
                             *on("point", EDIT_POINT, method="post", data=place_body)),
    "advisors:closure_add": scoped(
        *on("point", EDIT_POINT, method="post", data=closure_body)),
    "advisors:closure_remove": scoped(*on("closure", EDIT_POINT, method="post")),
    "advisors:coordinated_advisor": scoped(*on("advisor", COORDINATED)),
    # Public directory of service points
    "directory:search": public(),
    "directory:embed_builder": public(query="?departement=60&service=&hauteur=600"),
    "directory:embedded": public(query="?departement=60"),
    "directory:service_point": public(
        Case("public point", EVERYONE, kwargs=lambda w, r: {
            "service_point_id": w.sides["B"].point.pk}),
        *(Case(f"hidden point of {side}", NOBODY,
               kwargs=lambda w, r, s=side: {"service_point_id": w.sides[s].hidden_point.pk})
          for side in "AB")),
    # Dashboards and their exports
    "dashboards:index": personal({MANAGER, P60, PREG, ADMIN, ADVISOR, COORD}, ok=(302,)),
    # Personal statistics: one's own (advisors, coordinators included), a coordinator's
    # team, a managed structure; préfets and ANCT keep their territory dashboards.
    "dashboards:my_statistics": personal({ADVISOR, COORD}),
    "dashboards:my_statistics_export": scoped(*statistics_exports({ADVISOR, COORD})),
    "dashboards:team_statistics": personal({COORD}),
    "dashboards:team_statistics_export": scoped(*statistics_exports({COORD})),
    "dashboards:structure_statistics": scoped(*on("structure", OWN_STRUCTURE)),
    "dashboards:structure_statistics_export": scoped(*(
        Case(f"{side}.{fmt}", frozenset(OWN_STRUCTURE[side]),
             kwargs=lambda w, r, s=side, f=fmt: {"pk": w.sides[s].structure.pk, "fmt": f})
        for side in "ACB" for fmt in ("csv", "xlsx"))),
    "dashboards:national": personal({ADMIN}),
    # The academy's satisfaction questionnaires: results for ANCT only (never who answered).
    "dashboards:surveys": personal({ADMIN}),
    "dashboards:survey_results": scoped(*(
        Case(level, frozenset({ADMIN}),
             kwargs=lambda w, r, lv=level: {"level": lv, "pk": w.survey_subjects[lv]})
        for level in ("session", "formation", "formateur"))),
    "dashboards:survey_export": scoped(*(
        Case(f"{table}.{fmt}", frozenset({ADMIN}),
             kwargs=lambda w, r, t=table, f=fmt: {"level": "session",
                                                  "pk": w.survey_subjects["session"],
                                                  "table": t, "fmt": f})
        for table in ("resultats", "reponses") for fmt in ("csv", "xlsx"))),
    "dashboards:region": scoped(*territory_cases("region", [
        ("32", {PREG, ADMIN}), ("11", {ADMIN})])),
    "dashboards:department": scoped(*territory_cases("department", [
        ("60", {P60, PREG, ADMIN}), ("80", {PREG, ADMIN}), ("75", {ADMIN})])),
    "dashboards:structure": scoped(*on("structure", READ_TERRITORY)),
    "dashboards:table_export": scoped(
        table_export("national", "france", "repartition", "csv", {ADMIN}),
        table_export("region", "32", "repartition", "xlsx", {PREG, ADMIN}),
        table_export("region", "11", "activite", "csv", {ADMIN}),
        table_export("department", "60", "activite", "csv", {P60, PREG, ADMIN}),
        table_export("department", "80", "historique", "xlsx", {PREG, ADMIN}),
        table_export("department", "75", "activite", "xlsx", {ADMIN}),
        table_export("structure", "A", "activite", "csv", READ_TERRITORY["A"]),
        table_export("structure", "C", "historique", "csv", READ_TERRITORY["C"]),
        table_export("structure", "B", "activite", "xlsx", READ_TERRITORY["B"])),
    "dashboards:export_request": scoped(
        export_request("national", "france", {ADMIN}),
        export_request("region", "32", {PREG, ADMIN}),
        export_request("region", "11", {ADMIN}),
        export_request("department", "60", {P60, PREG, ADMIN}),
        export_request("department", "80", {PREG, ADMIN}),
        export_request("structure", "A", READ_TERRITORY["A"]),
        export_request("structure", "B", READ_TERRITORY["B"])),
    "dashboards:export_job": scoped(*job_cases()),
    "dashboards:export_status": scoped(*job_cases()),
    "dashboards:export_download": scoped(*job_cases()),
    # Open data and the public API
    "opendata:index": public(),
    "opendata:schema": public(),
    "opendata:download": public(
        Case("service points (CSV)", EVERYONE, kwargs=lambda w, r: {
            "slug": "lieux-mediation-numerique", "extension": "csv"}),
        Case("structures (JSON)", EVERYONE, kwargs=lambda w, r: {
            "slug": "structures", "extension": "json"})),
    "api-v1:api-root": public(Case("-", NOBODY)),  # nothing at the root: 404
    "api-v1:openapi-json": public(),
    "api-v1:openapi-view": public(),
    "api-v1:lieux": public(query="?page_size=100"),
    "api-v1:lieu": public(
        Case("public point", EVERYONE,
             kwargs=lambda w, r: {"lieu_id": w.sides["B"].point.pk}),
        *(Case(f"hidden point of {side}", NOBODY,
               kwargs=lambda w, r, s=side: {"lieu_id": w.sides[s].hidden_point.pk})
          for side in "AB")),
    "api-v1:structures": public(query="?page_size=100"),
    "api-v1:sessions": public(),
    "api-v1:statistiques_departements": public(),
}

# Left out of the walk: the Wagtail admin (checked below), its documents, allauth's account
# pages, Wagtail's page serving (the catch-all) and, with DEBUG, the media files.
EXCLUDED_PREFIXES = ("admin/", "documents/", "comptes/")


def url_patterns():
    """{namespaced name (or route when unnamed): route} of every pattern of the project."""
    found = {}

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(EXCLUDED_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                if getattr(pattern.urlconf_module, "__name__", "") == "wagtail.urls":
                    continue
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                walk(pattern.url_patterns, route, inner)
            elif pattern.callback is not static_serve:
                name = pattern.name or route
                found[f"{namespace}:{name}" if namespace else name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def matrix_cells():
    return sum(len(entry.cases) * len(ROLES) for entry in PATTERNS.values())


# --- the world -------------------------------------------------------------------------------
def _party(label, commune):
    marker = MARKERS[label]
    manager = make.user(email=f"gestion-{label.lower()}@mairie.example.fr",
                        role=Role.STRUCTURE_MANAGER)
    structure = make.validated_structure(
        commune, posts=3, manager=manager, name=f"Mairie de {commune.name}",
        contact_email=f"contact.{marker}@mairie.example.fr")
    application = Application.objects.create(
        structure=structure, posts_requested=1, motivation=f"Un poste de plus ({marker}).",
        desired_start=TODAY + datetime.timedelta(days=60))
    account = make.user(email=f"conseiller.{label.lower()}@example.fr", role=Role.ADVISOR)
    advisor = make.advisor(account, last_name=f"Durand-{marker}",
                           email=f"alex.{marker}@conseiller-numerique.fr")
    contract = make.contract(structure, advisor)
    point = make.service_point(structure, advisors=[advisor], name=f"Médiathèque de "
                                                                   f"{commune.name}")
    hidden = make.service_point(structure, advisors=[advisor], name=f"Bureau {marker}",
                                is_public=False)
    for place in (point, hidden):
        OpeningRange.objects.create(service_point=place, weekday=0, period="am",
                                    opens=datetime.time(9), closes=datetime.time(12))
    closure = Closure.objects.create(service_point=point, start=TODAY + datetime.timedelta(20),
                                     end=TODAY + datetime.timedelta(days=25), reason="Congés")
    report = make.activity_report(advisor, commune, structure, redirected=True,
                                  redirected_to=f"France Services {marker}")
    convention = make.convention(structure)
    # A person the structure follows, seen at the report, and the same person entered twice.
    beneficiary, twin = (Beneficiary.objects.create(
        structure=structure, commune=commune, first_name="Hélène", last_name=f"D-{marker}",
        contact_consent=True, phone="0612345678") for _ in range(2))
    beneficiary.reports.add(report)
    # Another structure of the same manager, validated, without convention yet.
    structure2 = make.validated_structure(commune, posts=2, manager=manager)
    # A third one, whose convention has a renewal offered and an amendment awaiting opinion.
    structure3 = make.validated_structure(commune, posts=3, manager=manager)
    previous = make.convention(structure3)
    renewal = Convention.objects.create(
        structure=structure3, kind=Convention.Kind.RENEWAL, previous=previous,
        status=Convention.Status.INITIATED, posts=3,
        start=previous.end + datetime.timedelta(days=1),
        end=previous.end + datetime.timedelta(days=3 * 365))
    amendment = Amendment.objects.create(convention=previous, kind=Amendment.Kind.ADD, posts=1,
                                         reason="Un poste de plus.",
                                         status=Amendment.Status.PENDING_OPINION)
    # A coordinator post granted to the structure, its coordinator not yet appointed.
    coord_post = Application.objects.create(
        structure=structure, kind=Application.Kind.COORDINATOR, posts_requested=1,
        status=Application.Status.VALIDATED, posts_granted=1, decision_number="C-1",
        motivation=f"Un coordinateur ({marker}).", desired_start=TODAY,
        coordination_scope=Application.CoordinationScope.DEPARTMENT,
        coordinated_department=commune.department)
    return SimpleNamespace(
        manager=manager, structure=structure, application=application, advisor=advisor,
        contract=contract, point=point, hidden_point=hidden, closure=closure, report=report,
        beneficiary=beneficiary, twin=twin,
        convention=convention, structure2=structure2, renewal=renewal, amendment=amendment,
        coord_post=coord_post)


def _somme():
    hdf = Region.objects.get(code="32")
    somme, _ = Department.objects.get_or_create(code="80", defaults={"name": "Somme",
                                                                      "region": hdf})
    amiens, _ = Commune.objects.get_or_create(
        insee_code="80021", defaults={"name": "Amiens", "department": somme,
                                      "population": 130000})
    return amiens


def build_world():
    communes = make.geography()
    sides = {"A": _party("A", communes["Beauvais"]), "C": _party("C", _somme()),
             "B": _party("B", communes["Paris"])}
    coordinator = make.advisor(make.user(role=Role.COORDINATOR), is_coordinator=True)
    coordinator.coordinated.add(sides["A"].advisor)
    elu = make.user(email="maire@beauvais.example.fr")
    Mandate.objects.create(profile=OfficialProfile.objects.create(user=elu), role="maire",
                           commune=communes["Beauvais"], started_on="2020-07-01")
    people = {
        ELU: elu, MANAGER: sides["A"].manager, ADVISOR: sides["A"].advisor.user,
        COORD: coordinator.user,
        P60: make.prefect(department=communes["Beauvais"].department),
        PREG: make.prefect(region=communes["Beauvais"].department.region),
        ADMIN: site.staff_user(Role.ANCT_ADMIN, email="admin@anct.gouv.fr"),
        TRAINER: make.user(email="formatrice@example.fr", role=Role.TRAINER),
    }
    stranger = make.user(email="autre.personne@example.fr")
    other_admin = site.staff_user(Role.ANCT_ADMIN, email="autre.admin@anct.gouv.fr")

    # The Académie: a published course and a draft one; each person's enrolments.
    live = site.course("Formation ouverte", audience=Audience.ALL)
    draft = site.course("Formation en préparation", audience=Audience.ALL, publish=False)
    live_session = site.session(live, communes["Beauvais"])
    # DIF élus: the published course is eligible, under an approved body (academy.funding).
    type(live).objects.filter(pk__in=[live.pk, draft.pk]).update(
        dif_eligible=True, training_body=TrainingBody.objects.create(
            name="Organisme agréé", siret="12345678900012", approval_number="AGR-1",
            approval_date=datetime.date(2024, 1, 1)))
    draft_session = site.session(draft, communes["Beauvais"])
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=10)
    past_session = site.session(live, communes["Beauvais"], start=start,
                                end=start + datetime.timedelta(hours=7),
                                enrolment_opens=start - datetime.timedelta(days=60),
                                enrolment_closes=start - datetime.timedelta(days=1),
                                cancellation_deadline=start - datetime.timedelta(days=3))
    # A session under way all of today, trained by the trainer, the élu its participant.
    tz = timezone.get_current_timezone()
    trained_session = site.session(
        live, communes["Beauvais"], days=-5,
        start=datetime.datetime.combine(TODAY, datetime.time(0, 5), tz),
        end=datetime.datetime.combine(TODAY, datetime.time(23, 55), tz))
    trained_session.trainer_accounts.add(people[TRAINER])
    Enrolment.objects.create(session=trained_session, user=people[ELU],
                             status=Enrolment.Status.CONFIRMED)
    enrolments, attended = {}, {}
    for role, person in [*people.items(), ("stranger", stranger)]:
        enrolments[role] = Enrolment.objects.create(session=live_session, user=person,
                                                    status=Enrolment.Status.CONFIRMED)
        attended[role] = Enrolment.objects.create(session=past_session, user=person,
                                                  status=Enrolment.Status.CONFIRMED)
        day, period = past_session.half_days()[0]
        Attendance.objects.create(enrolment=attended[role], day=day, period=period,
                                  status=Attendance.Status.PRESENT)

    # The élu's invitation to the past session's questionnaire, and the session's trainer.
    past_session.trainer_accounts.add(people[TRAINER])
    survey_invitation = surveys.invite(attended[ELU], Stage.END)[0]
    survey_token = survey_invitation.token
    survey_answers = {f"q{q.pk}": "4" if q.kind == "likert" else "Très utile."
                      for q in survey_invitation.question_set.questions.all()}

    # Session documents: of the past session everyone attended, and of one nobody is in.
    documents = {}
    for key, session in [("attended", past_session), ("other", draft_session)]:
        documents[key] = SessionDocument(session=session, title="Diaporama")
        documents[key].file.save("diaporama.pdf", ContentFile(b"%PDF slides"), save=True)

    # Export jobs, finished, one per person, and another requester's.
    def job(person):
        created = ExportJob.objects.create(requester=person, level="department",
                                           territory_code="60", status=ExportJob.Status.DONE,
                                           progress=100)
        created.file.save(f"{created.pk.hex}.xlsx", ContentFile(b"PK\x03\x04 export"))
        return created

    # Calendar tokens: each person's; one replaced by a reset; one of a deactivated person.
    tokens = {role: CalendarToken.objects.for_user(person).token
              for role, person in people.items()}
    tokens[ANON] = tokens[ELU]  # whoever holds the link reads the feed
    reset = CalendarToken.objects.for_user(stranger)
    old_token = reset.token
    reset.reset()
    gone = make.user(email="partie@example.fr")
    inactive_token = CalendarToken.objects.for_user(gone).token
    User.objects.filter(pk=gone.pk).update(is_active=False)

    return SimpleNamespace(
        communes=communes, sides=sides, people=people, stranger=stranger,
        live_session=live_session, draft_session=draft_session,
        trained_session=trained_session,
        enrolments=enrolments | {ANON: enrolments[ELU]},
        attended=attended | {ANON: attended[ELU]},
        other_enrolment=enrolments["stranger"], other_attended=attended["stranger"],
        attestation_reference=current_attestation(attended[ELU]).reference,
        jobs={**{role: job(person) for role, person in people.items()}},
        other_job=job(other_admin), tokens=tokens, old_token=old_token,
        inactive_token=inactive_token, documents=documents,
        survey_token=survey_token, survey_answers=survey_answers,
        survey_subjects={"session": past_session.pk, "formation": live.pk,
                         "formateur": people[TRAINER].pk},
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at the end; each test
    (and each cell) runs in a savepoint of its own."""
    media = tmp_path_factory.mktemp("media")
    with (django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch,
          override_settings(MEDIA_ROOT=media, API_RATE_LIMIT="100000/min",
                            ATTESTATION_CHECK_RATE_LIMIT="100000/m/ip")):
        # The PDF itself is tested elsewhere; here only who may download it.
        patch.setattr("academy.documents.attestation_pdf",
                      lambda enrolment, *args, **kwargs: b"%PDF-1.7")
        patch.setattr("academy.funding_documents.quote_pdf", lambda enrolment: b"%PDF-1.7")
        patch.setattr("academy.funding_documents.programme_pdf",
                      lambda course, sessions: b"%PDF-1.7")
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            site.ensure_site()
            built = build_world()
            built.jobs[ANON] = built.jobs[ELU]
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def clients(world):
    """One signed-in test client per role (anonymous: not signed in)."""
    made = {}
    for role in ROLES:
        made[role] = Client()
        if role != ANON:
            made[role].force_login(world.people[role])
    return made


# --- running one cell ------------------------------------------------------------------------
def body_of(response):
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    text = content.decode("utf-8", errors="ignore")
    return text.replace("\r\n ", "").replace("\r\n\t", "").lower()  # iCalendar unfolded


def run_cell(clients, world, name, case, role):
    """The problem found in this cell, or None."""
    client = clients[role]
    kwargs = case.kwargs(world, role) if case.kwargs else {}
    url = reverse(name, kwargs=kwargs) + case.query
    allowed = role in case.allowed
    with transaction.atomic():  # each cell leaves the world as it found it
        watch = case.method == "post" and not allowed
        before = snapshot() if watch else None
        if case.method == "post":
            data = case.data(world, role, case.side) if case.data else {}
            response = client.post(url, data)
        else:
            response = client.get(url)
        changed = watch and snapshot() != before
        text = body_of(response) if response.status_code == 200 else ""
        transaction.set_rollback(True)
    status = response.status_code
    to_login = status == 302 and response["Location"].startswith(reverse("account_login"))
    where = f"{role} {case.method.upper()} {url} [{case.side}] → {status}"
    if allowed:
        if status not in case.expected_ok() or to_login:
            return f"{where}: should be allowed ({case.expected_ok()})"
        leaked = [side for side, marker in MARKERS.items()
                  if side not in READS_PRIVATE[role] and marker in text]
        if leaked:
            return f"{where}: shows private details of {', '.join(leaked)}"
        return None
    if not (status in (403, 404) or (role == ANON and to_login)):
        return f"{where}: should be refused (403/404{', login' if role == ANON else ''})"
    if changed:
        return f"{where}: refused, but the database changed"
    return None


# --- the tests -------------------------------------------------------------------------------
def test_every_url_pattern_is_classified():
    """A new view must be added to PATTERNS (who may open it, on whose objects)."""
    found = url_patterns()
    unclassified = sorted(f"{name} (/{route})" for name, route in found.items()
                          if name not in PATTERNS)
    assert not unclassified, ("URL patterns missing from the visibility matrix: "
                              + ", ".join(unclassified))
    stale = sorted(set(PATTERNS) - set(found))
    assert not stale, f"Entries of the matrix without a URL pattern: {', '.join(stale)}"


def test_the_matrix_size():
    cells = matrix_cells()
    print(f"visibility matrix: {len(PATTERNS)} URL patterns, "
          f"{sum(len(e.cases) for e in PATTERNS.values())} cases × {len(ROLES)} roles = "
          f"{cells} cells")
    assert len(PATTERNS) >= 60
    assert cells >= 1000


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_visibility_matrix(clients, world, name):
    problems = [problem for case in PATTERNS[name].cases for role in ROLES
                if (problem := run_cell(clients, world, name, case, role))]
    assert not problems, "\n".join(problems)


# --- beyond the URL patterns --------------------------------------------------------------------
ADMIN_PAGES = [
    ("wagtailadmin_home", lambda w: []),
    ("advisors_structures:index", lambda w: []),
    ("advisors_applications:inspect", lambda w: [w.sides["B"].application.pk]),
    ("advisors_applications:coordination_scope", lambda w: [w.sides["B"].coord_post.pk]),
    ("advisors_contracts:index", lambda w: []),
    ("advisors_import:index", lambda w: []),
    ("advisors_structures:edit", lambda w: [w.sides["B"].structure.pk]),
    ("advisors_structures:history", lambda w: [w.sides["B"].structure.pk]),
    ("advisors_advisors:edit", lambda w: [w.sides["A"].advisor.pk]),
    ("advisors_service_points:history", lambda w: [w.sides["A"].point.pk]),
    ("advisors_training_records:index", lambda w: []),
    ("academy_admin:enrolments", lambda w: [w.live_session.pk]),
    ("academy_dif_admin:list", lambda w: []),
]


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_closed_to_everyone_but_anct(client, world, role):
    """The back office (Wagtail admin and the programme's admin views) answers ANCT staff
    only; élus, préfets, managers and advisors are turned away and change nothing."""
    if role != ANON:
        client.force_login(world.people[role])
    for name, args in ADMIN_PAGES:
        response = client.get(reverse(name, args=args(world)))
        if role == ADMIN:
            assert response.status_code == 200, name
        else:
            assert response.status_code in (302, 403), (role, name, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("account_login")) or \
                    response["Location"].startswith("/admin/login"), response["Location"]
    if role == ADMIN:
        return
    before = snapshot()
    application = world.sides["A"].application
    response = client.post(reverse("advisors_applications:decide", args=[application.pk]), {
        "outcome": "validated", "posts_granted": "1", "decision_number": "COSELEC-9"})
    assert response.status_code in (302, 403)
    structure = world.sides["A"].structure
    response = client.post(reverse("advisors_structures:edit", args=[structure.pk]), {
        "name": "Renommée", "kind": structure.kind, "address": "Ailleurs",
        "contact_first_name": "X", "contact_last_name": "Y", "contact_email": "x@y.fr"})
    assert response.status_code in (302, 403)
    assert snapshot() == before


def test_editors_neither_cancel_sessions_nor_export_participants(client, world):
    """ANCT editors manage sessions and enrolments in the back office, but cancelling a
    session and exporting its participants' personal data are for administrators."""
    client.force_login(site.staff_user(Role.ANCT_EDITOR))
    session = world.live_session.pk
    assert client.get(reverse("academy_admin:enrolments", args=[session])).status_code == 200
    before = snapshot()
    for url, method in [(reverse("academy_admin:export", args=[session, "csv"]), "get"),
                        (reverse("academy_admin:export", args=[session, "xlsx"]), "get"),
                        (reverse("academy_admin:cancel", args=[session]), "get"),
                        (reverse("academy_admin:cancel", args=[session]), "post")]:
        response = getattr(client, method)(url, {"reason": "Salle indisponible"})
        assert response.status_code in (302, 403), url
        assert response.status_code == 403 or response["Location"] == "/admin/", url
    assert snapshot() == before


def test_public_lists_never_show_hidden_points_nor_drafts(client, world):
    """What anyone may read lists public service points only, never a draft course."""
    hidden = [world.sides[s].hidden_point.name.lower() for s in "ACB"]
    urls = ["/conseillers/", "/conseillers/carte-integree/", "/api/v1/lieux?page_size=100",
            "/api/v1/sessions?page_size=100",
            "/donnees/lieux-mediation-numerique.csv", "/donnees/lieux-mediation-numerique.json",
            "/calendrier/formations.ics", "/sitemap.xml"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body_of(response)
        assert not [name for name in hidden if name in text], url
        assert "formation en préparation" not in text, url
    def names(url):
        return {item["nom"] for item in client.get(url).json()["items"]}

    assert names("/api/v1/lieux?page_size=100") == {
        world.sides[s].point.name for s in "ACB"}
    applying = make.structure(world.communes["Lille"], name="Association en candidature")
    make.application(applying)
    assert names("/api/v1/structures?page_size=100") == {
        world.sides[s].structure.name for s in "ACB"} | {
        world.sides[s].structure2.name for s in "ACB"} | {
        world.sides[s].convention.structure.name for s in "ACB"} | {
        world.sides[s].renewal.structure.name for s in "ACB"}


def test_personal_feed_lists_only_the_holders_own_places_and_sessions(client, world):
    token = world.tokens[ADVISOR]
    text = body_of(client.get(reverse("calendars:personal_feed", args=[token])))
    assert world.sides["A"].point.name.lower() in text
    assert world.sides["B"].point.name.lower() not in text
    assert MARKERS["B"] not in text and MARKERS["C"] not in text
    elu = body_of(client.get(reverse("calendars:personal_feed", args=[world.tokens[ELU]])))
    assert "formation ouverte" in elu and world.sides["A"].point.name.lower() not in elu


def test_forms_never_take_another_partys_object(client, world):
    """Scoping also holds for objects named inside a form: a service point created for B's
    structure, an activity report on B's service point."""
    client.force_login(world.people[MANAGER])
    before = snapshot()
    response = client.post(reverse("advisors:place_create"), {
        "structure": world.sides["B"].structure.pk, **place_body(world, MANAGER, "A")})
    assert response.status_code == 200
    assert "fr-error-text" in response.content.decode() or "fr-message--error" in \
        response.content.decode()
    assert snapshot() == before
    client.force_login(world.people[ADVISOR])
    point_b = world.sides["B"].point
    response = client.post(reverse("advisors:report_create"), {
        "date": TODAY.isoformat(), "kind": "individual", "participants": "1",
        "channel": ActivityReport.Channel.SERVICE_POINT, "service_point": str(point_b.pk),
        "commune": point_b.commune.label, "themes": ["email"], "duration": "30_60",
        "age_over_60": "1"})
    assert response.status_code == 200
    assert snapshot() == before
    assert not Structure.objects.filter(name="Nouveau nom").exists()
