"""Addresses located by the Base Adresse Nationale (a local stand-in, tests/advisors/ban.py):
on every save and for the rows already there; a geocoder that is down never blocks a save,
the place then sits at its commune's centre, flagged approximate, until the retry job
finds it."""

import io

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from advisors import services, tasks
from advisors.forms import ServicePointForm
from advisors.models import ServicePoint, Structure
from advisors.models.positions import Positioning
from territories import geocoding

from . import factories as make
from .ban import Geocoder

pytestmark = pytest.mark.django_db

TAILLERIE = (49.431236, 2.082613)  # "12 rue de la Taillerie", Beauvais, in ban_addresses.json
BEAUVAIS_CENTRE = (49.43, 2.08)


@pytest.fixture
def geocoder(settings):
    cache.clear()
    server = Geocoder().start()
    settings.BAN_GEOCODER_URL = server.url
    settings.BAN_GEOCODER_TIMEOUT = 1
    yield server
    server.stop()
    cache.clear()


@pytest.fixture
def beauvais(communes):
    commune = communes["Beauvais"]
    commune.latitude, commune.longitude = BEAUVAIS_CENTRE
    commune.save()
    return commune


def place_data(commune, **overrides):
    return {"name": "Médiathèque", "address": "12 rue de la Taillerie", "commune": commune,
            "services": ["aide-aux-demarches-administratives"], **overrides}


def create(structure, manager, commune, capture, **overrides):
    with capture(execute=True):
        point = services.create_service_point(structure, manager,
                                              place_data(commune, **overrides))
    point.refresh_from_db()
    return point


def test_a_new_place_is_located_at_its_address(geocoder, structure, manager, beauvais,
                                               django_capture_on_commit_callbacks):
    point = create(structure, manager, beauvais, django_capture_on_commit_callbacks)
    assert (point.latitude, point.longitude) == TAILLERIE
    assert point.position_source == Positioning.ADDRESS and not point.position_pending
    assert not point.position_is_approximate
    asked = geocoder.requests[0]
    assert asked.startswith("/search/?") and "citycode=60057" in asked and "limit=1" in asked


def test_an_address_the_geocoder_does_not_find_sits_at_the_commune_centre(
        geocoder, structure, manager, beauvais, django_capture_on_commit_callbacks):
    point = create(structure, manager, beauvais, django_capture_on_commit_callbacks,
                   address="99 chemin inconnu")
    assert (point.latitude, point.longitude) == BEAUVAIS_CENTRE
    assert point.position_is_approximate and not point.position_pending  # nothing to retry
    # A doubtful answer (the commune itself, score 0.41) is not taken for the address.
    doubtful = create(structure, manager, beauvais, django_capture_on_commit_callbacks,
                      address="Place du marché", name="Marché")
    assert doubtful.position_is_approximate


def test_with_the_geocoder_down_the_save_succeeds_and_the_retry_job_locates_it_later(
        geocoder, structure, manager, beauvais, django_capture_on_commit_callbacks):
    geocoder.stop()
    point = create(structure, manager, beauvais, django_capture_on_commit_callbacks)
    assert ServicePoint.objects.filter(pk=point.pk).exists()
    assert (point.latitude, point.longitude) == BEAUVAIS_CENTRE
    assert point.position_is_approximate and point.position_pending
    page = Client().get(f"/conseillers/{point.pk}/").content.decode()
    assert "Position approximative" in page

    assert tasks.retry_geocoding()["unavailable"] == 1  # still down: it stops at once
    geocoder.start()
    tasks.retry_geocoding()
    point.refresh_from_db()
    assert (point.latitude, point.longitude) == TAILLERIE
    assert point.position_source == Positioning.ADDRESS and not point.position_pending
    assert "Position approximative" not in Client().get(
        f"/conseillers/{point.pk}/").content.decode()
    assert tasks.retry_geocoding()["located"] == 0  # idempotent: nothing left


def test_an_answer_is_kept_so_an_address_is_asked_once(geocoder):
    assert geocoding.geocode("12 rue de la Taillerie", "60057").latitude == TAILLERIE[0]
    assert geocoding.geocode("12  Rue de la TAILLERIE", "60057").longitude == TAILLERIE[1]
    assert geocoding.geocode("99 chemin inconnu", "60057") is None
    assert geocoding.geocode("99 chemin inconnu", "60057") is None
    assert len(geocoder.requests) == 2


def test_after_a_failure_the_geocoder_is_left_alone_a_moment(geocoder):
    geocoder.stop()
    with pytest.raises(geocoding.GeocoderUnavailable):
        geocoding.geocode("1 rue de la Poste", "60057")
    geocoder.start()
    with pytest.raises(geocoding.GeocoderUnavailable):  # not asked: no second timeout
        geocoding.geocode("1 rue de la Poste", "60057")
    assert geocoder.requests == []
    assert geocoding.geocode("1 rue de la Poste", "60057", force=True) is not None


