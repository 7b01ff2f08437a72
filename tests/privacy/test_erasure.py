from datetime import date, timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session as DjangoSession
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from academy.models import Attendance, Enrolment, Mandate, OfficialProfile, Session
from accounts.models import User
from accounts.roles import Role
from advisors.models import ActivityReport, Advisor, Contract, PrefectAssignment, Structure
from calendars.models import CalendarToken
from dashboards import indicators
from dashboards.indicators import Territory
from privacy import services
from privacy.models import AccountErasure
from tests import factories as site
from tests.advisors import factories as make

from .conftest import PASSWORD, logged_in, rows_mentioning, running_contract

pytestmark = pytest.mark.django_db

ALICE = "alice.zephyrine@mairie-exemple.fr"


def delete(client, **overrides):
    data = {"email": ALICE, "password": PASSWORD, "understood": "on", **overrides}
    return client.post("/espace/donnees/supprimer/", data)


def statistics(past_session):
    cache.clear()  # computed from the database, not read back from the dashboards' cache
    period = (date(2020, 1, 1), timezone.localdate() + timedelta(days=365))
    return {
        "national": indicators.summary(Territory("national"), *period),
        "sessions": list(Session.objects.with_seats().order_by("pk")
                         .values_list("pk", "seats_taken")),
        "enrolments": Enrolment.objects.count(),
        "attendances": Attendance.objects.count(),
        "confirmed_in_past_session": past_session.enrolments.holding_seats().count(),
        "reports": ActivityReport.objects.count(),
        "reports_by_advisor": sorted(ActivityReport.objects.values_list("advisor_id", flat=True)),
        "contracts": list(Contract.objects.order_by("pk").values_list(
            "pk", "advisor_id", "structure_id", "status", "start", "end")),
        "users": User.objects.count(),
    }


@pytest.fixture
def upcoming(course, communes, alice):
    """A full upcoming session: Alice holds the only seat, Dora waits."""
    upcoming = site.session(course, communes["Beauvais"], days=20, capacity=1)
    Enrolment.objects.create(session=upcoming, user=alice, status=Enrolment.Status.CONFIRMED)
    dora = make.user(email="dora@example.fr")
    Enrolment.objects.create(session=upcoming, user=dora, status=Enrolment.Status.WAITLISTED,
                             waitlisted_at=timezone.now())
    return upcoming


def test_deleting_keeps_every_figure_and_leaves_no_trace_of_the_person(
        alice, bruno, past_session, upcoming):
    before = statistics(past_session)
    assert before["national"]["activity"]["totals"]["accompaniments"] >= 4  # counted
    assert before["national"]["academy"]["enrolments"] >= 3
    client = logged_in(alice)
    other_device = logged_in(alice)
    response = delete(client)
    assert response.status_code == 302 and response["Location"] == "/"
    assert statistics(past_session) == before

    for trace in [ALICE, "Zéphyrine", "uid-alice", "secret-Zéphyrine", "0612345678"]:
        assert rows_mentioning(trace) == [], trace
    # Bruno, who shared the session and the service point, is untouched.
    assert rows_mentioning("bruno.quillebeuf@ville-exemple.fr")
    assert User.objects.get(email="bruno.quillebeuf@ville-exemple.fr").is_active

    alice.refresh_from_db()
    assert alice.email == f"supprime-{alice.pk}@anonyme.invalid"
    assert (alice.first_name, alice.last_name) == ("Compte", "supprimé")
    assert not alice.is_active and not alice.has_usable_password()
    assert alice.last_login is None and not alice.groups.exists()
    for model in (EmailAddress, SocialAccount, Authenticator, CalendarToken, OfficialProfile):
        assert not model.objects.filter(user=alice).exists(), model
    assert not Mandate.objects.filter(profile__user=alice).exists()
    assert not Structure.objects.filter(managers=alice).exists()
    assert AccountErasure.objects.get(user=alice).reason == AccountErasure.Reason.REQUEST
    # Both browsers are signed out: the sessions are gone from the database.
    assert other_device.get("/espace/").status_code == 302
    assert not [s for s in DjangoSession.objects.all()
                if s.get_decoded().get("_auth_user_id") == str(alice.pk)]


def test_the_advisor_record_stays_for_the_structure_without_the_persons_identity(alice):
    advisor = Advisor.objects.get(user=alice)
    reports = ActivityReport.objects.filter(advisor=advisor).count()
    delete(logged_in(alice))
    advisor.refresh_from_db()
    assert advisor.user is None
    assert (advisor.first_name, advisor.last_name, advisor.phone) == ("Conseiller", "anonymisé", "")
    assert advisor.email == f"conseiller-{advisor.pk}@anonyme.invalid"
    assert advisor.contracts.count() == 1
    assert ActivityReport.objects.filter(advisor=advisor).count() == reports == 2
    assert not advisor.service_points.exists()


def test_the_structure_contact_is_left_to_fill_again(alice):
    structure = Structure.objects.get(contact_email=ALICE)
    delete(logged_in(alice))
    structure.refresh_from_db()
    assert structure.contact_email == f"contact-{structure.pk}@anonyme.invalid"
    assert (structure.contact_first_name, structure.contact_last_name) == (
        "Contact", "à renseigner")
    assert structure.contact_phone == ""


