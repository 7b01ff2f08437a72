"""Bénéficiaires: the people an advisor follows from one visit to the next. Who sees them,
the consent rule on contact details, duplicates and their merge, the file import, the
three ways a record is anonymised, and bad input."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advisors.imports import runner
from advisors.imports.beneficiaries import BeneficiaryImporter
from advisors.models import Beneficiary, Contract
from advisors.services import NotAllowed, WorkflowError
from advisors.services.beneficiaries import (
    anonymise_due,
    create_beneficiary,
    merge_beneficiaries,
    set_report_beneficiaries,
)
from advisors.tasks import anonymise_beneficiaries

from . import factories as make

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def person(structure, commune, first="Hélène", last="Dupré", **fields):
    return Beneficiary.objects.create(structure=structure, commune=commune, first_name=first,
                                      last_name=last, **fields)


@pytest.fixture
def colleague(structure):
    """Another advisor of the same structure, under contract."""
    other = make.advisor(account=make.user(email="paul@conseiller-numerique.fr"))
    make.contract(structure, other)
    return other


@pytest.fixture
def elsewhere(communes):
    """An advisor of a structure in Paris, under contract, and one of its records."""
    structure = make.validated_structure(communes["Paris"], posts=1)
    other = make.advisor(account=make.user(email="zoe@conseiller-numerique.fr"))
    make.contract(structure, other)
    return other, person(structure, communes["Paris"], "Zoé", "Zq")


# --- who sees them ------------------------------------------------------------------------
def test_advisors_of_the_structure_see_its_records_and_nobody_else(
        structure, advisor, colleague, elsewhere, communes, manager, admin):
    mine = person(structure, communes["Beauvais"])
    other_advisor, theirs = elsewhere
    assert list(Beneficiary.objects.visible_to(advisor.user)) == [mine]
    assert list(Beneficiary.objects.visible_to(colleague.user)) == [mine]
    assert list(Beneficiary.objects.visible_to(other_advisor.user)) == [theirs]
    coordinator = make.advisor(make.user(role=Role.COORDINATOR), is_coordinator=True)
    coordinator.coordinated.add(advisor)
    prefect = make.prefect(department=communes["Beauvais"].department)
    for outsider in (manager, admin, coordinator.user, prefect):
        assert not Beneficiary.objects.visible_to(outsider).exists()


def test_an_advisor_whose_contract_ended_no_longer_sees_the_records(structure, advisor,
                                                                    communes):
    person(structure, communes["Beauvais"])
    Contract.objects.filter(advisor=advisor).update(end=TODAY - datetime.timedelta(days=1))
    assert not Beneficiary.objects.visible_to(advisor.user).exists()


def test_another_structures_record_is_a_404_and_a_stranger_gets_a_403(
        advisor_client, elsewhere, client, manager):
    _other, theirs = elsewhere
    for name in ("advisors:beneficiary", "advisors:beneficiary_edit",
                 "advisors:beneficiary_anonymise"):
        assert advisor_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    response = advisor_client.post(reverse("advisors:beneficiary_anonymise", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.anonymised_at is None
    client.force_login(manager)
    assert client.get(reverse("advisors:beneficiaries")).status_code == 403
    assert client.get(reverse("advisors:beneficiary_create")).status_code == 403


# --- creating, the consent rule -------------------------------------------------------------
def test_an_advisor_adds_a_person_and_finds_them_without_accents(advisor_client, structure,
                                                                  advisor):
    response = advisor_client.post(reverse("advisors:beneficiary_create"), {
        "first_name": "Hélène", "last_name": "D.", "commune": "Beauvais (60)",
        "birth_band": "1945_1959"})
    created = Beneficiary.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("advisors:beneficiary", args=[created.pk])
    assert (created.structure, created.created_by) == (structure, advisor.user)
    page = advisor_client.get(reverse("advisors:beneficiaries"), {"q": "helene"})
    assert "Hélène D." in page.content.decode()
    page = advisor_client.get(reverse("advisors:beneficiaries"), {"q": "Martin"})
    assert "Hélène D." not in page.content.decode()


def test_contact_details_are_refused_without_consent_next_to_the_field(advisor_client):
    response = advisor_client.post(reverse("advisors:beneficiary_create"), {
        "first_name": "Hélène", "last_name": "D.", "commune": "Beauvais (60)",
        "email": "helene@example.fr", "phone": "06 12 34 56 78"})
    assert response.status_code == 200
    assert not Beneficiary.objects.exists()
    html = response.content.decode()
    assert html.count("Sans le consentement de la personne, ne saisissez ni courriel ni "
                      "téléphone.") == 2
    assert 'id="id_email-errors" class="fr-error-text"' in html
    response = advisor_client.post(reverse("advisors:beneficiary_create"), {
        "first_name": "Hélène", "last_name": "D.", "commune": "Beauvais (60)",
        "contact_consent": "on", "email": "Helene@Example.fr", "phone": "06 12 34 56 78"})
    assert response.status_code == 302
    assert Beneficiary.objects.get().email == "helene@example.fr"


def test_a_bad_email_and_a_bad_phone_are_both_shown_at_once(advisor_client):
    response = advisor_client.post(reverse("advisors:beneficiary_create"), {
        "first_name": "Hélène", "last_name": "D.", "commune": "Beauvais (60)",
        "contact_consent": "on", "email": "pas-un-courriel", "phone": "123abc"})
    html = response.content.decode()
    assert response.status_code == 200 and not Beneficiary.objects.exists()
    assert 'id="id_email-errors" class="fr-error-text"' in html
    assert 'id="id_phone-errors" class="fr-error-text"' in html
    assert "numéro de téléphone français valide" in html


def test_names_starting_with_a_vowel_or_h_are_elided_after_de(advisor_client, structure,
                                                              communes):
    elodie = person(structure, communes["Beauvais"], "Élodie", "Bérard")
    helene = person(structure, communes["Beauvais"], "Hélène", "Dupré")
    person(structure, communes["Beauvais"], "Hélène", "Dupré")
    paul = person(structure, communes["Beauvais"], "Paul", "Martin")

    def page(name, pk):
        return advisor_client.get(reverse(name, args=[pk])).content.decode().replace(
            "&#x27;", "'")
    assert "Anonymiser la fiche d'Élodie Bérard" in page("advisors:beneficiary_anonymise",
                                                          elodie.pk)
    assert "Fiche d'Élodie Bérard" in page("advisors:beneficiary_edit", elodie.pk)
    assert "Modifier la fiche de Paul Martin" in page("advisors:beneficiary_edit", paul.pk)
    listing = advisor_client.get(reverse("advisors:beneficiaries")).content.decode()
    assert "les fiches d&#x27;Hélène Dupré" in listing
    merged = advisor_client.post(reverse("advisors:beneficiary_merge",
                                         args=[helene.pk, helene.pk + 1]), follow=True)
    assert "celle d'Hélène Dupré" in merged.content.decode().replace("&#x27;", "'")


def test_the_service_refuses_contact_without_consent_and_a_structure_not_theirs(
        structure, advisor, communes, elsewhere):
    data = {"first_name": "Hélène", "last_name": "D.", "commune": communes["Beauvais"],
            "email": "helene@example.fr"}
    with pytest.raises(WorkflowError) as refused:
        create_beneficiary(structure, data, advisor.user)
    assert "email" in refused.value.errors
    other, _theirs = elsewhere
    with pytest.raises(NotAllowed):
        create_beneficiary(structure, {**data, "email": ""}, other.user)
    assert not Beneficiary.objects.filter(structure=structure).exists()


# --- reports linked across visits ------------------------------------------------------------
def test_reports_link_to_the_person_and_show_in_their_visits(advisor_client, advisor,
                                                             structure, communes):
    helene = person(structure, communes["Beauvais"])
    report = make.activity_report(advisor, communes["Beauvais"], structure,
                                  kind="individual", participants=1, age_over_60=1,
                                  age_18_35=0, age_35_60=0, status_retired=1,
                                  status_employed=0, status_unknown=0)
    set_report_beneficiaries(report, [helene], advisor.user)
    page = advisor_client.get(reverse("advisors:beneficiary", args=[helene.pk])).content.decode()
    assert f"du {report.date.day}" in page or "Accompagnement" in page
    assert "1 accompagnement" in page


def test_an_individual_accompaniment_concerns_one_person_only(advisor, structure, communes):
    first, second = person(structure, communes["Beauvais"]), person(
        structure, communes["Beauvais"], "Marc", "L.")
    report = make.activity_report(advisor, communes["Beauvais"], structure,
                                  kind="individual", participants=1, age_over_60=1,
                                  age_18_35=0, age_35_60=0, status_retired=1,
                                  status_employed=0, status_unknown=0)
    with pytest.raises(WorkflowError) as refused:
        set_report_beneficiaries(report, [first, second], advisor.user)
    assert refused.value.errors["beneficiaries"] == [
        "Un accompagnement individuel concerne un seul bénéficiaire."]
    assert not report.beneficiaries.exists()


def test_a_report_never_links_another_structures_person(advisor, structure, communes,
                                                        elsewhere):
    _other, theirs = elsewhere
    report = make.activity_report(advisor, communes["Beauvais"], structure)
    with pytest.raises(WorkflowError):
        set_report_beneficiaries(report, [theirs], advisor.user)
    assert not report.beneficiaries.exists()


def report_body(place, **overrides):
    return {"date": TODAY.isoformat(), "kind": "individual", "participants": "1",
            "channel": "service_point", "service_point": str(place.pk), "commune": "",
            "themes": ["email"], "duration": "30_60", "age_over_60": "1", **overrides}


def test_the_report_form_links_the_chosen_person_and_the_record_opens_it(
        advisor_client, advisor, structure, place, communes):
    helene = person(structure, communes["Beauvais"])
    page = advisor_client.get(reverse("advisors:report_create"),
                              {"beneficiaire": helene.pk}).content.decode()
    assert "Bénéficiaires suivis (facultatif) : 1" in page
    response = advisor_client.post(reverse("advisors:report_create"),
                                   report_body(place, beneficiaries=[str(helene.pk)]))
    assert response.status_code == 302
    report = advisor.activity_reports.get()
    assert list(report.beneficiaries.all()) == [helene]
    edit = advisor_client.get(reverse("advisors:report_edit", args=[report.pk]))
    assert f'value="{helene.pk}" id="id_beneficiaries_0" checked' in edit.content.decode()


def test_two_people_for_an_individual_accompaniment_are_refused_next_to_the_field(
        advisor_client, advisor, structure, place, communes):
    ids = [str(person(structure, communes["Beauvais"], name, "L.").pk) for name in ("Léa",
                                                                                 "Marc")]
    response = advisor_client.post(reverse("advisors:report_create"),
                                   report_body(place, beneficiaries=ids))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Un accompagnement individuel concerne un seul bénéficiaire." in html
    assert "fr-fieldset--error" in html
    assert not advisor.activity_reports.exists()  # the report waits for a valid choice


def test_correcting_a_report_keeps_its_link_to_an_anonymised_person(
        advisor_client, advisor, structure, place, communes):
    helene = person(structure, communes["Beauvais"])
    advisor_client.post(reverse("advisors:report_create"),
                        report_body(place, beneficiaries=[str(helene.pk)]))
    report = advisor.activity_reports.get()
    helene.anonymise(Beneficiary.AnonymisedBecause.REQUEST)
    response = advisor_client.post(reverse("advisors:report_edit", args=[report.pk]),
                                   report_body(place, beneficiaries=[str(helene.pk)],
                                               duration="60_120"))
    assert response.status_code == 302
    assert list(report.beneficiaries.all()) == [helene]


def test_an_advisor_without_records_sees_the_report_form_unchanged(advisor_client, place):
    page = advisor_client.get(reverse("advisors:report_create")).content.decode()
    assert "Bénéficiaires suivis" not in page


# --- duplicates and merge --------------------------------------------------------------------
def test_same_name_and_commune_show_as_duplicates_and_merge_keeps_every_visit(
        advisor_client, advisor, structure, communes):
    first = person(structure, communes["Beauvais"], "Hélène", "Dupré")
    second = person(structure, communes["Beauvais"], "helene", "DUPRE", birth_band="1945_1959",
                    contact_consent=True, phone="0612345678")
    person(structure, communes["Compiègne"], "Hélène", "Dupré")  # another commune: not one
    reports = [make.activity_report(advisor, communes["Beauvais"], structure) for _ in range(2)]
    first.reports.add(reports[0])
    second.reports.add(reports[1])
    listing = advisor_client.get(reverse("advisors:beneficiaries")).content.decode()
    assert "Doublons possibles" in listing
    # the two links of one group read differently (made the same day)
    assert "naissance&nbsp;: 1945 à 1959 — 1 accompagnement, dernier le" in listing
    assert reverse("advisors:beneficiary_merge", args=[first.pk, second.pk]) in listing
    url = reverse("advisors:beneficiary_merge", args=[first.pk, second.pk])
    assert advisor_client.get(url).status_code == 200
    assert advisor_client.post(url).status_code == 302
    first.refresh_from_db()
    assert not Beneficiary.objects.filter(pk=second.pk).exists()
    assert set(first.reports.all()) == set(reports)
    assert (first.birth_band, first.contact_consent, first.phone) == ("1945_1959", True,
                                                                      "0612345678")
    listing = advisor_client.get(reverse("advisors:beneficiaries")).content.decode()
    assert "Doublons possibles" not in listing


def test_merge_refuses_records_of_two_structures(advisor, structure, communes, elsewhere):
    _other, theirs = elsewhere
    mine = person(structure, communes["Beauvais"])
    with pytest.raises(NotAllowed):
        merge_beneficiaries(mine, theirs, advisor.user)
    assert Beneficiary.objects.count() == 2


# --- import -----------------------------------------------------------------------------------
def csv_file(text, name="beneficiaires.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_creates_then_updates_never_duplicates(structure, advisor, communes):
    text = ("prenom;nom;commune;annee_naissance;consentement;courriel;telephone\n"
            "Hélène;D.;60057;1957;oui;helene@example.fr;\n"
            "Marc;Lefèvre;Beauvais (60);;non;;\n")
    report = runner.run(BeneficiaryImporter(structure, advisor.user), csv_file(text),
                        advisor.user, commit=True)
    assert (report.created, report.updated, report.errors, report.written) == (2, 0, [], True)
    helene = Beneficiary.objects.get(first_name="Hélène")
    assert (helene.birth_band, helene.email, helene.created_by) == ("1945_1959",
                                                                    "helene@example.fr",
                                                                    advisor.user)
    again = runner.run(BeneficiaryImporter(structure, advisor.user), csv_file(text),
                       advisor.user, commit=True)
    assert (again.created, again.updated) == (0, 2)
    assert Beneficiary.objects.count() == 2


def test_an_import_with_errors_saves_nothing_and_names_each_line(advisor_client):
    text = ("prenom;nom;commune;annee_naissance;consentement;courriel\n"
            "Hélène;D.;60057;1957;non;helene@example.fr\n"
            "Marc;;99999;en 1980;peut-être;\n"
            "Lina;B.;60057;;;\n"
            "lina;b;60057;;;\n")
    response = advisor_client.post(reverse("advisors:beneficiary_import"),
                                   {"file": csv_file(text), "importer": ""})
    assert response.status_code == 200
    assert not Beneficiary.objects.exists()
    html = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert "rien n'a été enregistré" in html
    assert "Ligne 2 : courriel : Sans le consentement de la personne" in html
    assert "Ligne 3 : nom : champ obligatoire manquant." in html
    assert "commune : code INSEE inconnu « 99999 »" in html
    assert "année de naissance illisible « en 1980 »" in html
    assert "consentement : « oui » ou « non » attendu" in html
    assert "Ligne 5 : Doublon de la ligne 4 (même nom et même commune)" in html


def test_an_import_check_saves_nothing_and_a_clean_import_goes_to_the_list(advisor_client):
    text = "prenom;nom;commune\nHélène;D.;60057\n"
    response = advisor_client.post(reverse("advisors:beneficiary_import"),
                                   {"file": csv_file(text), "verifier": ""})
    assert response.status_code == 200 and not Beneficiary.objects.exists()
    assert "1 fiche à créer" in response.content.decode()
    response = advisor_client.post(reverse("advisors:beneficiary_import"),
                                   {"file": csv_file(text), "importer": ""})
    assert response.status_code == 302 and Beneficiary.objects.count() == 1


def test_an_unreadable_file_is_explained_next_to_the_field(advisor_client):
    response = advisor_client.post(reverse("advisors:beneficiary_import"), {
        "file": SimpleUploadedFile("liste.pdf", b"%PDF"), "importer": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="fr-error-text">Format de fichier non pris en charge' in html
    response = advisor_client.post(reverse("advisors:beneficiary_import"), {
        "file": csv_file("nom;ville\nD.;Beauvais\n"), "importer": ""})
    assert "Colonnes manquantes : prenom, commune" in response.content.decode()
    # the expected headers may wrap on a phone: no unbreakable "prenom;nom;commune;…" run
    assert "prenom; nom; commune; annee_naissance" in response.content.decode()
    # no error bar reaching 12 px past the screen, the columns table scrolls in its wrapper
    assert "fr-upload-group--error" in response.content.decode()
    assert "fr-input-group--error" not in response.content.decode()
    assert '<div class="fr-table__wrapper">' in response.content.decode()
    assert not Beneficiary.objects.exists()


# --- anonymisation, three ways ---------------------------------------------------------------
def _anonymised(record):
    record.refresh_from_db()
    return (record.first_name, record.last_name, record.email, record.phone,
            record.search_name, record.anonymised_at is not None)


def test_on_request_the_identity_goes_and_the_visits_stay(advisor_client, advisor, structure,
                                                          communes):
    helene = person(structure, communes["Beauvais"], contact_consent=True,
                    email="helene@example.fr", birth_band="1945_1959")
    report = make.activity_report(advisor, communes["Beauvais"], structure)
    helene.reports.add(report)
    url = reverse("advisors:beneficiary_anonymise", args=[helene.pk])
    confirm = advisor_client.get(url).content.decode()
    assert "Voulez-vous vraiment anonymiser cette fiche ?" in confirm
    assert advisor_client.post(url).status_code == 302
    assert _anonymised(helene) == ("Anonyme", "", "", "", "", True)
    assert (helene.anonymised_because, helene.birth_band, helene.commune) == (
        "request", "1945_1959", communes["Beauvais"])
    assert list(helene.reports.all()) == [report]
    page = advisor_client.get(reverse("advisors:beneficiary", args=[helene.pk])).content
    assert "Dupré" not in page.decode() and "helene@example.fr" not in page.decode()
    edit = advisor_client.get(reverse("advisors:beneficiary_edit", args=[helene.pk]))
    assert edit.status_code == 302


def test_two_years_without_a_visit_anonymise_and_a_second_run_changes_nothing(
        advisor, structure, communes):
    old = person(structure, communes["Beauvais"], "Ancien", "Visiteur")
    recent = person(structure, communes["Beauvais"], "Récent", "Visiteur")
    new = person(structure, communes["Beauvais"], "Nouveau", "Venu")
    long_ago = TODAY - datetime.timedelta(days=2 * 365 + 10)
    Beneficiary.objects.filter(pk__in=[old.pk, recent.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=3 * 365))
    old.reports.add(make.activity_report(advisor, communes["Beauvais"], structure,
                                         date=long_ago))
    recent.reports.add(make.activity_report(advisor, communes["Beauvais"], structure,
                                            date=long_ago),
                       make.activity_report(advisor, communes["Beauvais"], structure,
                                            date=TODAY - datetime.timedelta(days=30)))
    assert anonymise_beneficiaries.delay().get() == {"structure_left": 0, "inactivity": 1}
    assert _anonymised(old)[0] == "Anonyme" and old.anonymised_because == "inactivity"
    assert _anonymised(recent)[0] == "Récent"
    assert _anonymised(new)[0] == "Nouveau"
    at = old.anonymised_at
    assert anonymise_due() == {"structure_left": 0, "inactivity": 0}
    old.refresh_from_db()
    assert old.anonymised_at == at


def test_records_are_anonymised_once_nobody_of_the_structure_is_under_contract(
        advisor, colleague, structure, communes):
    helene = person(structure, communes["Beauvais"])
    Contract.objects.filter(advisor=advisor).update(end=TODAY - datetime.timedelta(days=1))
    assert anonymise_due()["structure_left"] == 0  # the colleague still works there
    assert _anonymised(helene)[0] == "Hélène"
    Contract.objects.filter(advisor=colleague).update(end=TODAY - datetime.timedelta(days=1))
    assert anonymise_due()["structure_left"] == 1
    assert _anonymised(helene) == ("Anonyme", "", "", "", "", True)
    assert helene.anonymised_because == "structure_left"


def test_the_daily_job_is_in_the_beat_schedule():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "advisors.tasks.anonymise_beneficiaries" in tasks


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize("query", [{"q": "é" * 10_000}, {"birth_band": "1900"},
                                   {"page": "99999999999999999999"}, {"anonymised": "\x00"},
                                   {"q": "\x00'; DROP TABLE"}])
def test_the_list_explains_a_bad_filter_and_never_fails(advisor_client, structure, communes,
                                                        query):
    person(structure, communes["Beauvais"])
    response = advisor_client.get(reverse("advisors:beneficiaries"), query)
    assert response.status_code < 500
    if "q" in query and len(query["q"]) > 100 or "birth_band" in query:
        assert "fr-error-text" in response.content.decode()


def test_a_refused_search_is_not_called_found_and_quotes_match_nobody(advisor_client,
                                                                    structure, communes):
    person(structure, communes["Beauvais"])
    url = reverse("advisors:beneficiaries")
    refused = advisor_client.get(url, {"q": "a" * 5000}).content.decode()
    assert "Recherche non valide" in refused and "trouvé" not in refused
    quotes = advisor_client.get(url, {"q": "'\""}).content.decode()
    assert "role=\"status\">0 bénéficiaire" in quotes
    assert "Hélène" not in quotes.split('role="status"')[1]
    assert 'value="&#x27;&quot;"' in quotes  # the search stays in its field


def test_a_huge_or_empty_form_is_refused_in_french(advisor_client):
    response = advisor_client.post(reverse("advisors:beneficiary_create"), {
        "first_name": "é" * 10_000, "last_name": "", "commune": "Nullepart-sur-Mer",
        "birth_band": "1800", "email": "pas-une-adresse", "contact_consent": "on"})
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200 and not Beneficiary.objects.exists()
    assert "Saisissez au plus 100 caractères (actuellement 10000)." in html
    assert "Ce champ est obligatoire." in html
    assert "Choisissez une des valeurs proposées." in html
    assert "Saisissez une adresse électronique valide" in html


def test_merging_a_record_with_itself_or_an_unknown_one_is_a_404(advisor_client, structure,
                                                                 communes):
    helene = person(structure, communes["Beauvais"])
    for other in (helene.pk, 999999):
        url = reverse("advisors:beneficiary_merge", args=[helene.pk, other])
        assert advisor_client.post(url).status_code == 404
    assert Beneficiary.objects.filter(pk=helene.pk).exists()
