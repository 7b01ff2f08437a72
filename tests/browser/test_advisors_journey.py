"""The Conseillers numériques journey in a real browser: a structure applies, the préfet
gives an opinion, ANCT's committee decides (through the service: its admin UI is tested
elsewhere), the structure records a contract, and the advisor — on a 375 px phone — adds a
service point with its hours and records an activity report."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from advisors import services
from advisors.models import ActivityReport, Application, Contract, PrefectOpinion, Structure
from tests.advisors import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}



def sign_in(context, live_server, user):
    """Puts a signed-in session of ``user`` in the browser context."""
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])


def test_apply_opinion_decision_contract_then_the_advisor_works_on_a_phone(live_server,
                                                                          browser):
    communes = make.geography()
    today = timezone.localdate()
    base = f"{live_server.url}/conseillers-numeriques"

    # 1. A town hall applies for two posts.
    claire = make.user(email="claire.dupont@compiegne.fr", first_name="Claire",
                       last_name="Dupont")
    desk = browser.new_context(locale="fr-FR")
    sign_in(desk, live_server, claire)
    page = desk.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/candidater/")
    page.get_by_label("Nom de la structure").fill("Mairie de Compiègne")
    page.get_by_label("SIRET").fill(make.siret())
    page.get_by_label("Type de structure").select_option(label="Commune")
    page.get_by_label("Adresse", exact=False).first.fill("Place de l'Hôtel de ville")
    page.get_by_label(re.compile("^Commune")).fill("Compiègne (60)")
    page.get_by_label(re.compile("^Prénom du contact")).fill("Claire")
    page.get_by_label(re.compile("^Nom du contact")).fill("Dupont")
    page.get_by_label("Courriel du contact").fill("claire.dupont@compiegne.fr")
    page.get_by_label("Nombre de postes demandés").fill("2")
    motivation = page.get_by_label("Motivation")
    motivation.fill("Ouvrir deux permanences numériques en mairie annexe.")
    assert re.fullmatch(r"2\u00a0\d{3} caractères restants sur 2\u00a0500\.",
                        page.locator("#id_motivation-counter").inner_text())
    page.get_by_label("Date de démarrage souhaitée").fill(
        (today + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Déposer la candidature").click()
    page.wait_for_url(re.compile(r"/structures/\d+/$"))
    assert "est déposée" in page.content()
    structure = Structure.objects.get(name="Mairie de Compiègne")
    application = structure.applications.get()
    assert application.status == Application.Status.CREATED

    # 2. The préfet of the Oise finds it among the applications without opinion.
    prefect = make.prefect(department=communes["Compiègne"].department)
    office = browser.new_context(locale="fr-FR")
    sign_in(office, live_server, prefect)
    prefect_page = office.new_page()
    prefect_page.set_default_timeout(15_000)
    prefect_page.goto(f"{base}/candidatures/")
    prefect_page.get_by_label("Sans avis uniquement").check(force=True)
    prefect_page.get_by_role("button", name="Filtrer").click()
    prefect_page.get_by_role("link", name="Mairie de Compiègne").click()
    prefect_page.get_by_label("Favorable", exact=True).check(force=True)
    prefect_page.get_by_label("Commentaire").fill("Court.")
    prefect_page.get_by_role("button", name="Donner mon avis").click()
    assert "au moins 10 caractères" in prefect_page.content()
    prefect_page.get_by_label("Commentaire").fill("Projet cohérent avec le schéma "
                                                  "départemental d'inclusion numérique.")
    prefect_page.get_by_role("button", name="Donner mon avis").click()
    assert "est enregistré" in prefect_page.content()
    assert PrefectOpinion.objects.get(application=application).verdict == "favourable"
    office.close()

    # 3. ANCT's selection committee validates two posts.
    admin = make.admin()
    services.decide(application, admin, Application.Status.VALIDATED, posts_granted=2,
                    decision_number="COSELEC-2026-12")

    # 4. The town hall records the recruitment of Inès.
    page.reload()
    assert "Validée" in page.content()
    page.get_by_role("link", name="Déclarer un recrutement").click()
    page.get_by_label(re.compile("^Prénom du conseiller")).fill("Inès")
    page.get_by_label(re.compile("^Nom du conseiller")).fill("Garnier")
    page.get_by_label("Courriel professionnel du conseiller").fill(
        "ines.garnier@conseiller-numerique.fr")
    page.get_by_label("Type de contrat").select_option(label="CDD")
    page.get_by_label("Début du contrat").fill((today - timedelta(days=7)).isoformat())
    page.get_by_label("Fin du contrat").fill((today + timedelta(days=358)).isoformat())
    page.get_by_label("Salaire brut mensuel").fill("2100")
    page.get_by_role("button", name="Enregistrer le contrat").click()
    page.wait_for_url(re.compile(r"/structures/\d+/$"))
    assert "Le contrat de Inès Garnier est enregistré" in page.content()
    contract = Contract.objects.get(advisor__email="ines.garnier@conseiller-numerique.fr")
    services.validate_contract(contract, admin)
    desk.close()

    # 5. Inès, on her phone, adds her service point with its hours…
    ines = make.user(email="ines.garnier@conseiller-numerique.fr", first_name="Inès",
                     last_name="Garnier")
    advisor = contract.advisor
    advisor.user = ines
    advisor.save()
    phone = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True,
                                has_touch=True)
    sign_in(phone, live_server, ines)
    mobile = phone.new_page()
    mobile.set_default_timeout(15_000)
    mobile.goto(f"{base}/lieux/nouveau/")
    mobile.get_by_label("Nom du lieu").fill("Médiathèque Jean-Legendre")
    mobile.get_by_label("Adresse", exact=False).first.fill("Place du Général-de-Gaulle")
    mobile.get_by_label(re.compile("^Commune")).fill("Compiègne (60)")
    mobile.get_by_label("Sur rendez-vous").check(force=True)
    mobile.get_by_label("Aide aux démarches administratives").check(force=True)
    mobile.get_by_label("Lundi matin : ouverture").fill("09:00")
    mobile.get_by_label("Lundi matin : fermeture").fill("12:00")
    mobile.get_by_label("Mercredi après-midi : ouverture").fill("14:00")
    mobile.get_by_label("Mercredi après-midi : fermeture").fill("17:30")
    mobile.get_by_label("Lien de prise de rendez-vous").fill("https://rdv.example.fr/compiegne")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    mobile.get_by_role("button", name="Enregistrer le lieu").click()
    mobile.wait_for_url(re.compile(r"/lieux/\d+/$"))
    assert "est enregistré" in mobile.content()
    place = advisor.service_points.get()
    assert [str(r) for r in place.opening_ranges.all()] == [
        "Lundi matin : 09:00–12:00", "Mercredi après-midi : 14:00–17:30"]
    assert mobile.get_by_role("link", name=re.compile("Calendrier des horaires")) \
        .get_attribute("href") == f"/calendrier/lieux/{place.pk}.ics"

    # … and records an accompaniment, mostly with the defaults, by keyboard.
    mobile.goto(f"{base}/activite/saisir/")
    assert mobile.get_by_label("Date", exact=True).input_value() == today.isoformat()
    assert mobile.get_by_role("spinbutton", name="Nombre de participants").input_value() == "1"
    mobile.get_by_label("Prendre en main un smartphone ou une tablette").focus()
    mobile.keyboard.press("Space")
    mobile.get_by_role("button", name="Âge des participants (facultatif)").click()
    mobile.get_by_label("Plus de 60 ans").fill("1")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    mobile.get_by_role("button", name="Enregistrer", exact=True).focus()
    mobile.keyboard.press("Enter")
    mobile.wait_for_url(re.compile(r"/activite/$"))
    assert "enregistré" in mobile.content()
    report = ActivityReport.objects.get(advisor=advisor)
    assert report.service_point == place and report.themes == ["smartphone"]
    assert report.kind == "individual" and report.age_over_60 == 1
    assert report.commune == communes["Compiègne"] and report.structure == structure
    assert "Médiathèque Jean-Legendre" in mobile.content()
    phone.close()
