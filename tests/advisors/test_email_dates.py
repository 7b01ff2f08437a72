"""The advisors programme's messages give their days the French way, in Europe/Paris."""

from datetime import UTC, date, datetime

import pytest

from advisors import emails
from advisors.models import Application, PrefectAssignment

from . import factories as make

pytestmark = pytest.mark.django_db


def test_the_digest_dates_an_application_filed_after_midnight_in_paris_1er(
        communes, mailoutbox, django_capture_on_commit_callbacks):
    prefect = make.prefect(department=communes["Beauvais"].department)
    application = make.application(make.structure(communes["Beauvais"], name="Mairie"))
    # 31 March 22:30 UTC is 1 April 0:30 in Paris (summer time).
    Application.objects.filter(pk=application.pk).update(
        created_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        emails.prefect_digest(PrefectAssignment.objects.get(user=prefect), [application])
    body = mailoutbox[0].body
    assert "candidature déposée le 1er avril 2026" in body
    assert "31 mars" not in body


def test_a_contract_decision_gives_its_start_as_1er(
        communes, mailoutbox, django_capture_on_commit_callbacks):
    structure = make.validated_structure(communes["Beauvais"], posts=2,
                                         manager=make.user(email="gerante@mairie.example.fr"))
    contract = make.contract(structure, make.advisor(), start=date(2026, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):
        emails.contract_decided(contract)
    assert "à partir du 1er décembre 2026)" in mailoutbox[0].body
