"""Correcting records (issue 18, item 6): ANCT corrects structures, service points and advisors'
training in the back office, each change in the record's history with who and when;
structure managers correct their own address and contacts; advisors declare their training,
which ANCT validates or refuses with a reason."""

import datetime
import html
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from advisors.history import history_of
from advisors.models import TrainingRecord
from tests import factories as base

from . import factories as make

pytestmark = pytest.mark.django_db


def text(response):
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def field_error(response, field):
    """The error shown with ``field``: DSFR's ``<id>-errors`` on the front end, the error
    message inside the field's wrapper in the Wagtail admin; "" when none."""
    page = response.content.decode()
    match = re.search(rf'<p id="id_{field}-errors"[^>]*>(.*?)</p>', page, re.S) or re.search(
        rf'for="id_{field}"(?:(?!w-field__wrapper).)*?class="error-message">(.*?)</p>', page,
        re.S)
    return html.unescape(re.sub(r"\s+", " ", match.group(1))).strip() if match else ""


@pytest.fixture
def anct_user(db):
    return base.staff_user(Role.ANCT_ADMIN, email="agent@anct.gouv.fr")


@pytest.fixture
def anct(client, anct_user):
    client.force_login(anct_user)
    return client


def structure_form(structure, **changes):
    data = {"name": structure.name, "kind": structure.kind, "address": structure.address,
            "contact_first_name": structure.contact_first_name,
            "contact_last_name": structure.contact_last_name,
            "contact_email": structure.contact_email,
            "contact_phone": structure.contact_phone}
    data.update(changes)
    return data


# --- ANCT in the back office --------------------------------------------------------------
def test_an_anct_admin_corrects_a_structure_and_the_history_says_who_and_when(
        anct, anct_user, structure):
    before = timezone.now()
    response = anct.post(f"/admin/advisors_structures/edit/{structure.pk}/", structure_form(
        structure, name="Mairie de Beauvais (CCAS)", contact_email="ccas@beauvais.fr"))
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.name == "Mairie de Beauvais (CCAS)"
    assert structure.contact_email == "ccas@beauvais.fr"
    [entry] = history_of(structure)
    assert entry.user == anct_user and entry.timestamp >= before
    assert {c["field"] for c in entry.data["changes"]} == {"name", "contact_email"}
    page = text(anct.get(f"/admin/advisors_structures/history/{structure.pk}/"))
    assert "Historique" in page
    assert "Courriel du contact : « " in page and "» → « ccas@beauvais.fr »" in page
    assert anct_user.get_full_name() in page or anct_user.email in page
    assert "UTC" not in page


def test_the_inspect_view_of_a_structure_links_to_its_edit_and_history_views(anct, structure):
    page = anct.get(f"/admin/advisors_structures/inspect/{structure.pk}/").content.decode()
    assert f"/admin/advisors_structures/edit/{structure.pk}/" in page
    assert f"/admin/advisors_structures/history/{structure.pk}/" in page


def test_a_wrong_email_is_refused_in_the_admin_next_to_the_field_and_nothing_is_saved(
        anct, structure):
    response = anct.post(f"/admin/advisors_structures/edit/{structure.pk}/", structure_form(
        structure, name="Nouveau nom", contact_email="pas-une-adresse"))
    assert response.status_code == 200
    page = text(response)
    assert "Saisissez une adresse" in page
    assert 'value="Nouveau nom"' in page  # what was typed is kept
    structure.refresh_from_db()
    assert structure.name != "Nouveau nom"
    assert not history_of(structure).exists()


def test_an_anct_admin_corrects_a_service_point_and_it_is_in_its_history(anct, anct_user,
                                                                         place):
    response = anct.post(f"/admin/advisors_service_points/edit/{place.pk}/", {
        "name": "Médiathèque du Quadrilatère (2e étage)", "address": place.address,
        "access": place.access, "phone": "", "email": "", "website": "", "booking_url": "",
        "is_public": "on"})
    assert response.status_code == 302, text(response)[:3000]
    place.refresh_from_db()
    assert place.name == "Médiathèque du Quadrilatère (2e étage)"
    [entry] = history_of(place)
    assert entry.user == anct_user
    assert entry.data["changes"][0]["new"] == "Médiathèque du Quadrilatère (2e étage)"


