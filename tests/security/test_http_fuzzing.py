"""Every query string and form field of the site, fuzzed through the whole request stack
(WSGI handler, every middleware, the view, its forms and queries) with Hypothesis.

The URL patterns come from the visibility matrix (``PATTERNS``, itself checked against the
URL resolver), plus the Wagtail pages that read a query string and allauth's forms. Each GET
pattern declares the parameters its view reads (``GET_PARAMETERS``; a new pattern without a
declaration fails ``test_every_get_pattern_declares_its_parameters``); each POST pattern is
submitted with the matrix's valid body, some fields replaced. Requests are made as anonymous
when the page is public, else as a role the matrix allows (so the view really runs).

Values: NUL, lone surrogates (sent as their UTF-8-like bytes, as a broken client would), every
quote character, bidirectional and invisible marks, full-text operators, 100 kB strings,
numbers and dates out of range, and Hypothesis' own text.

Each request: an answer below 500; when a value holds a NUL, the French 400 of
``config.bad_input``. ``test_zz_http_fuzzing_figures`` prints the number of requests and of
answers ≥ 500 (always 0 when the module passes) for the database in use.
"""

import collections
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academy.forms import CatalogFilterForm
from advisors.directory.embed import EmbedForm
from advisors.directory.forms import DirectoryForm
from advisors.forms import ApplicationFilterForm
from advisors.forms.beneficiaries import BeneficiaryFilterForm
from dashboards.period import PeriodForm
from dashboards.personal import StatisticsForm
from opendata.api import LieuFilters, SessionFilters, StatsFilters, StructureFilters
from tests.security import test_visibility_matrix as matrix
from tests.security.test_visibility_matrix import ADMIN, ANON, PATTERNS

pytestmark = pytest.mark.django_db

# The visibility matrix's world (three parties, every role) and its signed-in clients.
world, clients = matrix.world, matrix.clients

REQUESTS = collections.Counter()  # (kind, pattern) → requests made
SERVER_ERRORS = []  # "METHOD url → status"

EXAMPLES_GET = 24
EXAMPLES_POST = 16


def fuzz(examples):
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


# --- values ---------------------------------------------------------------------------------
QUOTES = "\"'`´«»‘’‚‛“”„‟‹›＂＇〝〞"
MARKS = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068" \
        "\u2069\u061c\ufeff\u00ad"
