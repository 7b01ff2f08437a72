"""Every page of every role, on the demo data, read as a person reads it.

For each role (anonymous, élu, structure manager, advisor, coordinator, préfet, editor, ANCT
administrator), signed in through the login form (and the TOTP step for those who need it):
the pages reachable from the menus and from each page's links (``crawler.Crawl``: same
origin, at most 4 addresses per URL pattern, 150 pages), then every URL pattern with a demo
object. Each answer is below 500 and its visible text free of what a person should never
read (``crawler.problems_in``). The Wagtail admin is walked for the editor and the
administrator too, for its answers and leftovers, but not for English (Wagtail's own).
"""

import functools

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from .conftest import ACCOUNTS, sign_in
from .crawler import Crawl

pytestmark = pytest.mark.django_db

ROLES = list(ACCOUNTS)
STAFF = {"editor", "anct_admin"}
PAGE_LIMIT = 150
ADMIN_PAGE_LIMIT = 80

# Named URL patterns no link-following person opens with GET, and why.
NOT_OPENED = {
    "privacy:download": "a personal data archive (download)",
    "privacy:delete_account": "account deletion",
    "academy:attestation": "a PDF download",
    "academy:material": "a session document (download)",
    "academy:dif_quote": "a PDF download (DIF élus quote)",
    "academy:dif_programme": "a PDF download (DIF élus programme)",
    "academy:attestation_initials": "changes what an attestation's page shows (POST)",
    "advisors:closure_remove": "deletion",
    "calendars:reset_token": "changes the feed's address (POST)",
    "dashboards:table_export": "a CSV download",
    "dashboards:survey_export": "a CSV or XLSX download (questionnaires' results)",
    "dashboards:export_request": "starts an export (POST)",
    "dashboards:export_download": "a file download",
    "dashboards:my_statistics_export": "a CSV or XLSX download",
    "dashboards:team_statistics_export": "a CSV or XLSX download",
    "dashboards:structure_statistics_export": "a CSV or XLSX download",
    "wagtailcore_authenticate_with_password": "pages under a password: none in the demo",
    "wagtailcore_login": "Wagtail's login, redirected to the site's",
    "account_unlock_confirm": "a one-time link sent by email",
    "trainer:sheet": "a PDF download",
    "trainer:qr_code": "the QR screen's JSON, read by its script",
    "attendance_scan": "a QR code valid for a minute; marks the person present",
}
# Named URL patterns whose object the demo data does not have (opened when it does).
NO_DEMO_OBJECT = {
    "advisors:amendment": "no avenant in the demo",
    "dashboards:export_job": "no export requested in the demo",
    "dashboards:export_status": "no export requested in the demo",
}