def test_an_anct_admin_corrects_an_advisor_training_within_bounds(anct, anct_user, advisor):
    url = f"/admin/advisors_advisors/edit/{advisor.pk}/"
    response = anct.post(url, {"training_start": "2019-03-01", "training_end": "",
                               "training_hours": "5000", "pix_level": "3"})
    assert response.status_code == 200
    assert "début du programme" in field_error(response, "training_start")
    advisor.refresh_from_db()
    assert advisor.training_start is None and advisor.pix_level is None
    response = anct.post(url, {"training_start": "2024-03-01", "training_end": "2024-06-28",
                               "training_hours": "5000", "pix_level": "3"})
    assert response.status_code == 200
    assert "entre 1 et 1000" in field_error(response, "training_hours")
    response = anct.post(url, {"training_start": "2024-03-01", "training_end": "2024-06-28",
                               "training_hours": "154", "pix_level": "3"})
    assert response.status_code == 302
    advisor.refresh_from_db()
    assert advisor.training_hours == 154
    [entry] = history_of(advisor)
    assert entry.user == anct_user
    page = text(anct.get(f"/admin/advisors_advisors/history/{advisor.pk}/"))
    assert "Heures de formation : « — » → « 154 »" in page


# --- structure managers on the front end --------------------------------------------------
def test_a_manager_corrects_the_contacts_of_their_structure_kept_in_its_history(
        client, manager, structure):
    client.force_login(manager)
    url = f"/conseillers-numeriques/structures/{structure.pk}/coordonnees/"
    page = client.get(f"/conseillers-numeriques/structures/{structure.pk}/").content.decode()
    assert url in page
    response = client.post(url, {
        "address": "2 rue Desgroux", "contact_first_name": "Nadia",
        "contact_last_name": "Benali", "contact_email": "n.benali@beauvais.fr",
        "contact_phone": "03 44 79 40 00"})
    assert response.status_code == 302
    structure.refresh_from_db()
    assert (structure.address, structure.contact_email, structure.contact_phone) == (
        "2 rue Desgroux", "n.benali@beauvais.fr", "0344794000")
    [entry] = history_of(structure)
    assert entry.user == manager
    assert {c["field"] for c in entry.data["changes"]} >= {"address", "contact_email"}


def test_a_manager_may_not_correct_another_structure(client, manager, structure, communes):
    other = make.validated_structure(communes["Lille"], posts=1, name="Lille Métropole")
    make.contract(other, make.advisor())
    client.force_login(manager)
    url = f"/conseillers-numeriques/structures/{other.pk}/coordonnees/"
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"address": "Ailleurs", "contact_first_name": "X",
                                 "contact_last_name": "Y", "contact_email": "x@y.fr"})
    assert response.status_code in (403, 404)
    other.refresh_from_db()
    assert other.address != "Ailleurs"


def test_an_advisor_of_the_structure_sees_it_but_may_not_correct_it(advisor_client,
                                                                     structure):
    url = f"/conseillers-numeriques/structures/{structure.pk}/coordonnees/"
    assert advisor_client.get(url).status_code == 403
    page = advisor_client.get(f"/conseillers-numeriques/structures/{structure.pk}/")
    assert url not in page.content.decode()


