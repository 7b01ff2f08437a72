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
    ("advisors:places", []), ("advisors:place_create", []), ("advisors:place", [1]),
    ("advisors:reports", []), ("advisors:report_create", []), ("advisors:coordination", []),
    ("advisors:coordinated_advisor", [1]),
])
def test_anonymous_people_are_sent_to_log_in(client, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("name", ["advisors:closure_add", "advisors:closure_remove"])
def test_anonymous_posts_are_sent_to_log_in(client, name):
    response = client.post(reverse(name, args=[1]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


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
    assert "1</p><p class=\"fr-callout__text\">poste pourvu" in page
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
    assert second.count("Refusé") == 10  # 5 contracts, each a table row and a phone card


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


# --- advisor: service points ------------------------------------------------------------------

@pytest.fixture
def advisor_user(db):
    return make.user(email="ines.garnier@conseiller-numerique.fr", first_name="Inès")


@pytest.fixture
def advisor(advisor_user, structure):
    """An advisor of the Beauvais structure, under a validated contract."""
    advisor = make.advisor(advisor_user, first_name="Inès", last_name="Garnier")
    make.contract(structure, advisor)
    return advisor


@pytest.fixture
def advisor_client(client, advisor, advisor_user):
    client.force_login(advisor_user)
    return client


@pytest.fixture
def place(structure, advisor):
    return make.service_point(structure, [advisor], name="Médiathèque du centre")


@pytest.fixture
def other_place(other_structure):
    return make.service_point(other_structure, [other_structure.contracts.get().advisor],
                              name="Maison France Services de Lille")


def place_post(town, **overrides):
    data = {"name": "Mairie annexe Saint-Jean", "address": "2 rue Saint-Jean",
            "commune": town.label, "access": "appointment",
            "services": ["aide-aux-demarches-administratives", "parentalite"],
            "booking_url": "https://rdv.example.fr/beauvais", "is_public": "on",
            "h0_am_opens": "09:00", "h0_am_closes": "12:00",
            "h2_pm_opens": "14:00", "h2_pm_closes": "17:30"}
    data.update(overrides)
    return data


def test_advisor_lists_their_service_points(advisor_client, place, other_place):
    response = advisor_client.get(reverse("advisors:places"))
    assert response.status_code == 200
    page = text(response)
    assert "Médiathèque du centre" in page and "Maison France Services" not in page
    assert "Ajouter un lieu" in page


def test_advisor_creates_a_service_point_with_hours(advisor_client, advisor, communes):
    url = reverse("advisors:place_create")
    page = text(advisor_client.get(url))
    assert '<span class="fr-sr-only">Lundi </span>Matin : ouverture' in page
    assert '<span class="fr-sr-only">Dimanche </span>Après-midi : fermeture' in page
    response = advisor_client.post(url, place_post(communes["Beauvais"]), follow=True)
    created = advisor.service_points.get(name="Mairie annexe Saint-Jean")
    assert "Le lieu « Mairie annexe Saint-Jean » est enregistré." in text(response)
    assert created.access == "appointment" and created.is_public
    assert created.services == ["aide-aux-demarches-administratives", "parentalite"]
    assert [str(r) for r in created.opening_ranges.all()] == [
        "Lundi matin : 09:00–12:00", "Mercredi après-midi : 14:00–17:30"]
    assert f"/calendrier/lieux/{created.pk}.ics" in text(response)


def test_service_point_errors_keep_what_was_typed(advisor_client, advisor, communes):
    response = advisor_client.post(reverse("advisors:place_create"), place_post(
        communes["Beauvais"], address="", services=[], h0_am_closes="15:00",
        h2_pm_closes=""))
    assert response.status_code == 200
    page = text(response)
    assert "Indiquez l&#x27;adresse du lieu (sauf permanence itinérante)." in page
    assert "Choisissez au moins un service proposé." in page
    assert "Une plage du matin se termine au plus tard à 14 h." in page
    assert "Indiquez l&#x27;heure d&#x27;ouverture et l&#x27;heure de fermeture" in page
    assert 'value="Mairie annexe Saint-Jean"' in page and 'value="15:00"' in page
    assert not advisor.service_points.filter(name="Mairie annexe Saint-Jean").exists()


def test_advisor_edits_a_service_point_and_its_hours(advisor_client, place, communes):
    url = reverse("advisors:place", args=[place.pk])
    page = text(advisor_client.get(url))
    assert 'value="Médiathèque du centre"' in page and "Fermetures exceptionnelles" in page
    response = advisor_client.post(url, place_post(communes["Beauvais"],
                                                   name="Médiathèque Madeleine",
                                                   is_itinerant="on", address=""))
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.name == "Médiathèque Madeleine" and place.is_itinerant
    assert place.opening_ranges.count() == 2 and place.calendar_sequence >= 1


def test_overlapping_half_days_are_refused_and_nothing_is_saved(advisor_client, place,
                                                                communes):
    response = advisor_client.post(reverse("advisors:place", args=[place.pk]), place_post(
        communes["Beauvais"], name="Nouveau nom", h0_am_closes="13:30", h0_pm_opens="13:00",
        h0_pm_closes="17:00"))
    assert response.status_code == 200
    assert "la plage du matin doit se terminer avant le début" in text(response)
    place.refresh_from_db()
    assert place.name == "Médiathèque du centre"


def test_adding_and_removing_a_closure(advisor_client, place):
    start = TODAY + timedelta(days=20)
    response = advisor_client.post(reverse("advisors:closure_add", args=[place.pk]), {
        "start": start.isoformat(), "end": (start + timedelta(days=6)).isoformat(),
        "reason": "Congés d'été"}, follow=True)
    assert "Fermeture enregistrée" in text(response) and "Congés d&#x27;été" in text(response)
    closure = place.closures.get()
    response = advisor_client.post(reverse("advisors:closure_remove", args=[closure.pk]))
    assert response.status_code == 302 and not place.closures.exists()


def test_a_closure_ending_before_it_starts_is_refused(advisor_client, place):
    response = advisor_client.post(reverse("advisors:closure_add", args=[place.pk]), {
        "start": (TODAY + timedelta(days=5)).isoformat(), "end": TODAY.isoformat()})
    assert response.status_code == 200
    assert "Le dernier jour de fermeture doit suivre le premier." in text(response)
    assert not place.closures.exists()


def test_another_structures_service_point_is_a_404(advisor_client, other_place):
    closure = other_place.closures.create(start=TODAY, end=TODAY)
    assert advisor_client.get(reverse("advisors:place", args=[other_place.pk])).status_code == 404
    assert advisor_client.post(reverse("advisors:place", args=[other_place.pk]),
                               {}).status_code == 404
    assert advisor_client.post(reverse("advisors:closure_add", args=[other_place.pk]),
                               {"start": TODAY.isoformat()}).status_code == 404
    assert advisor_client.post(reverse("advisors:closure_remove",
                                       args=[closure.pk])).status_code == 404
    assert other_place.closures.exists()


def test_people_without_a_structure_cannot_create_a_service_point(client):
    client.force_login(make.user())
    assert client.get(reverse("advisors:place_create")).status_code == 403


def test_a_manager_creates_a_service_point_for_their_structure(manager_client, structure,
                                                               communes):
    response = manager_client.post(reverse("advisors:place_create"),
                                   place_post(communes["Beauvais"]))
    assert response.status_code == 302
    assert structure.service_points.filter(name="Mairie annexe Saint-Jean").exists()


# --- advisor: activity reports ----------------------------------------------------------------

def report_post(place, **overrides):
    data = {"date": TODAY.isoformat(), "kind": "individual", "participants": "1",
            "channel": "service_point", "service_point": str(place.pk),
            "commune": place.commune.label, "themes": ["email", "smartphone"],
            "duration": "30_60", "age_over_60": "1"}
    for name in ("age_under_12", "age_12_18", "age_18_35", "age_35_60", "status_student",
                 "status_job_seeker", "status_employed", "status_retired"):
        data.setdefault(name, "0")
    data.update(overrides)
    return data


def test_report_form_has_sensible_defaults(advisor_client, place):
    response = advisor_client.get(reverse("advisors:report_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["date"].value() == TODAY
    assert form["kind"].value() == "individual" and form["participants"].value() == 1
    assert form["service_point"].value() == place.pk
    assert form["commune"].value() == "Beauvais (60)"
    assert form["channel"].value() == "service_point"
    assert 'type="checkbox" name="themes"' in text(response)


def test_recording_an_activity_report(advisor_client, advisor, place):
    response = advisor_client.post(reverse("advisors:report_create"), report_post(place),
                                   follow=True)
    assert response.redirect_chain[-1][0] == reverse("advisors:reports")
    report = advisor.activity_reports.get()
    assert report.participants == 1 and report.age_over_60 == 1
    assert report.status_unknown == 1  # situations left at 0: "non renseignée"
    assert report.service_point == place and report.structure == place.structure
    assert "Prendre en main un smartphone" in text(response)


def test_save_and_record_another_keeps_date_and_place(advisor_client, advisor, place):
    yesterday = TODAY - timedelta(days=1)
    response = advisor_client.post(reverse("advisors:report_create"), report_post(
        place, date=yesterday.isoformat(), another=""))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("advisors:report_create") + "?")
    form = advisor_client.get(response["Location"]).context["form"]
    assert form["date"].value() == yesterday.isoformat()
    assert str(form["service_point"].value()) == str(place.pk)


def test_an_activity_with_no_participant_is_refused_in_french(advisor_client, advisor, place):
    response = advisor_client.post(reverse("advisors:report_create"),
                                   report_post(place, participants="0", age_over_60="0"))
    assert response.status_code == 200
    page = text(response)
    assert "Le nombre de participants est compris entre 1 et 100." in page
    assert 'value="smartphone"' in page and "checked" in page
    assert not advisor.activity_reports.exists()


def test_activity_band_and_theme_errors(advisor_client, advisor, place):
    response = advisor_client.post(reverse("advisors:report_create"), report_post(
        place, kind="workshop", title="Courriels", participants="3", age_18_35="3",
        themes=[]))
    page = text(response)
    assert ("La répartition par tranches d&#x27;âge (4) dépasse le nombre de "
            "participants (3).") in page
    assert "Choisissez au moins un thème." in page
    response = advisor_client.post(reverse("advisors:report_create"),
                                   report_post(place, participants="2"))
    assert "Un accompagnement individuel concerne une personne." in text(response)
    response = advisor_client.post(reverse("advisors:report_create"), report_post(
        place, date=(TODAY + timedelta(days=1)).isoformat()))
    assert "La date de l&#x27;accompagnement ne peut pas être dans le futur." in text(response)
    assert not advisor.activity_reports.exists()


def test_a_wrong_figure_in_any_band_is_explained(advisor_client, advisor, place):
    """Each age or situation box may be wrong, not only the first of its group: its message
    is shown under the group."""
    response = advisor_client.post(reverse("advisors:report_create"), report_post(
        place, kind="workshop", participants="2", age_18_35="-1", status_retired="deux"))
    page = text(response)
    assert "Saisissez un nombre positif." in page
    assert "Saisissez un nombre entier." in page
    assert 'class="fr-fieldset fr-fieldset--error" id="ages"' in page
    assert not advisor.activity_reports.exists()


def test_another_advisors_service_point_cannot_be_chosen(advisor_client, advisor, place,
                                                         other_place):
    response = advisor_client.post(reverse("advisors:report_create"),
                                   report_post(place, service_point=str(other_place.pk)))
    assert response.status_code == 200
    assert "n&#x27;est pas un choix valide" in text(response) or "Sélectionnez" in text(
        response)
    assert not advisor.activity_reports.exists()


def test_my_reports_are_paginated_and_only_mine(advisor_client, advisor, other_structure,
                                                communes):
    for _ in range(22):
        make.activity_report(advisor, communes["Beauvais"])
    make.activity_report(other_structure.contracts.get().advisor, communes["Lille"])
    response = advisor_client.get(reverse("advisors:reports"))
    assert response.status_code == 200
    assert response.context["reports"].paginator.count == 22
    assert "page=2" in text(response) and "Lille" not in text(response)


def test_activity_pages_are_for_advisors(manager_client):
    assert manager_client.get(reverse("advisors:report_create")).status_code == 403
    assert manager_client.get(reverse("advisors:reports")).status_code == 403


# --- coordinator ------------------------------------------------------------------------------

@pytest.fixture
def coordinator_client(client, advisor, communes):
    account = make.user(email="coordinatrice@conseiller-numerique.fr")
    coordinator = make.advisor(account, is_coordinator=True)
    coordinator.coordinated.add(advisor)
    make.activity_report(advisor, communes["Beauvais"])
    client.force_login(account)
    return client


def test_coordinator_lists_their_advisors_and_recent_activity(coordinator_client, advisor,
                                                              other_structure):
    response = coordinator_client.get(reverse("advisors:coordination"))
    assert response.status_code == 200
    page = text(response)
    assert "Inès Garnier" in page
    stranger = other_structure.contracts.get().advisor
    assert stranger.full_name not in page
    row = response.context["advisors"][0]
    assert row.recent_reports == 1 and row.recent_participants == 3


def test_coordinator_sees_one_advisors_activity(coordinator_client, advisor, place):
    response = coordinator_client.get(reverse("advisors:coordinated_advisor", args=[advisor.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Atelier collectif" in page and "Médiathèque du centre" in page


def test_an_advisor_not_coordinated_is_a_404(coordinator_client, other_structure):
    stranger = other_structure.contracts.get().advisor
    response = coordinator_client.get(reverse("advisors:coordinated_advisor",
                                              args=[stranger.pk]))
    assert response.status_code == 404


def test_home_lists_the_pages_of_each_role(advisor_client):
    page = text(advisor_client.get(reverse("advisors:home")))
    assert "Saisir un accompagnement" in page and "Mes lieux d&#x27;activité" in page


def test_mon_espace_section_lists_the_pages_of_the_roles(rf, advisor, advisor_user,
                                                         oise_prefect):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    from advisors.views.space import TEMPLATE, space_section

    request = rf.get("/espace/")
    request.user = advisor_user
    section = space_section(request)
    html = render_to_string(TEMPLATE, {"section": section})
    assert "Saisir un accompagnement" in html and "Mes lieux d&#x27;activité" in html
    request.user = oise_prefect
    assert [label for label, _, _ in space_section(request)["links"]] == [
        "Candidatures de mon territoire"]
    request.user = make.user()
    assert space_section(request) is None
    request.user = AnonymousUser()
    assert space_section(request) is None


# --- lists read in a fixed number of queries -------------------------------------------------

def test_list_pages_do_not_query_per_row(client, manager, structure, oise_prefect, advisor,
                                        advisor_user, place, communes,
                                        django_assert_max_num_queries):
    for _ in range(15):
        make.contract(structure, make.advisor(), status=Contract.Status.REFUSED)
        make.application(make.structure(communes["Compiègne"]))
        make.activity_report(advisor, communes["Beauvais"], service_point=place)
        make.service_point(structure, [advisor])
    for user, url in [
        (manager, reverse("advisors:structure", args=[structure.pk])),
        (oise_prefect, reverse("advisors:prefect_applications")),
        (advisor_user, reverse("advisors:reports")),
        (advisor_user, reverse("advisors:places")),
    ]:
        client.force_login(user)
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200


def test_the_regional_prefect_gives_the_opinion_on_a_region(client, communes):
    region = make.structure(communes["Lille"], kind=Structure.Kind.REGION,
                            name="Région Hauts-de-France")
    application = make.application(region)
    regional = make.prefect(region=communes["Lille"].department.region)
    client.force_login(regional)
    page = text(client.get(reverse("advisors:prefect_applications")))
    assert "Région Hauts-de-France" in page and "1 candidature attend votre avis" in page
    url = reverse("advisors:application", args=[application.pk])
    assert "Donner mon avis" in text(client.get(url))
    client.post(url, {"verdict": "favourable", "comment": COMMENT})
    assert PrefectOpinion.objects.get(application=application).author == regional
    client.force_login(make.prefect(department=communes["Lille"].department))
    assert "Donner mon avis" not in text(client.get(url))


def test_the_structure_contact_phone_reads_in_pairs_of_digits(manager_client, structure):
    structure.contact_phone = "0344000000"
    structure.save()
    page = text(manager_client.get(reverse("advisors:structure", args=[structure.pk])))
    assert "03 44 00 00 00" in page and "0344000000" not in page
