"""Bad input, form by form: every public and role form submitted empty, with 10,000
characters in its text fields, with dates far in the past and far in the future, and with
out-of-range numbers. Each submission must be refused with a French message next to a field
(DSFR error classes), nothing saved, never a 500.

The forms and their valid bodies come from the visibility matrix (its POST cases on party
A's objects) plus the forms it only opens (application, service point, activity report, the
élu's profile) and allauth's. The fields of each case are read from the forms of the page
itself (GET), so a new field is covered without editing this file: text fields (not hidden,
not choices), date fields, number fields; a case that finds no such field in a form is not
generated.

``KNOWN_GAPS`` lists the (form, case) pairs still accepted or refused without a message; they
run as strict xfails, so fixing one makes the test fail until it is taken off the list.
"""

import datetime
import re
from html import unescape

import pytest
from django import forms
from django.db import transaction
from django.forms.formsets import BaseFormSet
from django.test import Client
from django.urls import reverse

from tests.security import test_visibility_matrix as matrix
from tests.security.db import snapshot
from tests.security.test_visibility_matrix import ADMIN, ANON, ELU, PATTERNS, TODAY

pytestmark = pytest.mark.django_db

world = matrix.world  # the visibility matrix's world: three parties, every role

ENGLISH = re.compile(r"\b(Enter a|Ensure this|This field|Select a valid|is not one of|Please|"
                     r"must be|is required|are not allowed|Invalid)\b")
ERROR_CLASSES = ("fr-error-text", "fr-message--error", "fr-input-group--error",
                 "fr-select-group--error", "fr-fieldset--error")
LONG = "é" * 10_000
PAST, FUTURE = "0001-01-01", "9999-12-31"
NUMBERS = ("-1", "2147483648", "99999999999999999999")


# --- the forms ------------------------------------------------------------------------------
def matrix_forms():
    """(name, case) of the matrix's POST cases on party A that somebody may send."""
    found = {}
    for name, entry in PATTERNS.items():
        for case in entry.cases:
            if case.method == "post" and case.allowed and case.data and \
                    case.side in ("A", "own", "-") and name not in found:
                found[name] = case
    return found


MATRIX = matrix_forms()


def application_body(w, r, side):
    return {"name": "Mairie de Clermont", "siret": "21600175400016", "kind": "commune",
            "address": "1 place de l'Hôtel de ville", "commune": "Beauvais (60)",
            "contact_first_name": "Claire", "contact_last_name": "Martin",
            "contact_email": "claire@clermont.fr", "contact_phone": "03 44 40 72 00",
            "posts_requested": "2", "motivation": "Accompagner les habitants.",
            "desired_start": (TODAY + datetime.timedelta(days=60)).isoformat()}


def new_place_body(w, r, side):
    return {"name": "Espace numérique", "address": "3 rue Neuve", "commune": "Beauvais (60)",
            "access": "free", "services": ["aide-aux-demarches-administratives"],
            "is_public": "on", "h0_am_opens": "09:00", "h0_am_closes": "12:00"}


def report_body(w, r, side):
    return {"date": TODAY.isoformat(), "kind": "individual", "channel": "service_point",
            "service_point": str(w.sides["A"].point.pk), "commune": "Beauvais (60)",
            "participants": "1", "themes": ["demarches-en-ligne"], "duration": "under_60"}


def profile_body(w, r, side):
    return {"is_employee": "no", "mandates-TOTAL_FORMS": "1", "mandates-INITIAL_FORMS": "0",
            "mandates-0-role": "maire", "mandates-0-authority": "Beauvais (60)",
            "mandates-0-started_on": "2020-07-01"}