def test_bad_contacts_are_refused_in_french_next_to_the_field_and_nothing_is_lost(
        client, manager, structure):
    client.force_login(manager)
    url = f"/conseillers-numeriques/structures/{structure.pk}/coordonnees/"
    response = client.post(url, {"address": "2 rue Desgroux", "contact_first_name": "Nadia",
                                 "contact_last_name": "", "contact_email": "nadia@",
                                 "contact_phone": "12"})
    assert response.status_code == 200
    assert field_error(response, "contact_last_name") == "Ce champ est obligatoire."
    assert "Saisissez une adresse électronique valide" in field_error(response,
                                                                      "contact_email")
    assert field_error(response, "contact_phone")
    page = response.content.decode()
    assert 'value="2 rue Desgroux"' in page and 'value="Nadia"' in page
    structure.refresh_from_db()
    assert structure.address != "2 rue Desgroux"
    assert not history_of(structure).exists()


# --- advisors' training declarations -------------------------------------------------------
TRAINING = {"training_start": "2025-09-01", "training_end": "2025-12-19",
            "training_hours": "154", "pix_level": "4", "ccp1_obtained": "on",
            "ccp1_obtained_on": "2026-01-15"}


def test_a_training_declared_by_the_advisor_waits_then_is_validated_by_anct(
        advisor_client, advisor, anct_user):
    response = advisor_client.post("/conseillers-numeriques/ma-formation/declarer/", TRAINING)
    assert response.status_code == 302
    record = TrainingRecord.objects.get(advisor=advisor)
    assert record.status == TrainingRecord.Status.SUBMITTED
    advisor.refresh_from_db()
    assert advisor.training_hours is None  # not in the record until ANCT validates it
    assert "À valider" in text(advisor_client.get("/conseillers-numeriques/ma-formation/"))

    anct = Client()
    anct.force_login(anct_user)
    listing = text(anct.get("/admin/advisors_training_records/?status=submitted"))
    assert advisor.full_name in listing
    assert anct.post(f"/admin/advisors_training_records/validate/{record.pk}/").status_code \
        == 302
    record.refresh_from_db()
    advisor.refresh_from_db()
    assert record.status == TrainingRecord.Status.VALIDATED and record.decided_by == anct_user
    assert (advisor.training_start, advisor.training_hours, advisor.pix_level,
            advisor.ccp1_obtained) == (datetime.date(2025, 9, 1), 154, 4, True)
    page = text(advisor_client.get("/conseillers-numeriques/ma-formation/"))
    assert "Validée" in page and "154 heures" in page
    actions = [entry.action for entry in history_of(advisor)]
    assert actions == ["advisors.training_validate", "advisors.training_submit"]


def test_a_refused_training_shows_the_reason_to_the_advisor(advisor_client, advisor,
                                                            anct_user):
    advisor_client.post("/conseillers-numeriques/ma-formation/declarer/", TRAINING)
    record = TrainingRecord.objects.get(advisor=advisor)
    anct = Client()
    anct.force_login(anct_user)
    url = f"/admin/advisors_training_records/refuse/{record.pk}/"
    response = anct.post(url, {"reason": ""})
    assert response.status_code == 200 and "Indiquez le motif du refus." in text(response)
    anct.post(url, {"reason": "L'attestation de formation ne mentionne que 105 heures."})
    record.refresh_from_db()
    assert record.status == TrainingRecord.Status.REFUSED
    page = text(advisor_client.get("/conseillers-numeriques/ma-formation/"))
    assert "Refusée" in page and "ne mentionne que 105 heures" in page
    advisor.refresh_from_db()
    assert advisor.training_hours is None


def test_a_new_declaration_replaces_the_one_still_waiting(advisor_client, advisor):
    url = "/conseillers-numeriques/ma-formation/declarer/"
    advisor_client.post(url, TRAINING)
    assert 'value="154"' in advisor_client.get(url).content.decode()  # prefilled
    advisor_client.post(url, {**TRAINING, "training_hours": "160"})
    [record] = TrainingRecord.objects.filter(advisor=advisor)
    assert record.training_hours == 160


