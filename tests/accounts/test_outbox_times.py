"""The outbox back office shows its times in Europe/Paris, the French way."""

from datetime import UTC, datetime

import pytest

from accounts.models import OutgoingEmail
from accounts.roles import Role
from tests import factories as make

pytestmark = pytest.mark.django_db


def test_a_message_queued_at_23_30_utc_is_dated_the_next_day_at_0_h_30_in_paris(client):
    outgoing = OutgoingEmail.objects.create(subject="Rappel de session", to=["elu@example.fr"],
                                            text="Texte", status=OutgoingEmail.Status.SENT)
    # 30 November 23:30 UTC is 1 December 0:30 in Paris (winter time).
    OutgoingEmail.objects.filter(pk=outgoing.pk).update(
        created_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
        sent_at=datetime(2026, 11, 30, 23, 31, tzinfo=UTC))
    client.force_login(make.staff_user(Role.ANCT_ADMIN))

    listing = client.get("/admin/outgoing_emails/").content.decode()
    assert "1er décembre 2026 à\u00a00\u00a0h\u00a030" in listing
    inspect = client.get(f"/admin/outgoing_emails/inspect/{outgoing.pk}/").content.decode()
    assert "1er décembre 2026 à\u00a00\u00a0h\u00a030" in inspect
    assert "1er décembre 2026 à\u00a00\u00a0h\u00a031" in inspect
    assert "30 novembre" not in inspect and "23:30" not in inspect
