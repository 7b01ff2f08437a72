"""axe-core in Chromium on every page of the public, élu, structure manager, advisor, préfet and
ANCT journeys: no violation of the WCAG 2.1 A and AA rules.

One test per journey visits its pages in turn with one data set and one signed-in browser
context, collects each page's violations and fails at the end with all of them, readable
(rule, impact, elements, help). Each page must answer the expected status at its own URL:
a redirect to the login or the two-factor setup would check the wrong page.

The axe contexts bypass the Content-Security-Policy: axe is a test tool injected into the
page, not part of it, and the policy (rightly) refuses scripts without the response's nonce.
The policy itself is checked with the real headers by test_csp_journey.py."""

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from academy.models import Enrolment, Mandate, OfficialProfile
from accounts.roles import Role
from advisors.models import Amendment, Application
from tests import factories as site
from tests.advisors import factories as make

pytestmark = pytest.mark.browser
journey = pytest.mark.django_db(transaction=True)

AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
# What axe leaves for review fails too, but for two rules it cannot settle here: contrast over
# the DSFR's pseudo-elements, gradients and background images (checked by hand), and whether
# a symbol is visible text (the map's "+" and "−" buttons, named "Zoomer" and "Dézoomer").
UNDECIDABLE = {"color-contrast", "label-content-name-mismatch"}

# Pages checked per journey, asserted by each test so the figure quoted stays true.
PAGES_PER_JOURNEY = {"public": 21, "élu": 10, "structure": 17, "advisor": 11, "préfet": 7,
                     "ANCT": 6}


@pytest.fixture
def role_groups(db):
    """Real transactions: an earlier test may have flushed the groups made by migrations."""
    for role in Role:
        Group.objects.get_or_create(name=role)


def axe_context(browser, live_server, user=None, **options):
    context = browser.new_context(locale="fr-FR", bypass_csp=True, **options)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
    return context


def describe(violation):
    elements = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:5])
    more = len(violation["nodes"]) - 5
    return (f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})\n      on {elements}" + (f" and {more} more" if more > 0
                                                                 else ""))


def axe_violations(page):
    """The violations axe finds, and what it leaves for review (``impact`` "à vérifier")."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(RUN_AXE, WCAG_21_A_AA)
    undecided = [{**result, "impact": f"à vérifier, {result['impact']}"}
                 for result in results["incomplete"] if result["id"] not in UNDECIDABLE]
    return results["violations"] + undecided


def send_empty(page, button):
    """Sends the form as it is, the browser's own checks off, to show the server's errors."""
    page.evaluate("() => document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def check_pages(context, base, pages):
    """Opens each (path, status[, button]) of ``pages`` and runs axe, after sending the form
    with ``button`` when given (errors shown); fails at the end with every violation."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = []
    for path, status, *button in pages:
        response = page.goto(base + path)
        landed = urlsplit(page.url)
        wanted = urlsplit(base + path)
        if response.status != status or (landed.path, landed.query) != (wanted.path,
                                                                        wanted.query):
            problems.append(f"{path}: answered {response.status} at {page.url}, "
                            f"expected {status} at the same URL")
            continue
        if button:
            send_empty(page, button[0])
            path += f" (sent with « {button[0]} »)"
        violations = axe_violations(page)
        if violations:
            problems.append(f"{path}:\n" + "\n".join(map(describe, violations)))
    page.close()
    assert not problems, "Accessibility problems:\n" + "\n".join(problems)
    return len(pages)


def official(commune, email="lucie.bernard@mairie-beauvais.fr"):
    user = make.user(email=email, first_name="Lucie", last_name="Bernard")
    user.set_password("Vallee-du-Therain-2026")
    user.save()
    Mandate.objects.create(profile=OfficialProfile.objects.create(user=user), role="maire",
                           commune=commune, started_on=date(2020, 7, 4))
    return user


@pytest.fixture
def territory(role_groups):
    communes = make.geography()
    beauvais = communes["Beauvais"]
    beauvais.latitude, beauvais.longitude, beauvais.postal_codes = 49.43, 2.08, ["60000"]
    beauvais.save()
    return communes


@pytest.fixture
def course(territory):
    theme = site.theme("Finances locales")
    course = site.course("Budget communal", themes=[theme])
    site.session(course, territory["Beauvais"], trainers="Anne Leroy")
    site.session(course, None, days=45)
    return course