EXTRA_FORMS = {
    # name: (role, kwargs, body)
    "advisors:apply": (ELU, None, application_body),
    "advisors:place_create": ("advisor_of_a", None, new_place_body),
    "advisors:report_create": ("advisor_of_a", None, report_body),
    # Only "empty" applies (a file field): the French message next to it, nothing saved.
    "advisors:beneficiary_import": ("advisor_of_a", None, lambda w, r, s: {"importer": ""}),
    "official_profile": ("stranger", None, profile_body),
    "account_signup": (ANON, None, lambda w, r, s: {
        "email": "nouvelle@example.fr", "password1": "Un-mot-de-passe-solide-2026",
        "password2": "Un-mot-de-passe-solide-2026", "first_name": "Léa",
        "last_name": "Durand"}),
    "account_login": (ANON, None, lambda w, r, s: {"login": "personne@example.fr",
                                                   "password": "pas-le-bon"}),
    "account_reset_password": (ANON, None, lambda w, r, s: {"email": "claire@example.fr"}),
    "account_change_password": (ELU, None, lambda w, r, s: {
        "oldpassword": "x", "password1": "Un-mot-de-passe-solide-2026",
        "password2": "Un-mot-de-passe-solide-2026"}),
    "account_email": (ELU, None, lambda w, r, s: {"email": "autre@example.fr",
                                                  "action_add": ""}),
}


# Forms shown on another page than the one they post to, and pages with several forms: the
# page to read the fields from, and the context names of the forms that post to the URL.
FORM_PAGES = {
    "advisors:closure_add": (lambda w: reverse("advisors:place", args=[w.sides["A"].point.pk]),
                             ("closure_form",)),
    "advisors:place": (None, ("form", "hours")),
}


def form_setup(world, name):
    """(client, url, body) for a form, signed in as who may send it."""
    if name in MATRIX:
        case = MATRIX[name]
        role = ADMIN if ADMIN in case.allowed else sorted(case.allowed)[0]
        kwargs = case.kwargs(world, role) if case.kwargs else {}
        body = case.data(world, role, case.side)
    else:
        role, kwargs, make_body = EXTRA_FORMS[name]
        body = make_body(world, role, "A")
    client = Client()
    if role != ANON:
        # A copy read from the database: the world's own objects stay as they were (a
        # password set here is rolled back in the database, and must be in memory too).
        person = world.stranger if role == "stranger" else world.people[role]
        person = type(person).objects.get(pk=person.pk)
        if name == "account_change_password":
            person.set_password("Ancien-mot-de-passe-2026")
            person.save()
            body["oldpassword"] = "Ancien-mot-de-passe-2026"
        client.force_login(person)
    return client, reverse(name, kwargs=kwargs or {}), body


def page_forms(context, keys=None):
    """Every form of a rendered page (or those named ``keys``), formsets' forms included."""
    found = []
    # The page's own template context (the first rendered): included templates see the same
    # forms under other names ("form" for an include's closure form, for instance).
    main = context[0] if isinstance(context, list) and context else context
    for layer in [main]:
        for value in (layer.dicts if hasattr(layer, "dicts") else [layer]):
            for key, item in (value.items() if isinstance(value, dict) else []):
                if keys is not None and key not in keys:
                    continue
                if isinstance(item, BaseFormSet):
                    found.extend(item.forms or [item.empty_form])
                elif isinstance(item, forms.BaseForm):
                    found.append(item)
    unique = []
    for form in found:
        if all(form is not other for other in unique):
            unique.append(form)
    return unique


def field_kinds(form):
    """{kind: [field names as posted]} of a form's visible fields."""
    kinds = {"text": [], "date": [], "number": []}
    for name, field in form.fields.items():
        if field.widget.is_hidden or field.disabled:
            continue
        posted = form.add_prefix(name)
        if isinstance(field, (forms.DateField, forms.DateTimeField)):
            kinds["date"].append(posted)
        elif isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
            kinds["number"].append(posted)
        elif isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField):
            kinds["text"].append(posted)
    return kinds


CASES = ("empty", "10000 characters", "far past dates", "far future dates",
         "out-of-range numbers")