def test_a_bad_training_declaration_is_refused_in_french_next_to_the_field(advisor_client,
                                                                           advisor):
    url = "/conseillers-numeriques/ma-formation/declarer/"
    today = timezone.localdate()
    response = advisor_client.post(url, {
        "training_start": "2025-09-01", "training_end": "2025-08-01",
        "training_hours": "0", "pix_level": "9", "ccp1_obtained": "",
        "ccp1_obtained_on": (today + datetime.timedelta(days=3)).isoformat()})
    assert response.status_code == 200
    assert field_error(response, "training_end") == \
        "La fin de la formation doit suivre son début."
    assert "entre 1 et 1000" in field_error(response, "training_hours")
    assert field_error(response, "pix_level") == "Le niveau Pix est compris entre 0 et 8."
    assert "futur" in field_error(response, "ccp1_obtained_on")
    assert 'value="2025-09-01"' in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_only_advisors_declare_a_training(client, manager):
    client.force_login(manager)
    assert client.get("/conseillers-numeriques/ma-formation/declarer/").status_code == 404


# --- account erasure ------------------------------------------------------------------------
def test_an_erased_contact_leaves_no_detail_in_the_structure_history(client, manager,
                                                                     structure):
    from advisors.history import ERASED
    from privacy.services import erase_account

    client.force_login(manager)
    client.post(f"/conseillers-numeriques/structures/{structure.pk}/coordonnees/", {
        "address": structure.address, "contact_first_name": "Nadia",
        "contact_last_name": "Benali", "contact_email": manager.email,
        "contact_phone": ""})
    [entry] = history_of(structure)
    assert manager.email in str(entry.data)
    erase_account(manager)
    entry.refresh_from_db()
    assert manager.email not in str(entry.data) and "Benali" not in str(entry.data)
    assert {c["new"] for c in entry.data["changes"]} == {ERASED}


@pytest.mark.parametrize("phone", ["+33 6 12 34 56 78 99", "0000000000", "+33 0 12 34 56 78",
                                   "+44 20 7946 0958", "06 12 34 56 7"])
def test_a_phone_number_that_is_not_french_is_refused_next_to_the_field(client, manager,
                                                                       structure, phone):
    client.force_login(manager)
    url = f"/conseillers-numeriques/structures/{structure.pk}/coordonnees/"
    response = client.post(url, {"address": "2 rue Desgroux", "contact_first_name": "Nadia",
                                 "contact_last_name": "Roux", "contact_email": "n@mairie.fr",
                                 "contact_phone": phone})
    assert "numéro de téléphone français valide" in field_error(response, "contact_phone")


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "+33 6 12 34 56 78", "+262 692 12 34 56",
                                   "0590 12 34 56", "+687 12 34 56"])
def test_french_and_overseas_phone_numbers_are_accepted(client, manager, structure, phone):
    client.force_login(manager)
    url = f"/conseillers-numeriques/structures/{structure.pk}/coordonnees/"
    response = client.post(url, {"address": "2 rue Desgroux", "contact_first_name": "Nadia",
                                 "contact_last_name": "Roux", "contact_email": "n@mairie.fr",
                                 "contact_phone": phone})
    assert response.status_code == 302


@pytest.mark.parametrize("hours", ["-5", "0", "70000"])
def test_hours_out_of_range_get_the_hints_range_not_djangos_message(advisor_client, hours):
    response = advisor_client.post("/conseillers-numeriques/ma-formation/declarer/",
                                   {**TRAINING, "training_hours": hours})
    assert field_error(response, "training_hours") == \
        "Indiquez un nombre d'heures entre 1 et 1000."


def test_a_record_kept_by_anct_is_not_called_undeclared(advisor_client, advisor):
    advisor.training_start = datetime.date(2025, 9, 1)
    advisor.training_end = datetime.date(2025, 12, 19)
    advisor.training_hours = 350
    advisor.pix_level = 3
    advisor.save()
    page = text(advisor_client.get("/conseillers-numeriques/ma-formation/"))
    assert "pas encore déclaré" not in page
    assert "350 heures" in page and "telle que l'ANCT l'a enregistrée" in page
