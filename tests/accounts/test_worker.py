"""A real Celery worker, on the real Redis broker, sends the email a request queued."""

import pytest

from accounts.models import OutgoingEmail, User
from tests.celery_worker import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_password_reset_email_is_sent_by_a_real_worker_after_commit(client, celery_worker):
    User.objects.create_user(email="maire@commune.fr", password="x", first_name="Anne",
                             last_name="Maire")
    response = client.post("/comptes/password/reset/", {"email": "maire@commune.fr"})
    assert response.status_code == 302

    mails = celery_worker.wait_for_mails(1)
    assert mails, "the worker did not send the email within 30 s"
    assert "To: maire@commune.fr" in mails[0]
    assert "/comptes/password/reset/key/" in mails[0]
    assert wait_until(lambda: OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT)
