""""Mon espace" is kept per person (accounts/space_cache.py): gaining or losing a role of
the programme (structure manager, advisor, préfet) or a second factor shows on the next
visit; the links of a role are rendered on every visit."""

import pytest

from accounts.roles import Role
from tests.accounts.factories import AuthenticatorFactory
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db
NOTICES = "Mes notifications par courriel"


def page(client):
    response = client.get("/espace/")
    assert response.status_code == 200
    return response.content.decode()


def test_becoming_and_ceasing_to_be_a_structure_manager_shows(client):
    communes = make.geography()
    person = make.user()
    structure = make.validated_structure(communes["Beauvais"])
    client.force_login(person)
    page(client)
    body = page(client)  # kept
    assert "/conseillers-numeriques/ma-structure/" not in body
    assert NOTICES not in body
    structure.managers.add(person)
    body = page(client)
    assert "/conseillers-numeriques/ma-structure/" in body
    assert NOTICES in body
    structure.managers.remove(person)
    body = page(client)
    assert "/conseillers-numeriques/ma-structure/" not in body
    assert NOTICES not in body


def test_an_account_linked_to_an_advisor_finds_their_pages(client):
    communes = make.geography()
    person = make.user()
    client.force_login(person)
    page(client)
    assert "/conseillers-numeriques/activite/saisir/" not in page(client)
    advisor = make.advisor(person)
    make.contract(make.validated_structure(communes["Beauvais"]), advisor)
    assert "/conseillers-numeriques/activite/saisir/" in page(client)


def test_a_second_factor_and_a_role_show(client):
    person = make.user()
    client.force_login(person)
    page(client)
    assert "Non activée" in page(client)
    AuthenticatorFactory(user=person)
    assert "Activée" in page(client) and "Non activée" not in page(client)
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name=Role.TRAINER)[0].user_set.add(person)
    assert "Aucun rôle particulier" not in page(client)