@pytest.fixture
def deployment(territory):
    """A structure with a validated application, convention, amendment and contract, an
    advisor with a service point and reports, and an application waiting for an opinion."""
    beauvais = territory["Beauvais"]
    manager = make.user(email="claire.dupont@beauvais.fr", role=Role.STRUCTURE_MANAGER,
                        first_name="Claire", last_name="Dupont")
    structure = make.validated_structure(beauvais, posts=3, manager=manager,
                                         name="Ville de Beauvais")
    make.structure(territory["Compiègne"], manager=manager, name="CCAS de Compiègne")
    pending = make.application(make.structure(beauvais, name="Médiathèque de l'Oise"),
                               Application.Status.CREATED)
    convention = make.convention(structure, start=timezone.localdate() - timedelta(days=400))
    amendment = Amendment.objects.create(convention=convention, kind=Amendment.Kind.ADD,
                                         posts=1, reason="Ouvrir une permanence de plus.",
                                         status=Amendment.Status.PENDING_OPINION)
    account = make.user(email="ines.garnier@conseiller-numerique.fr", role=Role.ADVISOR,
                        first_name="Inès", last_name="Garnier")
    advisor = make.advisor(account, first_name="Inès", last_name="Garnier",
                           email="ines.garnier@conseiller-numerique.fr", is_coordinator=True,
                           training_start=date(2025, 1, 6), training_end=date(2025, 2, 28),
                           training_hours=105)
    account.groups.add(Group.objects.get(name=Role.COORDINATOR))
    colleague = make.advisor(first_name="Hugo", last_name="Petit")
    advisor.coordinated.add(colleague)
    contract = make.contract(structure, advisor)
    make.contract(structure, colleague)
    place = make.service_point(structure, name="Médiathèque du centre", advisors=[advisor],
                               latitude=49.435, longitude=2.085)
    make.activity_report(advisor, beauvais, structure, service_point=place)
    make.activity_report(colleague, beauvais, structure)
    return {"manager": manager, "structure": structure, "pending": pending,
            "convention": convention, "amendment": amendment, "advisor": advisor,
            "account": account, "colleague": colleague, "contract": contract,
            "place": place, "department": beauvais.department}


def test_the_check_finds_what_axe_reports(browser):
    """The checks above can fail: a page without a language, an image without text
    alternative and a field without a label gives these three rules."""
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.set_content("<html><head><title>Essai</title></head><body><main><h1>Essai</h1>"
                     "<img src='data:,'><input type='text'></main></body></html>")
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"html-has-lang", "image-alt", "label"} <= found
    context.close()


@journey
@pytest.mark.parametrize("width", [1280, 375])
def test_public_pages(live_server, browser, course, deployment, width):
    place = deployment["place"]
    pages = [
        ("/", 200),
        ("/formations/", 200),
        ("/formations/?theme=finances-locales&department=60&format=on_site", 200),
        ("/formations/?q=astronautique", 200),
        (course.url, 200),
        ("/recherche/?q=budget", 200),
        ("/donnees/", 200),
        ("/conseillers/", 200),
        ("/conseillers/?q=Beauvais+%2860%29", 200),
        (f"/conseillers/{place.pk}/", 200),
        ("/conseillers/integrer/?departement=60&hauteur=600", 200),
        ("/conseillers/carte-integree/?departement=60", 200),
        ("/donnees-personnelles/", 200),
        ("/accessibilite/", 200),
        ("/comptes/login/", 200),
        ("/comptes/login/", 200, "Connexion"),
        ("/comptes/signup/", 200),
        ("/comptes/signup/", 200, "Création de compte"),
        ("/comptes/password/reset/", 200),
        ("/comptes/password/reset/", 200, "Réinitialiser mon mot de passe"),
        ("/cette-page-n-existe-pas/", 404),
    ]
    # Also on a phone: tables and grids that fit on a desktop scroll there.
    context = axe_context(browser, live_server, viewport={"width": width, "height": 900})
    assert check_pages(context, live_server.url, pages) == PAGES_PER_JOURNEY["public"]
    context.close()


@journey
def test_elected_official_pages(live_server, browser, course, territory):
    lucie = official(territory["Beauvais"])
    session = course.sessions.first()
    Enrolment.objects.create(user=lucie, session=session, status=Enrolment.Status.CONFIRMED)
    pages = [
        ("/espace/", 200),  # with its sections: trainings, hours, calendar feed, data
        ("/espace/profil-elu/", 200),
        ("/espace/profil-elu/", 200, "Enregistrer mon profil"),
        ("/espace/donnees/", 200),
        (course.url, 200),  # signed in: the enrol and calendar buttons
        ("/formations/", 200),
        ("/conseillers-numeriques/", 200),
        ("/comptes/email/", 200),
        ("/comptes/password/change/", 200),
        ("/comptes/2fa/", 200),
    ]
    context = axe_context(browser, live_server, lucie)
    assert check_pages(context, live_server.url, pages) == PAGES_PER_JOURNEY["élu"]
    context.close()


