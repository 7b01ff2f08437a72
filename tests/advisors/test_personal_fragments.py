"""The personal pages kept in the cache (``advisors.fragments``): a structure's page, an
advisor's reports, the beneficiaries they follow and a préfet's applications. Each change
that shows on a page shows at the next request (each page is read once first, so that the
second read would come from the cache), one person is never served what was rendered for
another, and who may open a page is checked on every request."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from advisors.models import (
    ActivityReport,
    Application,
    Beneficiary,
    Contract,
    ContractExtension,
    PrefectOpinion,
)

from . import factories as make

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- a structure's page --------------------------------------------------------------------
@pytest.fixture
def structure_url(structure):
    return reverse("advisors:structure", args=[structure.pk])


def test_structure_page_shows_each_change_at_the_next_request(client, structure, manager,
                                                              structure_url, communes):
    assert "Aucun contrat enregistré." in page(client, manager, structure_url)
    assert "Aucun contrat enregistré." in page(client, manager, structure_url)  # kept
    advisor = make.advisor(first_name="Inès", last_name="Morel")
    contract = make.contract(structure, advisor)
    html = page(client, manager, structure_url)
    assert "Inès Morel" in html and "Aucun contrat enregistré." not in html

    advisor.last_name = "Morel-Durand"
    advisor.save()
    assert "Inès Morel-Durand" in page(client, manager, structure_url)

    ContractExtension.objects.create(contract=contract, new_end=contract.end
                                     + datetime.timedelta(days=180),
                                     previous_end=contract.end, requested_by=manager)
    assert "demandée" in page(client, manager, structure_url)

    contract.status = Contract.Status.REFUSED
    contract.refusal_reason = "Pièces manquantes."
    contract.save()
    assert "Refusé" in page(client, manager, structure_url)

    make.application(structure, posts_requested=7)
    assert "7 postes demandés" in page(client, manager, structure_url)

    make.convention(structure, posts=5, start=datetime.date(2025, 3, 1))
    assert "5 postes" in page(client, manager, structure_url)

    structure.name = "Espace numérique du Beauvaisis"
    structure.save()
    assert "Espace numérique du Beauvaisis" in page(client, manager, structure_url)

    contract.delete()
    assert "Aucun contrat enregistré." in page(client, manager, structure_url)


def test_structure_page_granted_posts_follow_an_amendment(client, structure, manager,
                                                          structure_url):
    convention = make.convention(structure, posts=2)
    before = page(client, manager, structure_url)
    amendment = make.AmendmentFactory(convention=convention, posts=4)
    amendment.status = amendment.Status.VALIDATED
    amendment.save()
    assert page(client, manager, structure_url) != before


def test_structure_page_is_never_served_to_another_reader(client, structure, manager,
                                                          structure_url, oise_prefect,
                                                          communes):
    assert "Modifier les coordonnées" in page(client, manager, structure_url)
    # The préfet of the département sees the page, without the manager's actions.
    assert "Modifier les coordonnées" not in page(client, oise_prefect, structure_url)
    other = make.user(email="autre@mairie.example.fr")
    client.force_login(other)
    assert client.get(structure_url).status_code == 404


def test_structure_page_checks_who_may_open_it_on_every_request(client, structure, manager,
                                                                structure_url):
    assert "Modifier les coordonnées" in page(client, manager, structure_url)
    structure.managers.remove(manager)
    client.force_login(manager)
    assert client.get(structure_url).status_code == 404
    structure.managers.add(manager)
    assert "Modifier les coordonnées" in page(client, manager, structure_url)


# --- an advisor's reports ------------------------------------------------------------------
def test_reports_list_shows_a_report_recorded_corrected_or_deleted(client, advisor, communes,
                                                                   structure, place):
    url = reverse("advisors:reports")
    assert "Aucun accompagnement saisi" in page(client, advisor.user, url)
    report = make.activity_report(advisor, communes["Beauvais"], structure=structure,
                                  title="Atelier courriel", date=TODAY)
    assert "Atelier courriel" in page(client, advisor.user, url)
    report.title = "Atelier messagerie"
    report.save()
    html = page(client, advisor.user, url)
    assert "Atelier messagerie" in html and "Atelier courriel" not in html
    report.service_point = place
    report.channel = ActivityReport.Channel.SERVICE_POINT
    report.save()
    assert "Médiathèque du Quadrilatère" in page(client, advisor.user, url)
    place.name = "Médiathèque Madeleine"
    place.save()
    assert "Médiathèque Madeleine" in page(client, advisor.user, url)
    report.delete()
    assert "Aucun accompagnement saisi" in page(client, advisor.user, url)


def test_reports_list_is_each_advisors_own(client, advisor, structure, communes):
    make.activity_report(advisor, communes["Beauvais"], structure=structure,
                         title="Atelier des seniors", date=TODAY)
    colleague = make.advisor(account=make.user(email="paul@conseiller-numerique.fr"))
    make.contract(structure, colleague)
    url = reverse("advisors:reports")
    assert "Atelier des seniors" in page(client, advisor.user, url)
    assert "Atelier des seniors" not in page(client, colleague.user, url)


def test_reports_list_correction_follows_the_day(client, advisor, structure, communes,
                                                 monkeypatch):
    make.activity_report(advisor, communes["Beauvais"], structure=structure, date=TODAY)
    url = reverse("advisors:reports")
    assert "Lecture seule" not in page(client, advisor.user, url)
    later = TODAY + datetime.timedelta(days=200)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    assert "Lecture seule" in page(client, advisor.user, url)


# --- the beneficiaries ---------------------------------------------------------------------
def test_beneficiaries_list_shows_records_and_visits(client, advisor, structure, communes):
    url = reverse("advisors:beneficiaries")
    assert "0 bénéficiaire" in page(client, advisor.user, url)
    person = Beneficiary.objects.create(structure=structure, commune=communes["Beauvais"],
                                        first_name="Hélène", last_name="Dupré")
    html = page(client, advisor.user, url)
    assert "Hélène" in html and "sans accompagnement pour l'instant" in html
    report = make.activity_report(advisor, communes["Beauvais"], structure=structure,
                                  date=TODAY)
    report.beneficiaries.set([person])
    assert "Dernier accompagnement le" in page(client, advisor.user, url)
    report.delete()
    assert "sans accompagnement pour l'instant" in page(client, advisor.user, url)
    person.last_name = "Durand"
    person.save()
    assert "Durand" in page(client, advisor.user, url)


def test_beneficiaries_list_follows_the_contract(client, advisor, structure, communes):
    Beneficiary.objects.create(structure=structure, commune=communes["Beauvais"],
                               first_name="Hélène", last_name="Dupré")
    url = reverse("advisors:beneficiaries")
    assert "Hélène" in page(client, advisor.user, url)
    contract = advisor.contracts.get()
    contract.end = TODAY - datetime.timedelta(days=1)
    contract.save()
    html = page(client, advisor.user, url)
    assert "Hélène" not in html and "réservé aux conseillers sous contrat" in html


def test_beneficiaries_of_one_structure_are_not_shown_at_another(client, advisor, structure,
                                                                communes):
    Beneficiary.objects.create(structure=structure, commune=communes["Beauvais"],
                               first_name="Hélène", last_name="Dupré")
    elsewhere = make.validated_structure(communes["Lille"])
    other = make.advisor(account=make.user(email="lea@conseiller-numerique.fr"))
    make.contract(elsewhere, other)
    url = reverse("advisors:beneficiaries")
    assert "Hélène" in page(client, advisor.user, url)
    assert "Hélène" not in page(client, other.user, url)


# --- a préfet's applications ---------------------------------------------------------------
def test_prefect_list_shows_a_new_application_and_an_opinion(client, oise_prefect, communes):
    url = reverse("advisors:prefect_applications")
    awaiting = url + "?without_opinion=on"
    assert "0 candidature" in page(client, oise_prefect, awaiting)
    created = make.structure(communes["Compiègne"], name="Mairie de Compiègne")
    application = make.application(created)
    html = page(client, oise_prefect, awaiting)
    assert "Mairie de Compiègne" in html and "1 candidature attend votre avis" in html
    PrefectOpinion.objects.create(application=application, author=oise_prefect,
                                  verdict=PrefectOpinion.Verdict.FAVOURABLE,
                                  comment="Une structure bien implantée dans son quartier.")
    html = page(client, oise_prefect, awaiting)
    assert "Mairie de Compiègne" not in html and "0 candidatures attendent votre avis" in html
    assert "Favorable" in page(client, oise_prefect, url)
    application.status = Application.Status.ABANDONED
    application.save()
    assert "Abandonnée" in page(client, oise_prefect, url)


def test_prefect_list_is_each_prefects_own(client, oise_prefect, communes):
    make.application(make.structure(communes["Compiègne"], name="Mairie de Compiègne"))
    nord = make.prefect(department=communes["Lille"].department)
    url = reverse("advisors:prefect_applications")
    assert "Mairie de Compiègne" in page(client, oise_prefect, url)
    assert "Mairie de Compiègne" not in page(client, nord, url)
    # The préfet moved to the Oise sees its applications at once.
    assignment = nord.prefect_assignment
    assignment.department = communes["Beauvais"].department
    assignment.save()
    assert "Mairie de Compiègne" in page(client, nord, url)
