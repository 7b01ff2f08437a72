import json

import pytest
from django.utils import timezone

from academy.models import AttendanceMode, Enrolment, Mandate
from calendars.models import CalendarToken

from .conftest import logged_in

pytestmark = pytest.mark.django_db


def download(user):
    response = logged_in(user).get("/espace/donnees/telecharger/")
    assert response.status_code == 200
    return response


def test_download_needs_login(client):
    response = client.get("/espace/donnees/telecharger/")
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_download_is_a_dated_json_attachment(alice):
    response = download(alice)
    assert response["Content-Type"].startswith("application/json")
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="mes-donnees-{today:%Y-%m-%d}.json"')
    assert response["Cache-Control"].startswith("max-age=0")
    json.loads(response.content)


def test_export_holds_everything_tied_to_the_person(alice, past_session):
    data = json.loads(download(alice).content)
    assert data["compte"]["adresse_electronique"] == "alice.zephyrine@mairie-exemple.fr"
    assert (data["compte"]["prenom"], data["compte"]["nom"]) == ("Alice", "Zéphyrine")
    assert data["adresses_electroniques"] == [
        {"adresse": "alice.zephyrine@mairie-exemple.fr", "verifiee": True, "principale": True}]
    assert data["connexions_externes"][0]["fournisseur"] == "proconnect"
    assert data["double_authentification"][0]["type"]
    assert data["agenda_personnel"]["lien_personnel_cree"] is True
    mandate = data["profil_elu"]["mandats"][0]
    assert mandate["fonction"] == "Maire" and mandate["collectivite"] == "Beauvais (60)"
    assert data["profil_elu"]["salarie"] is True
    [enrolment] = data["inscriptions"]
    assert enrolment["formation"] == "Conduire un projet de territoire"
    assert enrolment["statut"] == "Confirmée"
    assert enrolment["presences"][0]["presence"] == "Présent"
    assert enrolment["heures_suivies"] > 0
    assert enrolment["attestation"].endswith("/attestation.pdf")
    advisor = data["conseiller_numerique"]
    assert advisor["courriel_professionnel"] == "pro.alice.zephyrine@mairie-exemple.fr"
    assert advisor["telephone_professionnel"] == "0612345678"
    assert len(advisor["contrats"]) == 1 and advisor["contrats"][0]["statut"] == "Validé"
    assert len(advisor["comptes_rendus_d_activite"]) == 2
    assert {r["commune"] for r in advisor["comptes_rendus_d_activite"]} == {
        "Beauvais", "Compiègne"}
    assert len(advisor["lieux_d_activite"]) == 1
    [structure] = data["structures_gerees"]
    assert structure["contact_declare"]["courriel"] == "alice.zephyrine@mairie-exemple.fr"


def test_export_holds_nobody_elses_data(alice, bruno):
    body = download(alice).content.decode()
    for trace in ["bruno.quillebeuf", "Quillebeuf", "Bruno", "uid-bruno"]:
        assert trace not in body
    data = json.loads(body)
    # Both attended the same session: only Alice's enrolment and attendance are there.
    assert len(data["inscriptions"]) == 1
    assert len(data["inscriptions"][0]["presences"]) == 1
    assert len(data["conseiller_numerique"]["comptes_rendus_d_activite"]) == 2
    assert len(data["structures_gerees"]) == 1


def test_export_does_not_reveal_secrets(alice):
    body = download(alice).content.decode()
    assert CalendarToken.objects.get(user=alice).token not in body
    assert "secret-Zéphyrine" not in body and "secret-Z\\u00e9phyrine" not in body
    assert alice.password not in body


def test_my_data_page_offers_download_and_deletion(alice):
    client = logged_in(alice)
    html = client.get("/espace/donnees/").content.decode()
    assert "<h1>Mes données personnelles</h1>" in html
    assert 'href="/espace/donnees/telecharger/"' in html
    assert "Télécharger mes données" in html
    assert 'href="/espace/donnees/supprimer/"' in html
    space = client.get("/espace/").content.decode()
    assert "Mes données personnelles" in space and 'href="/espace/donnees/"' in space


def test_my_data_page_needs_login(client):
    assert client.get("/espace/donnees/").status_code == 302


def test_export_holds_the_attendance_mode_and_mandate_chosen_at_enrolment(alice):
    enrolment = Enrolment.objects.get(user=alice)
    enrolment.attendance_mode = AttendanceMode.REMOTE
    enrolment.mandate = Mandate.objects.get(profile__user=alice)
    enrolment.save()
    [row] = json.loads(download(alice).content)["inscriptions"]
    assert row["participation"] == "À distance"
    assert row["au_titre_du_mandat"] == {"fonction": "Maire", "collectivite": "Beauvais (60)"}


def test_export_says_when_nothing_was_chosen_at_enrolment(alice):
    [row] = json.loads(download(alice).content)["inscriptions"]
    assert row["participation"] is None and row["au_titre_du_mandat"] is None


def test_my_data_page_does_not_promise_a_spreadsheet_file(alice):
    html = logged_in(alice).get("/espace/donnees/").content.decode()
    assert "tableur" not in html
    assert "format JSON" in html and "autres logiciels" in html
