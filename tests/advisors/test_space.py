"""'Mon espace' leads each person to the Conseillers numériques pages of their roles."""

import pytest

from accounts.roles import Role
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db


def test_structure_manager_finds_their_structure_in_my_space(client):
    communes = make.geography()
    manager = make.user()
    make.validated_structure(communes["Beauvais"], manager=manager)
    client.force_login(manager)
    page = client.get("/espace/").content.decode()
    assert "Conseillers numériques" in page
    assert 'href="/conseillers-numeriques/ma-structure/"' in page


def test_advisor_finds_activity_entry_and_a_plain_elu_finds_nothing(client):
    communes = make.geography()
    account = make.user()
    advisor = make.advisor(account)
    make.contract(make.validated_structure(communes["Beauvais"]), advisor)
    client.force_login(account)
    assert 'href="/conseillers-numeriques/activite/saisir/"' in client.get(
        "/espace/").content.decode()
    client.force_login(make.user())
    assert "my-advisors-pages" not in client.get("/espace/").content.decode()


def test_the_elu_invitation_is_for_plain_users_not_advisors_or_managers(client):
    communes = make.geography()
    manager = make.user(role=Role.STRUCTURE_MANAGER)  # the role their application gave
    make.validated_structure(communes["Beauvais"], manager=manager)
    account = make.user(role=Role.ADVISOR)  # the role their contract's validation gave
    make.contract(make.validated_structure(communes["Compiègne"]), make.advisor(account))
    for person in (manager, account):
        client.force_login(person)
        assert "Vous êtes élu local ?" not in client.get("/espace/").content.decode()
    client.force_login(make.user())
    assert "Vous êtes élu local ?" in client.get("/espace/").content.decode()
