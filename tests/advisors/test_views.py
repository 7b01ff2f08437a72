"""Front-end pages of the advisors programme: each page as its role, French form errors,
other parties' objects answering 404, anonymous people sent to log in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advisors.models import Application, Contract, PrefectOpinion, Structure

from . import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
COMMENT = "Projet cohérent avec le schéma départemental."


def text(response):
    return response.content.decode()


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def other_structure(communes):
    """A structure of Lille (Nord) managed by someone else, with a validated contract."""
    structure = make.validated_structure(communes["Lille"], posts=2,
                                         manager=make.user(email="autre@lille.fr"))
    make.contract(structure, make.advisor())
    return structure


def application_post(town, **overrides):
    data = {
        "name": "Mairie de Compiègne", "siret": make.siret(), "kind": Structure.Kind.COMMUNE,
        "address": "Place de l'Hôtel de ville", "commune": town.label,
        "contact_first_name": "Claire", "contact_last_name": "Dupont",
        "contact_email": "claire.dupont@compiegne.fr", "contact_phone": "03 44 40 72 00",
        "posts_requested": "2", "motivation": "Ouvrir deux permanences en mairie annexe.",
        "desired_start": (TODAY + timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


# --- anonymous people -------------------------------------------------------------------------

@pytest.mark.parametrize("name, args", [
    ("advisors:home", []), ("advisors:apply", []), ("advisors:my_structures", []),
    ("advisors:structure", [1]), ("advisors:contract_create", [1]), ("advisors:rupture", [1]),
    ("advisors:prefect_applications", []), ("advisors:application", [1]),
])
def test_anonymous_people_are_sent_to_log_in(client, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


# --- structure manager: applying --------------------------------------------------------------

def test_apply_page_shows_the_form(manager_client):
    response = manager_client.get(reverse("advisors:apply"))
    assert response.status_code == 200
    page = text(response)
    assert "Candidater au dispositif Conseiller numérique" in page
    assert 'maxlength="2500"' in page and "data-commune-input" in page


def test_applying_creates_the_structure_and_the_application(client, communes):
    person = make.user(email="claire.dupont@compiegne.fr")
    client.force_login(person)
    response = client.post(reverse("advisors:apply"), application_post(communes["Compiègne"]),
                           follow=True)
    structure = Structure.objects.get(name="Mairie de Compiègne")
    assert response.redirect_chain[-1][0] == reverse("advisors:structure", args=[structure.pk])
    assert "est déposée" in text(response)
    application = structure.applications.get()
    assert application.status == Application.Status.CREATED
    assert application.posts_requested == 2
    assert structure.commune == communes["Compiègne"] and structure.contact_phone == "0344407200"
    assert person in structure.managers.all()


def test_a_bad_siret_is_refused_in_french_and_nothing_typed_is_lost(manager_client, communes):
    response = manager_client.post(reverse("advisors:apply"), application_post(
        communes["Compiègne"], siret="732 829 320 00075"))
    assert response.status_code == 200
    page = text(response)
    assert "Ce SIRET n&#x27;est pas valide" in page
    assert "Le formulaire contient des erreurs" in page
    assert "Ouvrir deux permanences en mairie annexe." in page
    assert 'value="Mairie de Compiègne"' in page and 'value="Compiègne (60)"' in page
    assert not Structure.objects.filter(name="Mairie de Compiègne").exists()


def test_a_siret_of_the_wrong_length_is_refused(manager_client, communes):
    response = manager_client.post(reverse("advisors:apply"),
                                   application_post(communes["Compiègne"], siret="1234"))
    assert "Le SIRET doit comporter 14 chiffres." in text(response)


def test_a_motivation_over_2500_characters_is_refused(manager_client, communes):
    response = manager_client.post(reverse("advisors:apply"), application_post(
        communes["Compiègne"], motivation="x" * 2501))
    assert response.status_code == 200
    assert ("La motivation doit comporter au plus 2 500 caractères (actuellement 2501)."
            in text(response))
    assert not Application.objects.filter(structure__name="Mairie de Compiègne").exists()


def test_an_unknown_commune_and_a_past_start_are_refused(manager_client, communes):
    response = manager_client.post(reverse("advisors:apply"), application_post(
        communes["Compiègne"], commune="Atlantide",
        desired_start=(TODAY - timedelta(days=1)).isoformat()))
    page = text(response)
    assert "Aucune collectivité de type « commune » ne correspond à « Atlantide »." in page
    assert "La date de démarrage souhaitée ne peut pas être passée." in page


def test_an_existing_siret_of_another_structure_is_refused_on_the_field(manager_client,
                                                                        communes,
                                                                        other_structure):
    response = manager_client.post(reverse("advisors:apply"), application_post(
        communes["Compiègne"], siret=other_structure.siret))
    assert "Une structure avec ce SIRET existe déjà" in text(response)


def test_a_manager_applies_again_for_their_own_structure(manager_client, structure, communes):
    response = manager_client.post(reverse("advisors:apply"), application_post(
        communes["Beauvais"], siret=structure.siret, name=structure.name))
    assert response.status_code == 302
    assert structure.applications.count() == 2
    assert Structure.objects.filter(siret=structure.siret).count() == 1


# --- structure manager: "Ma structure" --------------------------------------------------------

def test_my_structure_redirects_to_the_one_structure(manager_client, structure):
    response = manager_client.get(reverse("advisors:my_structures"))
    assert response.status_code == 302
    assert response["Location"] == reverse("advisors:structure", args=[structure.pk])


def test_my_structures_lists_several(manager_client, manager, structure, communes):
    make.structure(communes["Compiègne"], manager=manager, name="CCAS de Compiègne")
    response = manager_client.get(reverse("advisors:my_structures"))
    assert response.status_code == 200
    assert structure.name in text(response) and "CCAS de Compiègne" in text(response)


def test_structure_page_shows_posts_applications_conventions_contracts(manager_client,
                                                                        structure):
    make.convention(structure, posts=2)
    advisor = make.advisor(first_name="Inès", last_name="Garnier")
    make.contract(structure, advisor)
    response = manager_client.get(reverse("advisors:structure", args=[structure.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "poste attribué" not in page and "postes attribués" in page
    assert "1</p><p class=\"fr-callout__text\">poste occupé" in page
    assert "Validée" in page and "Conventionnement initial" in page
    assert "Inès Garnier" in page and "Demander une rupture" in page
    assert "Déclarer un recrutement" in page


def test_structure_lists_are_paginated(manager_client, structure):
    for _ in range(25):
        make.contract(structure, make.advisor(), status=Contract.Status.REFUSED)
    page = text(manager_client.get(reverse("advisors:structure", args=[structure.pk])))
    assert "contrats=2" in page
    second = text(manager_client.get(reverse("advisors:structure", args=[structure.pk])
                                     + "?contrats=2"))
    assert second.count("Refusé") == 5


def test_application_page_shows_status_and_history(manager_client, structure):
    application = structure.applications.get()
    application.events.create(from_status="created", to_status="validated",
                              reason="Comité du 3 mars")
    response = manager_client.get(reverse("advisors:application", args=[application.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Comité du 3 mars" in page and "Déposée → Validée" in page
    assert "Donner mon avis" not in page


def test_recording_a_contract(manager_client, structure):
    response = manager_client.post(reverse("advisors:contract_create", args=[structure.pk]), {
        "first_name": "Inès", "last_name": "Garnier", "email": "ines.garnier@cnfs.fr",
        "kind": Contract.Kind.CDD, "start": (TODAY + timedelta(days=7)).isoformat(),
        "end": (TODAY + timedelta(days=372)).isoformat(), "monthly_gross_salary": "2100.00",
    }, follow=True)
    assert "Le contrat de Inès Garnier est enregistré" in text(response)
    contract = Contract.objects.get(advisor__email="ines.garnier@cnfs.fr")
    assert contract.structure == structure and contract.status == Contract.Status.SUBMITTED


def test_contract_errors_are_french_and_on_their_field(manager_client, structure):
    url = reverse("advisors:contract_create", args=[structure.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {
        "first_name": "Inès", "last_name": "Garnier", "email": "ines.garnier@cnfs.fr",
        "kind": Contract.Kind.CDD, "start": TODAY.isoformat(), "end": "",
        "monthly_gross_salary": "1000",
    })
    page = text(response)
    assert "Indiquez la date de fin du contrat (seul un CDI n&#x27;en a pas)." in page
    response = manager_client.post(url, {
        "first_name": "Inès", "last_name": "Garnier", "email": "ines.garnier@cnfs.fr",
        "kind": Contract.Kind.CDI, "start": TODAY.isoformat(), "monthly_gross_salary": "1000",
    })
    assert "ne peut pas être inférieur au minimum légal" in text(response)
    assert 'value="ines.garnier@cnfs.fr"' in text(response)
    assert not Contract.objects.filter(advisor__email="ines.garnier@cnfs.fr").exists()


def test_recruiting_beyond_the_granted_posts_is_refused(manager_client, structure):
    make.contract(structure, make.advisor())
    make.contract(structure, make.advisor())
    response = manager_client.post(reverse("advisors:contract_create", args=[structure.pk]), {
        "first_name": "Inès", "last_name": "Garnier", "email": "ines.garnier@cnfs.fr",
        "kind": Contract.Kind.CDI, "start": TODAY.isoformat(), "monthly_gross_salary": "2100",
    })
    assert "le nombre de postes attribués ne peut pas être dépassé" in text(response)


def test_requesting_a_rupture(manager_client, structure):
    contract = make.contract(structure, make.advisor())
    url = reverse("advisors:rupture", args=[contract.pk])
    assert "Demander une rupture de contrat" in text(manager_client.get(url))
    response = manager_client.post(url, {"reason": Contract.RuptureReason.RESIGNATION,
                                         "date": (TODAY + timedelta(days=10)).isoformat()})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.rupture_status == Contract.Rupture.REQUESTED


def test_a_rupture_after_the_contract_end_is_refused_on_the_date(manager_client, structure):
    contract = make.contract(structure, make.advisor())
    response = manager_client.post(reverse("advisors:rupture", args=[contract.pk]), {
        "reason": Contract.RuptureReason.RESIGNATION,
        "date": (contract.end + timedelta(days=10)).isoformat()})
    assert "La rupture ne peut pas prendre effet après la fin du contrat." in text(response)
    contract.refresh_from_db()
    assert contract.rupture_status == Contract.Rupture.NONE


@pytest.mark.parametrize("name", ["advisors:structure", "advisors:contract_create"])
def test_another_structure_is_a_404(manager_client, other_structure, name):
    response = manager_client.get(reverse(name, args=[other_structure.pk]))
    assert response.status_code == 404


def test_another_structures_contract_and_application_are_404(manager_client, other_structure):
    contract = other_structure.contracts.get()
    assert manager_client.get(reverse("advisors:rupture", args=[contract.pk])).status_code == 404
    assert manager_client.post(reverse("advisors:rupture", args=[contract.pk]), {
        "reason": "resignation", "date": TODAY.isoformat()}).status_code == 404
    application = other_structure.applications.get()
    response = manager_client.get(reverse("advisors:application", args=[application.pk]))
    assert response.status_code == 404


def test_a_prefect_sees_but_cannot_recruit_for_a_structure(client, structure, oise_prefect):
    client.force_login(oise_prefect)
    response = client.get(reverse("advisors:structure", args=[structure.pk]))
    assert response.status_code == 200 and "Déclarer un recrutement" not in text(response)
    response = client.get(reverse("advisors:contract_create", args=[structure.pk]))
    assert response.status_code == 404


# --- préfet -----------------------------------------------------------------------------------

@pytest.fixture
def prefect_client(client, oise_prefect):
    client.force_login(oise_prefect)
    return client


@pytest.fixture
def oise_pending(communes):
    return make.application(make.structure(communes["Compiègne"], name="CCAS de Compiègne"))


def test_prefect_lists_the_applications_of_their_departement(prefect_client, oise_pending,
                                                             structure, other_structure):
    response = prefect_client.get(reverse("advisors:prefect_applications"))
    assert response.status_code == 200
    page = text(response)
    assert "CCAS de Compiègne" in page and structure.name in page
    assert other_structure.name not in page
    assert "1 candidature attend votre avis" in page


def test_prefect_filters_by_status_and_without_opinion(prefect_client, oise_pending,
                                                       structure):
    url = reverse("advisors:prefect_applications")
    page = text(prefect_client.get(url, {"status": "validated"}))
    assert structure.name in page and "CCAS de Compiègne" not in page
    PrefectOpinion.objects.create(application=structure.applications.get(), verdict="favourable",
                                  comment=COMMENT, author=make.admin())
    page = text(prefect_client.get(url, {"without_opinion": "on"}))
    assert "CCAS de Compiègne" in page and structure.name not in page


def test_prefect_list_is_paginated(prefect_client, communes):
    for _ in range(23):
        make.application(make.structure(communes["Beauvais"]))
    page = text(prefect_client.get(reverse("advisors:prefect_applications")))
    assert "23 candidatures" in page and "page=2" in page


def test_the_prefect_list_is_only_for_prefects(manager_client):
    response = manager_client.get(reverse("advisors:prefect_applications"))
    assert response.status_code == 403


def test_prefect_gives_an_opinion(prefect_client, oise_pending, oise_prefect):
    url = reverse("advisors:application", args=[oise_pending.pk])
    assert "Donner mon avis" in text(prefect_client.get(url))
    response = prefect_client.post(url, {"verdict": "favourable", "comment": COMMENT},
                                   follow=True)
    assert "Votre avis sur la candidature de « CCAS de Compiègne » est enregistré." in text(
        response)
    opinion = PrefectOpinion.objects.get(application=oise_pending)
    assert opinion.author == oise_prefect and opinion.verdict == "favourable"
    assert "Avis favorable" in text(response) and "Donner mon avis" not in text(response)


def test_an_opinion_comment_too_short_is_refused_in_french(prefect_client, oise_pending):
    response = prefect_client.post(reverse("advisors:application", args=[oise_pending.pk]),
                                   {"verdict": "unfavourable", "comment": "Non."})
    assert response.status_code == 200
    page = text(response)
    assert "Le commentaire doit comporter au moins 10 caractères (actuellement 4)." in page
    assert "Non.</textarea>" in page
    assert not PrefectOpinion.objects.exists()


def test_an_opinion_without_verdict_is_refused(prefect_client, oise_pending):
    response = prefect_client.post(reverse("advisors:application", args=[oise_pending.pk]),
                                   {"comment": COMMENT})
    assert "Choisissez un avis favorable ou défavorable." in text(response)


def test_another_territorys_application_is_a_404_for_a_prefect(prefect_client,
                                                               other_structure, communes):
    application = make.application(make.structure(communes["Lille"]))
    url = reverse("advisors:application", args=[application.pk])
    assert prefect_client.get(url).status_code == 404
    assert prefect_client.post(url, {"verdict": "favourable",
                                     "comment": COMMENT}).status_code == 404
    assert prefect_client.get(reverse("advisors:structure",
                                      args=[other_structure.pk])).status_code == 404


def test_a_manager_cannot_post_an_opinion(manager_client, structure, communes):
    application = make.application(make.structure(communes["Beauvais"],
                                                  manager=structure.managers.get()))
    response = manager_client.post(reverse("advisors:application", args=[application.pk]),
                                   {"verdict": "favourable", "comment": COMMENT})
    assert response.status_code == 403
    assert not PrefectOpinion.objects.exists()
