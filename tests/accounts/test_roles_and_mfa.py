import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_every_role_group_exists_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def make_staff(**extra):
    user = User.objects.create_user(
        email="agent@anct.gouv.fr", password="Secret-Agent-2026", first_name="A", last_name="B",
        is_staff=True, **extra,
    )
    return user


def test_staff_without_mfa_is_sent_to_set_it_up_before_the_back_office(client):
    user = make_staff()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/2fa/totp/activate/"


def test_staff_with_totp_reaches_the_back_office(client):
    user = make_staff(is_superuser=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


def test_editor_group_member_must_use_mfa():
    user = User.objects.create_user(email="e@anct.gouv.fr", password="x", first_name="E",
                                    last_name="D")
    user.groups.add(Group.objects.get(name=Role.ANCT_EDITOR))
    assert user.must_use_mfa


def test_an_ordinary_user_is_not_forced_to_use_mfa_and_cannot_enter_the_admin(client):
    user = User.objects.create_user(email="elu@mairie.fr", password="x", first_name="E",
                                    last_name="L")
    assert not user.must_use_mfa
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 403  # a page saying so, not the TOTP setup nor a loop
    assert "Accès refusé" in response.content.decode()


def test_proconnect_is_offered_only_when_configured(client):
    from allauth.socialaccount.adapter import get_adapter

    assert get_adapter().list_apps(None, provider="openid_connect") == []


def test_prefect_role_requires_mfa():
    user = User.objects.create_user(email="p@interieur.gouv.fr", password="x", first_name="P",
                                    last_name="R")
    user.groups.add(Group.objects.get(name=Role.PREFET))
    assert user.must_use_mfa


PAGES_OF_ROLES = [
    "/admin/",
    "/conseillers-numeriques/candidatures/",
    "/conseillers-numeriques/",
    "/tableau-de-bord/",
    "/tableau-de-bord/national/",
]


def role_holder(role, totp):
    user = User.objects.create_user(email=f"{role.name.lower()}@gouv.fr", password="x",
                                    first_name="R", last_name="H")
    user.groups.add(Group.objects.get(name=role))
    if totp:
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.mark.parametrize("path", PAGES_OF_ROLES)
@pytest.mark.parametrize("role", [Role.PREFET, Role.ANCT_ADMIN, Role.ANCT_EDITOR])
def test_prefects_and_anct_staff_without_totp_are_sent_to_set_it_up_on_their_pages(
    client, role, path
):
    client.force_login(role_holder(role, totp=False))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/comptes/2fa/totp/activate/"


@pytest.mark.parametrize("path", ["/conseillers-numeriques/candidatures/", "/tableau-de-bord/"])
def test_a_prefect_with_totp_reaches_their_pages(client, path):
    client.force_login(role_holder(Role.PREFET, totp=True))
    response = client.get(path)
    assert response.get("Location") != "/comptes/2fa/totp/activate/"
    assert response.status_code in (200, 302, 403)


@pytest.mark.parametrize("path", ["/comptes/2fa/totp/activate/", "/comptes/logout/",
                                  "/espace/", "/"])
def test_a_prefect_without_totp_can_still_set_it_up_log_out_and_read_the_site(client, path):
    client.force_login(role_holder(Role.PREFET, totp=False))
    response = client.get(path)
    assert response.get("Location") != "/comptes/2fa/totp/activate/"


def test_an_advisor_or_structure_manager_is_not_asked_for_totp(client):
    user = role_holder(Role.STRUCTURE_MANAGER, totp=False)
    assert not user.must_use_mfa
    client.force_login(user)
    response = client.get("/conseillers-numeriques/ma-structure/")
    assert response.get("Location") != "/comptes/2fa/totp/activate/"


def test_roles_are_read_once_per_instance_and_again_after_a_group_change(
        django_assert_num_queries):
    user = User.objects.create_user(email="prefete@oise.gouv.fr", password="x")
    assert user.role_names == []
    with django_assert_num_queries(0):
        assert user.role_names == []
    user.groups.add(Group.objects.get_or_create(name=Role.PREFET)[0])
    assert user.role_names == [Role.PREFET]
    user.groups.clear()
    assert user.role_names == []