FORMS = sorted([*MATRIX, *EXTRA_FORMS])

# (form, case) pairs known to fail, with the reason; strict xfails (see the module docstring).
KNOWN_GAPS = {
}


def bad_body(body, kinds, case):
    """The valid ``body`` spoiled for ``case``; None when the case does not apply."""
    spoiled = dict(body)
    if case == "empty":
        management = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
        return {key: (value if key.endswith(management) else "")
                for key, value in spoiled.items()} | {
            name: "" for kind in kinds.values() for name in kind}
    targets, value = {
        "10000 characters": (kinds["text"], LONG),
        "far past dates": (kinds["date"], PAST),
        "far future dates": (kinds["date"], FUTURE),
        "out-of-range numbers": (kinds["number"], None),
    }[case]
    if not targets:
        return None
    for index, name in enumerate(targets):
        spoiled[name] = value if value is not None else NUMBERS[index % len(NUMBERS)]
    return spoiled


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", FORMS)
def test_bad_input_is_refused_next_to_the_field(request, world, name, case):
    if (name, case) in KNOWN_GAPS:
        request.node.add_marker(pytest.mark.xfail(reason=KNOWN_GAPS[name, case], strict=True))
    with transaction.atomic():
        client, url, body = form_setup(world, name)
        page_url, keys = FORM_PAGES.get(name, (None, None))
        page = client.get(page_url(world) if page_url else url)
        assert page.status_code == 200, (url, page.status_code)
        kinds = {"text": [], "date": [], "number": []}
        for form in page_forms(page.context or [], keys):
            for kind, names in field_kinds(form).items():
                kinds[kind] += [n for n in names if n not in kinds[kind]]
        data = bad_body(body, kinds, case)
        if data is None:
            transaction.set_rollback(True)
            pytest.skip(f"{name} has no field for “{case}”")
        before = snapshot()
        response = client.post(url, data)
        after = snapshot()
        transaction.set_rollback(True)
    assert response.status_code < 500
    assert response.status_code == 200, (
        f"{name} {case}: answered {response.status_code} "
        f"{response.get('Location', '')} (accepted?)")
    assert after == before, f"{name} {case}: refused, but something was saved"
    html = response.content.decode()
    assert any(css in html for css in ERROR_CLASSES), (
        f"{name} {case}: no message by a field; alerts: "
        + " | ".join(re.sub(r"<[^>]+>|\s+", " ", alert)[:200]
                     for alert in re.findall(r'class="fr-alert[^"]*".*?</div>', html, re.S)))
    errors = re.findall(r'class="fr-(?:error-text|message fr-message--error)"[^>]*>(.*?)<',
                        html, re.S)
    assert not any(ENGLISH.search(text) for text in errors), (name, case, errors)


# --- GET filter forms -----------------------------------------------------------------------
@pytest.mark.parametrize(("url", "query", "field", "words"), [
    ("/formations/", {"date_from": PAST}, "date_from", "vérifiez l'année saisie"),
    ("/formations/", {"date_to": FUTURE}, "date_to", "vérifiez l'année saisie"),
    ("/formations/", {"q": LONG}, "q", "caractères"),
    ("/conseillers/", {"q": LONG}, "q", "au plus 200 caractères"),
    ("/conseillers/integrer/", {"commune": LONG}, "commune", "au plus 100 caractères"),
    ("/conseillers/integrer/", {"commune": "Nulle-part-sur-terre"}, "commune",
     "Aucune commune ne correspond"),
])
def test_a_far_date_or_a_huge_search_in_a_filter_is_explained_next_to_the_field(
        world, url, query, field, words):
    response = Client().get(url, query)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    errors = re.findall(rf'<p[^>]*id="id_{field}-[^"]*"[^>]*class="fr-error-text"[^>]*>(.*?)<|'
                        rf'<p[^>]*class="fr-error-text"[^>]*id="id_{field}-[^"]*"[^>]*>(.*?)<',
                        html, re.S)
    texts = [" ".join(parts).strip() for parts in errors]
    assert any(words in text for text in texts), (url, query.keys(), texts)
    assert not any(ENGLISH.search(text) for text in texts)


