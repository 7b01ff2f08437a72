from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import User
from accounts.roles import Role
from privacy.models import AccountErasure, InactivityWarning
from privacy.tasks import purge_inactive_accounts
from tests.advisors import factories as make

from .conftest import running_contract

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 3, 40, tzinfo=UTC)  # a first-of-the-month run
THREE_YEARS = timedelta(days=3 * 365)


@contextmanager
def clock(now):
    with mock.patch("django.utils.timezone.now", return_value=now):
        yield


@pytest.fixture
def purge(django_capture_on_commit_callbacks):
    """Runs the monthly job at a fixed time, emails included; returns its counts."""

    def run(now):
        with clock(now), django_capture_on_commit_callbacks(execute=True):
            return purge_inactive_accounts()

    return run


def account(email, *, last_login, joined=None, role=None):
    user = make.user(email=email, role=role)
    User.objects.filter(pk=user.pk).update(
        last_login=last_login, date_joined=joined or (last_login or T0) - timedelta(days=1))
    user.refresh_from_db()
    return user


@pytest.fixture
def people(communes):
    advisor = account("conseiller@exemple.fr", last_login=T0 - THREE_YEARS * 2)
    running_contract(communes, advisor)
    return {
        "soon": account("bientot@exemple.fr", last_login=T0 - THREE_YEARS + timedelta(days=29)),
        "later": account("plus-tard@exemple.fr",
                         last_login=T0 - THREE_YEARS + timedelta(days=31)),
        "never": account("jamais@exemple.fr", last_login=None, joined=T0 - THREE_YEARS * 2),
        "recent": account("recent@exemple.fr", last_login=T0 - timedelta(days=10)),
        "prefect": account("prefet@interieur.gouv.fr", last_login=T0 - THREE_YEARS * 2,
                           role=Role.PREFET),
        "advisor": advisor,
    }


def warned():
    return set(InactivityWarning.objects.values_list("user__email", flat=True))


def test_accounts_nearing_three_years_are_warned_once(purge, people):
    assert purge(T0)["warned"] == 3
    assert warned() == {"bientot@exemple.fr", "jamais@exemple.fr", "prefet@interieur.gouv.fr"}
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == warned()
    soon = by_recipient["bientot@exemple.fr"]
    assert soon.subject.endswith("Votre compte sera supprimé faute de connexion")
    assert "sera supprimé à partir du 1er avril 2026" in soon.body
    assert "/comptes/login/" in soon.body and "/espace/donnees/" in soon.body
    assert "jamais connecté" in by_recipient["jamais@exemple.fr"].body
    assert "sera désactivé" in by_recipient["prefet@interieur.gouv.fr"].body

    # The same day again (a retried beat, a second worker): no second message.
    assert purge(T0 + timedelta(hours=2))["warned"] == 0
    assert len(mail.outbox) == 3


def test_accounts_still_inactive_30_days_after_the_warning_are_erased(purge, people):
    purge(T0)
    assert purge(T0 + timedelta(days=29))["erased"] == 0
    counts = purge(T0 + timedelta(days=30))
    assert counts["erased"] == 2 and counts["deactivated"] == 1
    erased = AccountErasure.objects.filter(reason=AccountErasure.Reason.INACTIVITY)
    assert {e.user_id for e in erased} == {people["soon"].pk, people["never"].pk}
    soon = User.objects.get(pk=people["soon"].pk)
    assert soon.email == f"supprime-{soon.pk}@anonyme.invalid" and not soon.is_active
    # The préfet's account is deactivated, not erased: their opinions stay attributed.
    prefect = User.objects.get(pk=people["prefect"].pk)
    assert not prefect.is_active and prefect.email == "prefet@interieur.gouv.fr"
    # The others are untouched.
    for key in ("later", "recent", "advisor"):
        assert User.objects.get(pk=people[key].pk).is_active, key

    # Re-running erases nothing twice and deactivates nobody twice.
    again = purge(T0 + timedelta(days=30, hours=1))
    assert again["erased"] == again["deactivated"] == 0
    assert AccountErasure.objects.count() == 2


def test_logging_in_after_the_warning_cancels_it(purge, people):
    purge(T0)
    User.objects.filter(pk=people["soon"].pk).update(last_login=T0 + timedelta(days=5))
    counts = purge(T0 + timedelta(days=30))
    assert counts["cancelled"] == 1
    soon = User.objects.get(pk=people["soon"].pk)
    assert soon.is_active and soon.email == "bientot@exemple.fr"
    assert not AccountErasure.objects.filter(user=soon).exists()
    assert "bientot@exemple.fr" not in warned()


def test_the_next_account_in_line_is_warned_the_next_month(purge, people):
    purge(T0)
    purge(T0 + timedelta(days=30))
    assert "plus-tard@exemple.fr" in warned()


def test_an_advisor_under_contract_is_never_warned_nor_erased(purge, people):
    purge(T0)
    purge(T0 + timedelta(days=30))
    advisor = User.objects.get(pk=people["advisor"].pk)
    assert advisor.is_active and "conseiller@exemple.fr" not in warned()
    assert not AccountErasure.objects.filter(user=advisor).exists()


def test_the_job_runs_monthly_from_beat():
    from config.celery import app

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "privacy.tasks.purge_inactive_accounts")
    assert entry["schedule"].day_of_month == {1}
    app.loader.import_default_modules()
    assert "privacy.tasks.purge_inactive_accounts" in app.tasks