def test_a_marker_moved_by_hand_is_kept_until_the_address_changes(
        geocoder, structure, manager, beauvais, django_capture_on_commit_callbacks):
    point = create(structure, manager, beauvais, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_service_point(point, manager, {"latitude": 49.4315,
                                                       "longitude": 2.0829})
    point.refresh_from_db()
    assert (point.latitude, point.longitude) == (49.4315, 2.0829)
    assert point.position_source == Positioning.MANUAL
    with django_capture_on_commit_callbacks(execute=True):
        services.update_service_point(point, manager, {"name": "Médiathèque centrale"})
    point.refresh_from_db()
    assert point.position_source == Positioning.MANUAL  # other changes keep it
    with django_capture_on_commit_callbacks(execute=True):
        services.update_service_point(point, manager, {"address": "1 rue de la Poste"})
    point.refresh_from_db()
    assert (point.latitude, point.longitude) == (49.43582, 2.08561)
    assert point.position_source == Positioning.ADDRESS


def test_a_position_far_from_the_commune_or_out_of_bounds_is_refused_in_french(beauvais):
    def errors(**position):
        form = ServicePointForm({**{k: v for k, v in place_data("Beauvais (60)").items()},
                                 "access": "free", **position},
                                structures=[make.structure(beauvais)])
        form.is_valid()
        return form.errors

    assert "latitude" not in errors(latitude="49,4315", longitude="2,0829")  # a comma is fine
    assert errors(latitude="999", longitude="2")["latitude"] == [
        "La latitude est comprise entre -90 et 90."]
    assert errors(latitude="abc", longitude="2")["latitude"] == [
        "Saisissez une latitude en degrés décimaux, par exemple 49,4301."]
    assert errors(latitude="49.43")["longitude"] == [
        "Indiquez la latitude et la longitude, ou aucune des deux."]
    far = errors(latitude="48.85", longitude="2.35")
    assert "à 67 km de Beauvais" in far["latitude"][0]
    assert "à 67 km de Beauvais" in far["longitude"][0]  # either may be the wrong one


def test_structures_are_located_too(geocoder, beauvais, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        structure = make.structure(beauvais, address="12 rue de la Taillerie")
    structure.refresh_from_db()
    assert (structure.latitude, structure.longitude) == TAILLERIE
    assert structure.position_source == Positioning.ADDRESS


def test_geocode_addresses_locates_existing_rows_and_resumes(
        settings, structure, beauvais, django_capture_on_commit_callbacks):
    # Rows saved before geocoding existed (or with it off): not located.
    rows = [make.service_point(structure, name=f"Lieu {n}", address="1 rue de la Poste")
            for n in range(3)]
    assert {p.position_source for p in ServicePoint.objects.all()} == {""}
    server = Geocoder().start()
    settings.BAN_GEOCODER_URL = server.url
    cache.clear()
    try:
        server.stop()
        out = io.StringIO()
        with pytest.raises(CommandError, match="reprendra"):
            call_command("geocode_addresses", stdout=out)
        server.start()
        out = io.StringIO()
        call_command("geocode_addresses", stdout=out)
        assert "lieux d'activité : 3/3" in out.getvalue()
        for row in rows:
            row.refresh_from_db()
            assert (row.latitude, row.longitude) == (49.43582, 2.08561)
        assert Structure.objects.get(pk=structure.pk).position_source != ""
        out = io.StringIO()
        call_command("geocode_addresses", stdout=out)  # nothing left: done rows skipped
        assert "lieux d'activité : 0 à géolocaliser" in out.getvalue()
    finally:
        server.stop()
        cache.clear()


def test_without_a_geocoder_url_nothing_is_asked(structure, manager, beauvais,
                                                 django_capture_on_commit_callbacks):
    point = create(structure, manager, beauvais, django_capture_on_commit_callbacks,
                   latitude=None, longitude=None)
    assert point.latitude is None and point.position_source == ""
    with pytest.raises(CommandError):
        call_command("geocode_addresses", stdout=io.StringIO())


def test_structures_imported_from_a_file_are_located_and_a_check_asks_nothing(
        geocoder, client, beauvais, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.roles import Role
    from tests import factories as base

    client.force_login(base.staff_user(Role.ANCT_ADMIN))
    lines = ["siret;nom;type;code_insee;adresse;contact_prenom;contact_nom;contact_email",
             "98000901309016;Mairie de Beauvais;commune;60057;12 rue de la Taillerie;Claire;"
             "Dupont;claire@beauvais.example.fr"]

    def upload(button):
        data = {"kind": "structures", button: "1", "file": SimpleUploadedFile(
            "s.csv", "\n".join(lines).encode(), content_type="text/csv")}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/admin/advisors_import/", data)

    assert upload("verifier").context["report"].created == 1
    assert geocoder.requests == [] and not Structure.objects.exists()  # rolled back
    assert upload("importer").context["report"].created == 1
    structure = Structure.objects.get()
    assert (structure.latitude, structure.longitude) == TAILLERIE
    assert structure.position_source == Positioning.ADDRESS
