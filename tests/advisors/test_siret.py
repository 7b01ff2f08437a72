"""A structure's SIRET (issue #15, 1.6): meaningless numbers refused; the business register
(API Recherche d'entreprises) checked when reachable — the establishment exists and is
active, its name and address prefill the form — and never blocking when it is not.

The register is a local HTTP server started by the test, answering that API's documented
format: nothing leaves the machine."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from advisors import sirene
from advisors.models import Structure
from advisors.validators import validate_siret

from . import factories as make

pytestmark = pytest.mark.django_db
ACTIVE = make.siret(9001)
CLOSED = make.siret(9002)
UNKNOWN = make.siret(9003)


def establishment(siret, state, commune):
    return {"siret": siret, "adresse": f"12 RUE DE LA MAIRIE {commune['cp']} {commune['name']}",
            "code_postal": commune["cp"], "libelle_commune": commune["name"],
            "commune": commune["insee"], "etat_administratif": state, "est_siege": True}


BEAUVAIS = {"cp": "60000", "name": "BEAUVAIS", "insee": "60057"}
COMPANIES = {
    ACTIVE: {"siren": ACTIVE[:9], "nom_complet": "COMMUNE DE BEAUVAIS",
             "siege": establishment(ACTIVE, "A", BEAUVAIS), "matching_etablissements": []},
    CLOSED: {"siren": CLOSED[:9], "nom_complet": "ASSOCIATION DISPARUE",
             "siege": establishment(CLOSED[:9] + "00019", "A", BEAUVAIS),
             "matching_etablissements": [establishment(CLOSED, "F", BEAUVAIS)]},
}


class RegisterHandler(BaseHTTPRequestHandler):
    asked = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        query = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        RegisterHandler.asked.append(query)
        results = [COMPANIES[query]] if query in COMPANIES else []
        body = json.dumps({"results": results, "total_results": len(results), "page": 1,
                           "per_page": 10, "total_pages": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def register(settings):
    """The register on a loopback port, for this test only."""
    RegisterHandler.asked = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), RegisterHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SIRENE_SEARCH_URL = f"http://127.0.0.1:{server.server_address[1]}/search"
    settings.SIRENE_SEARCH_TIMEOUT = 2
    yield RegisterHandler
    server.shutdown()
    server.server_close()


@pytest.fixture
def stopped_register(settings):
    """The register's address, with nothing listening there any more."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RegisterHandler)
    port = server.server_address[1]
    server.server_close()
    settings.SIRENE_SEARCH_URL = f"http://127.0.0.1:{port}/search"
    settings.SIRENE_SEARCH_TIMEOUT = 1


@pytest.fixture
def applicant(client):
    client.force_login(make.user(email="claire.dupont@beauvais.fr"))
    return client


def application_post(**overrides):
    data = {
        "name": "", "siret": ACTIVE, "kind": Structure.Kind.COMMUNE, "address": "",
        "commune": "", "contact_first_name": "Claire", "contact_last_name": "Dupont",
        "contact_email": "claire.dupont@beauvais.fr", "posts_requested": "2",
        "motivation": "Ouvrir deux permanences en mairie annexe.",
        "desired_start": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def text(response):
    import html

    return html.unescape(response.content.decode())


# --- meaningless numbers ------------------------------------------------------------------
@pytest.mark.parametrize("siret", ["00000000000000", "00000000000018", "73282935300000"])
def test_a_meaningless_siret_that_passes_the_luhn_key_is_refused(siret, applicant, communes):
    from stdnum.fr import siret as stdnum_siret

    assert stdnum_siret.is_valid(siret)  # the Luhn key alone lets it through
    with pytest.raises(ValidationError, match="numéro factice"):
        validate_siret(siret)
    page = text(applicant.post(reverse("advisors:apply"), application_post(
        siret=siret, name="Mairie", address="Place", commune=communes["Beauvais"].label)))
    assert "numéro factice" in page
    assert not Structure.objects.exists()


def test_the_register_is_off_by_default_in_development_and_tests():
    assert django_settings.SIRENE_SEARCH_URL in ("", None) or \
        urlparse(django_settings.SIRENE_SEARCH_URL).hostname in ("127.0.0.1", "localhost")


# --- the register reachable ----------------------------------------------------------------
def test_an_active_siret_prefills_name_address_and_commune(applicant, communes, register):
    response = applicant.post(reverse("advisors:apply"), application_post(), follow=True)
    structure = Structure.objects.get(siret=ACTIVE)
    assert (structure.name, structure.address) == ("COMMUNE DE BEAUVAIS",
                                                   "12 RUE DE LA MAIRIE")
    assert structure.commune == communes["Beauvais"]
    assert "est déposée" in text(response)


def test_what_the_person_typed_wins_over_the_register(applicant, communes, register):
    applicant.post(reverse("advisors:apply"), application_post(
        name="Mairie de Beauvais", address="1 rue Desgroux",
        commune=communes["Beauvais"].label))
    assert Structure.objects.get(siret=ACTIVE).name == "Mairie de Beauvais"


def test_a_siret_unknown_to_the_register_is_refused(applicant, communes, register):
    page = text(applicant.post(reverse("advisors:apply"), application_post(
        siret=UNKNOWN, name="Mairie", address="Place", commune=communes["Beauvais"].label)))
    assert "ne figure pas au répertoire des entreprises" in page
    assert not Structure.objects.exists()


def test_a_closed_establishment_is_refused(applicant, communes, register):
    page = text(applicant.post(reverse("advisors:apply"), application_post(siret=CLOSED)))
    assert "Cet établissement est fermé" in page
    assert not Structure.objects.exists()


def test_an_answer_is_kept_so_the_register_is_asked_once(register):
    assert sirene.lookup(ACTIVE).found and sirene.lookup(ACTIVE).found
    assert register.asked == [ACTIVE]


def test_the_prefill_endpoint_answers_for_the_page_script(applicant, communes, register):
    answer = applicant.get(reverse("advisors:siret_lookup"), {"siret": ACTIVE}).json()
    assert answer["status"] == "found" and answer["active"] is True
    assert (answer["name"], answer["commune"]) == ("COMMUNE DE BEAUVAIS",
                                                   communes["Beauvais"].label)
    answer = applicant.get(reverse("advisors:siret_lookup"),
                           {"siret": "00000000000000"}).json()
    assert answer["status"] == "invalid" and "factice" in answer["message"]


# --- the register unreachable --------------------------------------------------------------
def test_with_the_register_stopped_the_form_still_saves(applicant, communes,
                                                         stopped_register):
    response = applicant.post(reverse("advisors:apply"), application_post(
        siret=UNKNOWN, name="Mairie de Beauvais", address="1 rue Desgroux",
        commune=communes["Beauvais"].label), follow=True)
    assert "est déposée" in text(response)
    assert Structure.objects.get(siret=UNKNOWN).name == "Mairie de Beauvais"
    assert sirene.lookup(UNKNOWN).status == sirene.UNAVAILABLE


def test_with_the_register_stopped_empty_fields_are_asked_for(applicant, communes,
                                                              stopped_register):
    page = text(applicant.post(reverse("advisors:apply"), application_post()))
    assert page.count("Ce champ est obligatoire.") >= 3
    assert not Structure.objects.exists()