def demo_urls():
    """One address per URL pattern with an argument, built from the demo's own objects
    (those of the demo accounts where the pattern is scoped)."""
    from academy.models import Attestation, Enrolment, Session, SurveyInvitation
    from academy.offers import offer_token
    from advisors.models import (
        ActivityReport,
        Advisor,
        Amendment,
        Application,
        Beneficiary,
        Contract,
        Convention,
        ServicePoint,
        Structure,
    )
    from calendars.models import CalendarToken
    from dashboards.models import ExportJob
    from territories.models import Department

    structure = Structure.objects.filter(managers__email=ACCOUNTS["structure"]).first()
    advisor = Advisor.objects.get(user__email=ACCOUNTS["advisor"])
    point = advisor.service_points.order_by("pk").first()
    contract = Contract.objects.filter(structure=structure).order_by("pk").first()
    application = Application.objects.filter(structure=structure).order_by("pk").first()
    convention = Convention.objects.filter(structure=structure).order_by("pk").first()
    department = Department.objects.get(code="60")
    report = ActivityReport.objects.filter(advisor=advisor).first()  # the latest
    # The demo advisor's first record, entered twice (demo.beneficiaries).
    beneficiary = Beneficiary.objects.filter(
        created_by__email=ACCOUNTS["advisor"]).order_by("pk").first()
    twin = Beneficiary.objects.duplicates_of(beneficiary).first() if beneficiary else None
    objects = {
        "academy:enrol": {"session_id": Session.objects.order_by("pk").first()},
        "academy:cancel": {"enrolment_id": Enrolment.objects.filter(
            user__email=ACCOUNTS["elu"]).order_by("pk").first()},
        # The demo élu holds an open waiting-list offer, and a place on another list.
        "academy:offer": {"token": next((offer_token(e) for e in Enrolment.objects.filter(
            user__email=ACCOUNTS["elu"], status="offered")), None)},
        # The demo élu's DIF élus request, "Demande faite" (demo.dif).
        "academy:dif_request": {"enrolment_id": Enrolment.objects.filter(
            user__email=ACCOUNTS["elu"], dif_funding__isnull=False).order_by("pk").first()},
        "academy:leave_waitlist": {"enrolment_id": Enrolment.objects.filter(
            user__email=ACCOUNTS["elu"], status="waitlisted").order_by("pk").first()},
        "attestation_check": {"reference": Attestation.objects.filter(
            enrolment__user__email=ACCOUNTS["elu"]).values_list("reference", flat=True).first()},
        "academy_calendar:session": {"session_id": Session.objects.order_by("pk").first()},
        # The élu's questionnaire still to answer, and that session's results (ANCT).
        "academy:survey": {"token": SurveyInvitation.objects.filter(
            enrolment__user__email=ACCOUNTS["elu"], answered=False).values_list(
            "token", flat=True).first()},
        "dashboards:survey_results": {"level": "session", "pk": SurveyInvitation.objects.filter(
            enrolment__user__email=ACCOUNTS["elu"]).values_list(
            "enrolment__session", flat=True).first()},
        "advisors_calendar:service_point": {"service_point_id": point},
        "calendars:personal_feed": {"token": CalendarToken.objects.filter(
            user__email=ACCOUNTS["elu"]).values_list("token", flat=True).first()},
        "advisors:structure": {"pk": structure},
        "advisors:structure_contacts": {"pk": structure},
        "advisors:contract_create": {"pk": structure},
        "advisors:convention_start": {"pk": structure},
        "advisors:rupture": {"pk": contract},
        "advisors:extension_request": {"pk": contract},
        "advisors:application_status": {"pk": application},
        "advisors:application": {"pk": application},
        "advisors:coordinator_post_request": {"pk": structure},
        "advisors:coordinator_appoint": {"pk": Application.objects.filter(
            structure=structure, kind=Application.Kind.COORDINATOR).order_by("pk").first()},
        "advisors:convention": {"pk": convention},
        "advisors:renewal_start": {"pk": convention},
        "advisors:renewal_decline": {"pk": convention},
        "advisors:amendment_request": {"pk": convention},
        "advisors:amendment": {"pk": Amendment.objects.order_by("pk").first()},
        "advisors:place": {"pk": point},
        "advisors:closure_add": {"pk": point},
        "advisors:coordinated_advisor": {"pk": advisor},
        "advisors:report_edit": {"pk": report},
        "advisors:report_duplicate": {"pk": report},
        "advisors:report_delete": {"pk": report},
        "advisors:beneficiary": {"pk": beneficiary},
        "advisors:beneficiary_edit": {"pk": beneficiary},
        "advisors:beneficiary_anonymise": {"pk": beneficiary},
        "advisors:beneficiary_merge": {"pk": beneficiary, "other": twin},
        "directory:service_point": {"service_point_id": ServicePoint.objects.filter(
            is_public=True).order_by("pk").first()},
        "dashboards:region": {"code": department.region.code},
        "dashboards:department": {"code": department.code},
        "dashboards:structure": {"pk": structure},
        "dashboards:structure_statistics": {"pk": structure},
        "dashboards:export_job": {"pk": ExportJob.objects.order_by("pk").first()},
        "dashboards:export_status": {"pk": ExportJob.objects.order_by("pk").first()},
        "api-v1:lieu": {"lieu_id": ServicePoint.objects.filter(
            is_public=True).order_by("pk").first()},
        **trainer_objects(),
    }
    urls = {}
    for name, route in named_patterns():
        if "<" not in route and "(" not in route and name not in NOT_OPENED:
            urls[name] = reverse(name)
    for name, kwargs in objects.items():
        if any(value is None for value in kwargs.values()):
            continue  # no such object in the demo
        urls[name] = reverse(name, kwargs={k: getattr(v, "pk", v) for k, v in kwargs.items()})
    return urls


