"""The sessions' back office: the commune chooser searches, the rights of editors and
administrators, and French that reads right (column headings, notification emails)."""

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from academy.models import Enrolment, Session
from accounts.roles import Role
from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    communes = make.geography()
    beauvais = communes["Beauvais"]
    beauvais.postal_codes = ["60000"]
    beauvais.population = 56000
    beauvais.save()
    return communes


@pytest.fixture
def session(communes):
    session = make.session(make.course("Gérer une crise sur son territoire"),
                           communes["Beauvais"])
    person = get_user_model().objects.create_user(email="lucie@example.fr", password="x",
                                                  first_name="Lucie", last_name="Bernard")
    Enrolment.objects.create(session=session, user=person, status=Enrolment.Status.CONFIRMED)
    return session


def staff(client, role):
    client.force_login(make.staff_user(role))
    return client


def refused(response):
    """Wagtail's admin answers a refused permission with a redirect to its dashboard."""
    return response.status_code == 403 or (response.status_code == 302
                                           and response["Location"] == "/admin/")


def chooser_results(client, query):
    url = reverse("wagtailsnippetchoosers_territories_commune:choose_results")
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_commune_chooser_of_the_session_form_searches_by_name_and_postal_code(client,
                                                                              communes):
    staff(client, Role.ANCT_EDITOR)
    form = client.get(reverse("wagtailsnippets_academy_session:add")).content.decode()
    chooser = reverse("wagtailsnippetchoosers_territories_commune:choose")
    assert chooser in form  # the commune field opens this chooser

    modal = client.get(chooser).json()["html"]
    assert 'name="q"' in modal and "Nom ou code postal" in modal

    found = chooser_results(client, "beauv")
    assert "Beauvais (60)" in found and "Compiègne" not in found and "Lille" not in found
    found = chooser_results(client, "60000")
    assert "Beauvais (60)" in found and "Compiègne" not in found
    assert "Compiègne (60)" in chooser_results(client, "compie")  # accents ignored


def test_commune_chooser_without_a_search_starts_with_the_largest_communes(client, communes):
    staff(client, Role.ANCT_EDITOR)
    html = chooser_results(client, "")
    assert html.index("Beauvais (60)") < html.index("Compiègne (60)")


def test_editors_can_neither_cancel_a_session_nor_export_its_participants(client, session):
    staff(client, Role.ANCT_EDITOR)
    base = f"/admin/academie/sessions/{session.pk}/"
    page = client.get(base).content.decode()
    assert "Lucie" in page  # they still manage the enrolments
    assert "export.csv" not in page and "Annuler la session" not in page
    assert refused(client.get(f"{base}export.csv"))
    assert refused(client.get(f"{base}export.xlsx"))
    assert refused(client.get(f"{base}annuler/"))
    assert refused(client.post(f"{base}annuler/", {"reason": "Salle indisponible"}))
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED


def test_administrators_cancel_sessions_and_export_participants(client, session):
    staff(client, Role.ANCT_ADMIN)
    base = f"/admin/academie/sessions/{session.pk}/"
    page = client.get(base).content.decode()
    assert "export.csv" in page and "Annuler la session" in page
    export = client.get(f"{base}export.csv")
    assert export.status_code == 200 and "Bernard;Lucie;lucie@example.fr" in \
        export.content.decode("utf-8-sig")
    assert client.post(f"{base}annuler/", {"reason": "Salle indisponible"}).status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


def test_sessions_listing_heads_the_place_column_in_french(client, session):
    staff(client, Role.ANCT_EDITOR)
    html = client.get(reverse("wagtailsnippets_academy_session:list")).content.decode()
    assert "Place label" not in html and ">Lieu<" in html.replace("\n", "").replace(" ", "")
    export = client.get(reverse("wagtailsnippets_academy_session:list"), {"export": "csv"})
    assert "Lieu" in export.getvalue().decode("utf-8-sig").splitlines()[0]


def test_wagtail_notification_emails_greet_formally():
    user = get_user_model()(email="editeur@anct.gouv.fr", first_name="Claire")
    with translation.override("fr"):
        text = render_to_string("wagtailadmin/notifications/base.txt", {"user": user})
    assert "Bonjour Claire," in text and "Salut" not in text