@journey
def test_structure_manager_pages(live_server, browser, deployment):
    structure, convention = deployment["structure"], deployment["convention"]
    contract = deployment["contract"]
    application = structure.applications.get()
    pages = [
        ("/conseillers-numeriques/", 200),
        ("/conseillers-numeriques/candidater/", 200),
        ("/conseillers-numeriques/candidater/", 200, "Déposer la candidature"),
        ("/conseillers-numeriques/ma-structure/", 200),
        (f"/conseillers-numeriques/structures/{structure.pk}/", 200),
        (f"/conseillers-numeriques/structures/{structure.pk}/recrutement/", 200),
        (f"/conseillers-numeriques/structures/{structure.pk}/recrutement/", 200,
         "Enregistrer le contrat"),
        (f"/conseillers-numeriques/structures/{structure.pk}/poste-coordinateur/", 200),
        (f"/conseillers-numeriques/structures/{structure.pk}/poste-coordinateur/", 200,
         "Déposer la demande"),
        (f"/conseillers-numeriques/contrats/{contract.pk}/rupture/", 200),
        (f"/conseillers-numeriques/contrats/{contract.pk}/prolongation/", 200),
        (f"/conseillers-numeriques/candidatures/{application.pk}/", 200),
        (f"/conseillers-numeriques/conventions/{convention.pk}/", 200),
        (f"/conseillers-numeriques/conventions/{convention.pk}/reconventionnement/", 200),
        (f"/conseillers-numeriques/conventions/{convention.pk}/avenant/", 200),
        (f"/conseillers-numeriques/avenants/{deployment['amendment'].pk}/", 200),
        ("/espace/", 200),
    ]
    context = axe_context(browser, live_server, deployment["manager"])
    assert check_pages(context, live_server.url, pages) == PAGES_PER_JOURNEY["structure"]
    context.close()


@journey
def test_advisor_pages(live_server, browser, deployment):
    place = deployment["place"]
    pages = [
        ("/conseillers-numeriques/lieux/", 200),
        ("/conseillers-numeriques/lieux/nouveau/", 200),
        ("/conseillers-numeriques/lieux/nouveau/", 200, "Enregistrer le lieu"),
        (f"/conseillers-numeriques/lieux/{place.pk}/", 200),  # the weekly hours grid
        ("/conseillers-numeriques/activite/", 200),
        ("/conseillers-numeriques/activite/saisir/", 200),
        ("/conseillers-numeriques/ma-formation/", 200),
        ("/conseillers-numeriques/coordination/", 200),
        (f"/conseillers-numeriques/coordination/conseillers/{deployment['colleague'].pk}/",
         200),
        ("/conseillers-numeriques/", 200),
        ("/espace/", 200),
    ]
    # On a phone, where advisors record their activity.
    context = axe_context(browser, live_server, deployment["account"],
                          viewport={"width": 375, "height": 812}, is_mobile=True,
                          has_touch=True)
    assert check_pages(context, live_server.url, pages) == PAGES_PER_JOURNEY["advisor"]
    context.close()


@journey
def test_prefect_pages(live_server, browser, deployment):
    department = deployment["department"]
    prefect = make.prefect(department=department)
    pages = [
        ("/conseillers-numeriques/candidatures/", 200),
        ("/conseillers-numeriques/candidatures/?without_opinion=on", 200),
        (f"/conseillers-numeriques/candidatures/{deployment['pending'].pk}/", 200),
        (f"/conseillers-numeriques/candidatures/{deployment['pending'].pk}/", 200,
         "Donner mon avis"),
        (f"/conseillers-numeriques/avenants/{deployment['amendment'].pk}/", 200),
        (f"/tableau-de-bord/departement/{department.code}/", 200),
        ("/espace/", 200),
    ]
    context = axe_context(browser, live_server, prefect)
    assert check_pages(context, live_server.url, pages) == PAGES_PER_JOURNEY["préfet"]
    context.close()


@journey
def test_anct_pages(live_server, browser, deployment):
    department = deployment["department"]
    pages = [
        ("/tableau-de-bord/national/", 200),
        (f"/tableau-de-bord/region/{department.region.code}/", 200),
        (f"/tableau-de-bord/departement/{department.code}/", 200),
        (f"/tableau-de-bord/structure/{deployment['structure'].pk}/", 200),
        ("/conseillers-numeriques/candidatures/", 200),
        ("/comptes/2fa/", 200),
    ]
    context = axe_context(browser, live_server, make.admin())
    assert check_pages(context, live_server.url, pages) == PAGES_PER_JOURNEY["ANCT"]
    context.close()