def test_an_upcoming_seat_goes_to_the_waiting_list(alice, upcoming):
    delete(logged_in(alice))
    statuses = dict(upcoming.enrolments.values_list("user__email", "status"))
    assert statuses[f"supprime-{alice.pk}@anonyme.invalid"] == Enrolment.Status.CANCELLED
    assert statuses["dora@example.fr"] == Enrolment.Status.CONFIRMED


def test_the_person_is_signed_out_and_cannot_log_in_again(alice):
    client = logged_in(alice)
    response = delete(client)
    page = client.get(response["Location"])
    assert "Votre compte est supprimé et vos données personnelles sont effacées." in (
        page.content.decode())
    assert client.get("/espace/").status_code == 302
    response = Client().post("/comptes/login/", {"login": ALICE, "password": PASSWORD})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in Client().session


def test_the_address_is_free_for_a_new_signup(alice, django_capture_on_commit_callbacks):
    delete(logged_in(alice))
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/comptes/signup/", {
            "first_name": "Alice", "last_name": "Nouvelle", "email": ALICE,
            "password1": "Un-autre-mot-de-passe-2027", "password2": "Un-autre-mot-de-passe-2027"})
    assert response.status_code == 302
    newcomer = User.objects.get(email=ALICE)
    assert newcomer.pk != alice.pk and newcomer.last_name == "Nouvelle"
    # The new account does not inherit the old advisor record (its address is gone).
    assert not Advisor.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("overrides, message", [
    ({"email": "quelquun@exemple.fr"}, "Cette adresse ne correspond pas à celle de votre compte."),
    ({"email": ""}, "Saisissez l&#x27;adresse électronique de votre compte."),
    ({"password": "pas-le-bon"}, "Mot de passe incorrect."),
    ({"password": ""}, "Saisissez votre mot de passe."),
    ({"understood": ""}, "Cochez la case pour confirmer la suppression."),
])
def test_a_wrong_confirmation_explains_in_french_and_erases_nothing(alice, overrides, message):
    response = delete(logged_in(alice), **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == ALICE and alice.is_active
    assert not AccountErasure.objects.exists()
    assert EmailAddress.objects.filter(user=alice).exists()


def test_an_account_without_password_confirms_with_its_address(communes):
    user = make.user(email="proconnect@collectivite.fr")  # opened through ProConnect
    client = logged_in(user)
    assert 'name="password"' not in client.get("/espace/donnees/supprimer/").content.decode()
    response = client.post("/espace/donnees/supprimer/", {
        "email": "PROCONNECT@collectivite.fr", "understood": "on"})
    assert response.status_code == 302
    assert AccountErasure.objects.filter(user=user).exists()


def test_deletion_needs_a_post_and_a_login(client, alice):
    assert client.post("/espace/donnees/supprimer/", {"email": ALICE}).status_code == 302
    assert logged_in(alice).get("/espace/donnees/supprimer/").status_code == 200
    alice.refresh_from_db()
    assert alice.is_active and not AccountErasure.objects.exists()


@pytest.mark.parametrize("role", [Role.ANCT_ADMIN, Role.ANCT_EDITOR, Role.PREFET])
def test_agents_cannot_delete_their_own_account(communes, role):
    user = make.user(email="agent@anct.gouv.fr", role=role)
    user.set_password(PASSWORD)
    user.save()
    client = logged_in(user)
    page = client.get("/espace/donnees/").content.decode()
    assert "La suppression n'est pas possible pour l'instant" in page
    assert 'href="/espace/donnees/supprimer/"' not in page
    response = client.post("/espace/donnees/supprimer/", {
        "email": "agent@anct.gouv.fr", "password": PASSWORD, "understood": "on"})
    assert response.status_code == 200
    assert not AccountErasure.objects.exists()
    with pytest.raises(services.ErasureRefused):
        services.erase_account(user)


def test_staff_cannot_delete_their_own_account(communes):
    user = site.staff_user(Role.ANCT_ADMIN)
    user.groups.clear()
    assert services.deletion_blockers(user)


def test_an_advisor_under_contract_cannot_delete_the_account(communes):
    user = make.user(email="conseillere@exemple.fr")
    contract = running_contract(communes, user)
    html = logged_in(user).get("/espace/donnees/supprimer/").content.decode()
    assert f"« {contract.structure.name} » est en cours" in html
    with pytest.raises(services.ErasureRefused):
        services.erase_account(user)
    assert Advisor.objects.get(user=user).email == contract.advisor.email


def test_erasure_is_all_or_nothing(alice):
    with mock.patch("privacy.services._anonymise_advisor", side_effect=RuntimeError("panne")):
        with pytest.raises(RuntimeError):
            services.erase_account(alice)
    alice.refresh_from_db()
    assert alice.email == ALICE and alice.is_active
    assert EmailAddress.objects.filter(user=alice).exists()
    assert OfficialProfile.objects.filter(user=alice).exists()
    assert Structure.objects.filter(contact_email=ALICE).exists()
    assert not AccountErasure.objects.exists()


def test_erasing_twice_changes_nothing_more(alice):
    first = services.erase_account(alice)
    assert services.erase_account(alice) == first
    assert AccountErasure.objects.count() == 1


def test_the_prefect_assignment_goes_with_the_account(communes):
    user = make.prefect(department=communes["Beauvais"].department, with_role=False)
    services.erase_account(user)
    assert not PrefectAssignment.objects.filter(user=user).exists()