SPECIAL = [
    "", " ", "\x00", "a\x00b", "\x00" * 3, "\ud800", "\udfff", "x\udc80y", "\ud83d",
    "%00", "%", "%%", "%ED%A0%80", "\\", "\\x00", "*", "(", ")", ":", "^", "-", "+", "&", "|",
    "!", "<->", "NEAR(a b)", "a AND", "OR", "NOT", "' OR 1=1 --", '"; DROP TABLE x; --',
    "<script>alert(1)</script>", "{{ 7|add:7 }}", "../../etc/passwd", "0", "-1", "-0", "1e400",
    "NaN", "inf", "-Infinity", "9" * 40, "-" + "9" * 40, "0x10", "١٢", "1,5", "49.4,2.08",
    "91,181", "nan,nan", "2026-02-30", "0001-01-01", "9999-12-31", "10000-01-01", "31/12/9999",
    "01/01/0001", "2026-13-01", "on", "off", "true", "[]", "{}", "null", "https://evil.example",
    "//evil.example", "javascript:alert(1)", "\r\nSet-Cookie: x=1", "\t", "\n",
    *QUOTES, QUOTES, MARKS, *MARKS[:6],
]
HUGE = st.sampled_from(["a", "é", '"', "'", "\u202e", "1", "𝟙", "cyber "]).map(
    lambda piece: (piece * (100_000 // len(piece.encode())))[:100_000])
values = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=30),
    st.text(alphabet=QUOTES + MARKS + "\x00ab *:()", max_size=12),
    st.builds(lambda a, b: a + b, st.sampled_from(["cyber", "Beauvais", "60", "2026-01-01"]),
              st.sampled_from(SPECIAL)),
    HUGE,
)


def encode(text):
    """Percent-encodes ``text`` as a browser would, lone surrogates included (as the bytes a
    broken client sends for them)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def query_string(pairs):
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


def has_nul(pairs):
    return any("\x00" in key or "\x00" in value for key, value in pairs)


# --- what each GET pattern reads from the query string -----------------------------------------
def fields(form_class):
    return tuple(form_class.base_fields)


def schema(schema_class):
    return tuple(schema_class.model_fields)


PAGINATED = ("page",)
API_PAGES = ("page", "page_size")
DASHBOARD = (*fields(PeriodForm), "tri", "page")
STATISTICS = fields(StatisticsForm)
GET_PARAMETERS = {
    "sitemap": (), "robots_txt": (), "site_map": (), "legal_notice": (),
    "search": ("q", "page"),
    "territories:communes": ("q", "limit"),
    "territories:authorities": ("q", "level", "limit"),
    "accounts:home": PAGINATED,
    "accounts:notices": (),
    "official_profile": ("next", "bienvenue"),
    "academy:enrol": (),
    "academy:attestation": (),
    "academy:offer": (),
    "academy:material": (),
    "academy:dif_request": (), "academy:dif_quote": (),
    "academy:dif_programme": ("session",),
    "academy:survey": (), "attendance_scan": (),
    "trainer:home": (), "trainer:session": (), "trainer:qr": (), "trainer:qr_code": (),
    "trainer:attendance": (), "trainer:sheet": (),
    "dashboards:surveys": (), "dashboards:survey_results": (), "dashboards:survey_export": (),
    "attestation_check": (),
    "academy_calendar:sessions": ("q", "theme", "region", "department", "format", "audience",
                                  "date_from", "date_to"),
    "academy_calendar:session": (),
    "advisors_calendar:service_point": (),
    "calendars:personal_feed": (),
    "privacy:my_data": (), "privacy:download": (), "privacy:delete_account": (),
    "privacy:register": (), "privacy:accessibility": (),
    "advisors:home": (), "advisors:apply": (), "advisors:my_structures": PAGINATED,
    "advisors:siret_lookup": ("siret",),
    "advisors:prefect_applications": (*fields(ApplicationFilterForm), "page"),
    "advisors:places": PAGINATED,
    "advisors:place_create": (),
    "advisors:reports": PAGINATED,
    "advisors:report_create": ("date", "service_point", "commune", "channel", "kind",
                               "duration", "beneficiaire"),
    "advisors:report_edit": (), "advisors:report_duplicate": (), "advisors:report_delete": (),
    "advisors:training": PAGINATED, "advisors:coordination": PAGINATED,
    "advisors:beneficiaries": (*fields(BeneficiaryFilterForm), "page"),
    "advisors:beneficiary_create": (), "advisors:beneficiary_import": (),
    "advisors:beneficiary": PAGINATED, "advisors:beneficiary_edit": (),
    "advisors:beneficiary_anonymise": (), "advisors:beneficiary_merge": (),
    "advisors:training_declare": (), "advisors:structure_contacts": (),
    "advisors:structure": PAGINATED, "advisors:contract_create": (),
    "advisors:rupture": (), "advisors:extension_request": (),
    "advisors:application_status": (), "advisors:convention_start": (),
    "advisors:coordinator_post_request": (), "advisors:coordinator_appoint": (),
    "advisors:convention": (), "advisors:renewal_start": (), "advisors:renewal_decline": (),
    "advisors:amendment_request": (), "advisors:amendment": (), "advisors:application": (),
    "advisors:place": (), "advisors:closure_add": (), "advisors:coordinated_advisor": (),
    "directory:search": (*fields(DirectoryForm), "page"),
    "directory:embed_builder": fields(EmbedForm),
    "directory:embedded": (*fields(EmbedForm), "page"),
    "directory:service_point": (),
    "dashboards:index": (), "dashboards:national": DASHBOARD,
    "dashboards:region": DASHBOARD, "dashboards:department": DASHBOARD,
    "dashboards:structure": DASHBOARD, "dashboards:table_export": DASHBOARD,
    "dashboards:export_request": DASHBOARD, "dashboards:export_job": (),
    "dashboards:export_status": (), "dashboards:export_download": (),
    "dashboards:my_statistics": STATISTICS, "dashboards:my_statistics_export": STATISTICS,
    "dashboards:team_statistics": STATISTICS, "dashboards:team_statistics_export": STATISTICS,
    "dashboards:structure_statistics": STATISTICS,
    "dashboards:structure_statistics_export": STATISTICS,
    "opendata:index": (), "opendata:schema": (), "opendata:download": (),
    "api-v1:api-root": (), "api-v1:openapi-json": (), "api-v1:openapi-view": (),
    "api-v1:lieux": (*schema(LieuFilters), *API_PAGES),
    "api-v1:lieu": (),
    "api-v1:structures": (*schema(StructureFilters), *API_PAGES),
    "api-v1:sessions": (*schema(SessionFilters), *API_PAGES),
    "api-v1:statistiques_departements": (*schema(StatsFilters), *API_PAGES),
}
# Wagtail's pages (served by the catch-all, outside the matrix) that read a query string.
WAGTAIL_PAGES = {
    "/": PAGINATED,
    "/formations/": (*fields(CatalogFilterForm), "page"),
    "COURSE": (),  # the live course of the matrix's world
}
# allauth's forms: (URL name, fields, who).
ALLAUTH_FORMS = {
    "account_login": (("login", "password", "remember", "next"), ANON),
    "account_signup": (("email", "password1", "password2", "first_name", "last_name"), ANON),
    "account_reset_password": (("email",), ANON),
    "account_email": (("email", "action_add", "action_primary", "action_send",
                       "action_remove"), ADMIN),
    "account_change_password": (("oldpassword", "password1", "password2"), ADMIN),
}
# Always tried besides the declared ones: a parameter no view reads.
UNKNOWN = ("zz", "")


def get_entry(name):
    """(role, kwargs function) of the first GET case somebody may open."""
    for case in PATTERNS[name].cases:
        if case.method == "get" and case.allowed:
            role = ANON if ANON in case.allowed else (
                ADMIN if ADMIN in case.allowed else sorted(case.allowed)[0])
            return role, case
    return None


GET_NAMES = sorted(name for name in PATTERNS if get_entry(name))
POST_CASES = sorted((name, index) for name, entry in PATTERNS.items()
                    for index, case in enumerate(entry.cases)
                    if case.method == "post" and case.allowed)


def send(client, method, url, pairs, kind, name):
    REQUESTS[kind, name] += 1
    with transaction.atomic():
        if method == "get":
            response = client.get(f"{url}?{query_string(pairs)}" if pairs else url)
        else:
            response = client.post(url, query_string(pairs),
                                   content_type="application/x-www-form-urlencoded")
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    where = f"{method.upper()} {url} {query_string(pairs)[:300]} → {response.status_code}"
    if response.status_code >= 500:
        SERVER_ERRORS.append(where)
    assert response.status_code < 500, where
    if has_nul(pairs):
        assert response.status_code == 400, where
        if not url.startswith("/api/"):
            assert "caractère invisible" in response.content.decode(), where
    return response


@st.composite
def get_pairs(draw, parameters):
    names = draw(st.lists(st.sampled_from([*parameters, *UNKNOWN]), min_size=1, max_size=4))
    return [(name, draw(values)) for name in names]


def roleless_client():
    return Client(raise_request_exception=False)


# --- the tests ------------------------------------------------------------------------------
def test_every_get_pattern_declares_its_parameters():
    missing = sorted(set(GET_NAMES) - set(GET_PARAMETERS))
    assert not missing, f"declare the query parameters of: {', '.join(missing)}"
    assert not sorted(set(GET_PARAMETERS) - set(PATTERNS))


@pytest.mark.parametrize("name", GET_NAMES)
def test_query_strings(clients, world, name):
    role, case = get_entry(name)
    url = reverse(name, kwargs=case.kwargs(world, role) if case.kwargs else {})
    client = clients[role]
    client.raise_request_exception = False

    @fuzz(EXAMPLES_GET)
    @given(pairs=get_pairs(GET_PARAMETERS.get(name, ())))
    def run(pairs):
        send(client, "get", url, pairs, "get", name)

    run()


@pytest.mark.parametrize("page", sorted(WAGTAIL_PAGES))
@pytest.mark.parametrize("role", [ANON, ADMIN])
def test_wagtail_pages_query_strings(clients, world, page, role):
    url = world.live_session.course.url if page == "COURSE" else page
    client = clients[role]
    client.raise_request_exception = False

    @fuzz(EXAMPLES_GET)
    @given(pairs=get_pairs(WAGTAIL_PAGES[page]))
    def run(pairs):
        send(client, "get", url, pairs, "get", url)

    run()


@st.composite
def spoiled_body(draw, body):
    """The valid body with one to three fields (or an unknown one) given fuzzed values."""
    pairs = [(key, value) for key, values in body.items()
             for value in (values if isinstance(values, list) else [values])]
    names = draw(st.lists(st.sampled_from([*body, "zz"]), min_size=1, max_size=3, unique=True))
    fuzzed = {name: draw(values) for name in names}
    return [(key, fuzzed.get(key, value)) for key, value in pairs] + \
        [(key, value) for key, value in fuzzed.items() if key not in body]


@pytest.mark.parametrize("name, index", POST_CASES)
def test_posted_fields(clients, world, name, index):
    case = PATTERNS[name].cases[index]
    role = ADMIN if ADMIN in case.allowed else sorted(case.allowed)[0]
    url = reverse(name, kwargs=case.kwargs(world, role) if case.kwargs else {})
    body = {key: str(value) if not isinstance(value, list) else [str(v) for v in value]
            for key, value in (case.data(world, role, case.side) if case.data else {}).items()}
    client = clients[role]
    client.raise_request_exception = False

    @fuzz(EXAMPLES_POST)
    @given(pairs=spoiled_body(body or {"zz": "x"}))
    def run(pairs):
        send(client, "post", url, pairs, "post", name)

    run()


@pytest.mark.parametrize("name", sorted(ALLAUTH_FORMS))
def test_allauth_forms(clients, world, name):
    field_names, role = ALLAUTH_FORMS[name]
    client = clients[role]
    client.raise_request_exception = False
    url = reverse(name)

    @fuzz(EXAMPLES_POST)
    @given(pairs=st.lists(st.tuples(st.sampled_from([*field_names, "zz"]), values),
                          min_size=1, max_size=len(field_names) + 1))
    def run(pairs):
        send(client, "post", url, pairs, "post", name)

    run()


def test_nul_in_the_path_is_a_french_400(client, world):
    for url in ("/formations/%00/", "/%00", "/conseillers/lieux/%00/", "/recherche/%00"):
        response = client.get(url)
        assert response.status_code in (400, 404), url
        assert response.status_code < 500


def test_report_form_reads_a_huge_service_point_number_as_no_choice(clients, world):
    """Found by this module on PostgreSQL: int() of a 100,000-digit place number raised."""
    response = clients["advisor_of_a"].get(reverse("advisors:report_create"),
                                           {"service_point": "1" * 100_000})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["du=0001-01-01", "au=9999-12-31"])
def test_dashboard_period_out_of_range_is_refused_in_french(clients, world, query):
    """Found by this module on SQLite: the period's bounds overflowed datetimes."""
    response = clients[ADMIN].get(f"/tableau-de-bord/region/32/?{query}")
    assert response.status_code < 500
    assert "Choisissez une date entre le" in response.content.decode()


@pytest.mark.parametrize("query, words", [
    ("du=0001-01", "Choisissez un mois entre janvier 2020"),
    ("au=9999-12", "Choisissez un mois entre janvier 2020"),
    ("du=2026-02&au=2025-02", "Le mois de fin (février 2025) doit suivre"),
    ("type=zz", "Sélectionnez un choix valide"),
])
def test_statistics_filters_out_of_range_are_a_french_400(clients, world, query, words):
    for url in (reverse("dashboards:my_statistics"), reverse("dashboards:team_statistics")):
        response = clients[matrix.COORD].get(f"{url}?{query}")
        assert response.status_code == 400
        assert words in response.content.decode().replace("&#x27;", "'")


def test_zz_http_fuzzing_figures():
    """Runs last in this module: requests made, and answers ≥ 500, on this database."""
    total = sum(REQUESTS.values())
    by_kind = collections.Counter()
    for (kind, _name), count in REQUESTS.items():
        by_kind[kind] += count
    print(f"\nHTTP fuzzing on {connection.vendor}: {total} requests "
          f"({by_kind['get']} GET over {len({n for k, n in REQUESTS if k == 'get'})} pages, "
          f"{by_kind['post']} POST over {len({n for k, n in REQUESTS if k == 'post'})} forms), "
          f"{len(SERVER_ERRORS)} answers ≥ 500")
    assert not SERVER_ERRORS, "\n".join(SERVER_ERRORS[:20])