@pytest.mark.parametrize("query", [
    {"q": "Beauvais", "rayon_km": "abc"}, {"q": "Beauvais", "rayon_km": "-20"},
    {"q": "Beauvais", "rayon_km": "9" * 400}, {"lat": "999", "lon": "2"},
    {"lat": "nan", "lon": "inf"}, {"lat": "49.43", "lon": "abc"}, {"lat": "1e999"},
])
def test_a_wrong_radius_or_position_in_the_directory_is_ignored_in_french(world, query):
    """The radius falls back to 20 km; a position that cannot be read is said so, in
    French, and the commune field is asked for."""
    response = Client().get("/conseillers/", query)
    assert response.status_code == 200
    html = response.content.decode()
    if "lat" in query:
        assert "Votre position n'a pas pu être lue : indiquez votre commune." in html
    else:
        assert '<option value="20" selected>' in html


@pytest.mark.parametrize("params", [
    {"near": "49.43,2.08", "rayon_km": "abc"}, {"commune": "60057", "rayon_km": "0"},
    {"rayon_km": "20"}, {"commune": "00000", "rayon_km": "5"},
])
def test_a_wrong_radius_in_the_api_is_a_french_400(world, params):
    response = Client().get("/api/v1/lieux", params)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert ("rayon_km" in detail or "commune" in detail) and not ENGLISH.search(detail)


# --- attendance: the trainer's list and the participant's scan ------------------------------
@pytest.mark.parametrize(("arrived", "left", "status", "words"), [
    ("99:99", "", "present", "Indiquez une heure au format 09:30."),
    (LONG, "", "present", "Indiquez une heure au format 09:30."),
    ("", "0001-01-01", "present", "Indiquez une heure au format 09:30."),
    ("11:00", "10:00", "present", "Le départ doit suivre l'arrivée."),
    ("09:40", "", "absent", "ne s'indique que pour une personne présente"),
])
def test_wrong_times_on_the_trainers_list_are_explained_next_to_the_field(
        world, arrived, left, status, words):
    session = world.trained_session
    enrolment = session.enrolments.get(user=world.people[ELU])
    day, period = session.half_days()[0]
    client = Client()
    client.force_login(world.people[matrix.TRAINER])
    with transaction.atomic():
        before = snapshot()
        response = client.post(
            reverse("trainer:attendance", args=[session.pk, f"{day:%Y%m%d}", period]),
            {f"status-{enrolment.pk}": status, f"arrived-{enrolment.pk}": arrived,
             f"left-{enrolment.pk}": left, "status-999999": "present"})
        after = snapshot()
        transaction.set_rollback(True)
    assert response.status_code == 200
    html = response.content.decode()
    assert words in unescape(html) and any(css in html for css in ERROR_CLASSES)
    assert after == before


@pytest.mark.parametrize("token", [
    LONG[:2000], "1-20260101-am-0-0", "0-0-0-0-0", "x" * 300, "%00", "..%2F..%2Fetc",
    "1-99999999-am-1-abcdef", "-1--1-am-9999999999999999999999-00", "１-２-am-３-４"])
def test_a_wrong_attendance_code_is_refused_in_french(world, token):
    client = Client()
    client.force_login(world.people[ELU])
    with transaction.atomic():
        before = snapshot()
        response = client.get(f"/emargement/{token}/")
        after = snapshot()
        transaction.set_rollback(True)
    assert response.status_code in (400, 403, 404)  # 400: a NUL byte, refused by the site
    if response.status_code == 403:
        assert "Ce code d'émargement n'est pas valide" in unescape(response.content.decode())
    assert after == before