def trainer_objects():
    """The demo trainer's session of today and its first half-day (demo.trainers)."""
    from academy.models import Session

    session = Session.objects.filter(trainer_accounts__email=ACCOUNTS["trainer"],
                                     start__date__lte=timezone.now()).order_by("-start").first()
    if session is None:
        return {}
    day, period = session.half_days()[0]
    slot = {"session_id": session, "day": f"{day:%Y%m%d}", "period": period}
    return {"trainer:session": {"session_id": session},
            "trainer:qr": slot, "trainer:attendance": slot}


def admin_record_urls():
    """Back-office pages of the demo's corrected records: the demo structure's edit and
    history views (its manager's correction is in it), the training declarations."""
    from advisors.models import Structure

    structure = Structure.objects.filter(managers__email=ACCOUNTS["structure"]).first()
    if structure is None:
        return []
    return [f"/admin/advisors_structures/edit/{structure.pk}/",
            f"/admin/advisors_structures/history/{structure.pk}/",
            "/admin/advisors_training_records/"]


def named_patterns(resolver=None, namespace="", prefix=""):
    """(name, route) of every named URL pattern outside the Wagtail admin, documents and
    allauth (walked by following links)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route in ("admin/", "documents/", "comptes/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", route


def report(role, visits):
    lines = []
    for visit in visits:
        if visit.status >= 500:
            lines.append(f"[{role}] {visit.url} answered {visit.status} (from {visit.source})")
        for kind, excerpt in visit.problems:
            lines.append(f"[{role}] {visit.url}: {kind}: {excerpt}")
    return lines


@functools.cache  # one walk per role and run: the coverage test reads the administrator's
def crawl_as(role):
    client = Client(raise_request_exception=False)
    email = ACCOUNTS[role]
    if email:
        sign_in(client, email)
    get = client.get
    public = Crawl(get, limit=PAGE_LIMIT, outside=("/admin/",))
    start = ["/"] + (["/espace/"] if email else [])
    public.run(start)
    # Every URL pattern with a demo object, whether or not a link led there.
    for name, url in demo_urls().items():
        if url not in public.visits:
            public.visit(url, source=f"(pattern {name})")
    visits = list(public.visits.values())
    if role in STAFF:
        admin = Crawl(get, limit=ADMIN_PAGE_LIMIT, within="/admin/")
        admin.run(["/admin/", *admin_record_urls()], public=lambda path: False)
        visits += admin.visits.values()
    return visits


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_answers_and_reads_clean(role, demo_db):
    visits = crawl_as(role)
    assert len(visits) > 10, [v.url for v in visits]
    problems = report(role, visits)
    assert not problems, "\n" + "\n".join(problems)


def test_every_url_pattern_is_crawled_or_set_aside(demo_db):
    """A new view is opened by the crawl (through a link or a demo object) or named in
    NOT_OPENED with the reason."""
    from django.urls import Resolver404, resolve

    reached = set(demo_urls())
    for visit in crawl_as("anct_admin"):  # the widest walk
        path = visit.url.split("?")[0]
        if path.startswith("/admin/"):
            continue
        try:
            match = resolve(path)
        except Resolver404:
            continue
        reached.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    missing = sorted({name for name, _ in named_patterns()} - reached - set(NOT_OPENED)
                     - set(NO_DEMO_OBJECT))
    assert not missing, f"URL patterns neither crawled nor set aside: {missing}"
