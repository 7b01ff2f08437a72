"""The privacy messages give their days the French way, in Europe/Paris."""

from datetime import UTC, datetime

import pytest

from accounts.models import User
from privacy.emails import inactivity_warning

pytestmark = pytest.mark.django_db


def test_the_warning_gives_the_first_of_the_month_as_1er_in_paris_time(
        mailoutbox, django_capture_on_commit_callbacks):
    user = User.objects.create_user(email="aline@exemple.fr", password="Mot-de-passe-2026!")
    user.last_activity = datetime(2023, 2, 28, 23, 30, tzinfo=UTC)  # 1 March in Paris
    # Sent on 1 March at 23:30 UTC: 30 days later is 31 March 22:30 UTC, 1 April 0:30 in Paris.
    with django_capture_on_commit_callbacks(execute=True):
        inactivity_warning(user, sent_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC))
    body = mailoutbox[0].body
    assert "à partir du 1er avril 2026" in body
    assert "31 mars" not in body and "1 avril" not in body
    assert "1er mars 2023" in body
