"""Redis stopped: the site answers, enrolments are saved, and their emails leave once Redis
is back — over HTTP (a live server), with the platform's fail-soft Redis cache and Celery's
Redis broker on a redis-server of the test's own, a real worker and PostgreSQL."""

import logging
import time
from datetime import date, timedelta

import pytest
import requests
from allauth.account.models import EmailAddress
from django.utils import timezone

from academy.models import Enrolment, Mandate, OfficialProfile
from accounts import outbox
from accounts.models import OutgoingEmail, User
from accounts.tasks import flush_outbox
from core import cache_versions
from tests import factories as make
from tests.celery_worker import CeleryWorker, publishing_to
from tests.reliability.servers import RedisServer

PASSWORD = "Mot-de-passe-solide-2026"
ELUS = 10
Status = OutgoingEmail.Status


def csrf_post(http, url, data):
    token = http.cookies.get("csrftoken")
    return http.post(url, {**data, "csrfmiddlewaretoken": token}, timeout=30)


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_ten_elus_enrol_every_page_answers_and_each_email_leaves_once(
        settings, live_server, tmp_path, worker_database_url, caplog):
    caplog.set_level(logging.WARNING)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    redis = RedisServer(tmp_path).start()
    settings.CACHES = {"default": {"BACKEND": "config.cache.FailSoftRedisCache",
                                   "LOCATION": redis.url(0),
                                   "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    cache_versions.forget_local_versions()
    make.ensure_site()
    communes = make.geography()
    course = make.course("Gérer une crise")
    session = make.session(course, communes["Beauvais"], capacity=30)
    elus = []
    for n in range(ELUS):
        user = User.objects.create_user(email=f"maire{n}@commune.fr", password=PASSWORD,
                                        first_name="Anne", last_name=f"Maire{n}")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        profile = OfficialProfile.objects.create(user=user)
        Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                               started_on=date(2020, 7, 1))
        elus.append(user)
    base = live_server.url
    public_pages = ["/", course.get_parent().url, course.url, "/comptes/login/",
                    "/conseillers/", "/api/v1/lieux", "/api/v1/sessions"]

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = CeleryWorker(mail_dir, worker_database_url, broker=redis.url(1))
    with publishing_to(worker.broker, worker.queue):
        worker.start()
        try:
            for path in public_pages:  # Redis up: pages kept in the cache, as in production
                assert requests.get(base + path, timeout=30).status_code == 200

            redis.stop()
            outage_started = time.monotonic()
            slowest = 0.0
            for user in elus:
                http = requests.Session()
                for path in public_pages:
                    response, elapsed = timed(lambda p=path, h=http: h.get(base + p, timeout=30))
                    assert response.status_code == 200, (path, response.status_code)
                    slowest = max(slowest, elapsed)
                response, elapsed = timed(lambda u=user, h=http: csrf_post(
                    h, f"{base}/comptes/login/", {"login": u.email, "password": PASSWORD}))
                assert response.status_code == 200 and response.url == f"{base}/espace/"
                slowest = max(slowest, elapsed)
                response, elapsed = timed(lambda h=http: csrf_post(
                    h, f"{base}/inscriptions/sessions/{session.pk}/", {}))
                assert response.status_code == 200
                assert "est confirmée" in response.text
                slowest = max(slowest, elapsed)
                mon_espace = http.get(f"{base}/espace/", timeout=30)
                assert mon_espace.status_code == 200 and "Gérer une crise" in mon_espace.text

            saved = Enrolment.objects.filter(session=session,
                                             status=Enrolment.Status.CONFIRMED).count()
            waiting = OutgoingEmail.objects.filter(status=Status.PENDING, attempts=0).count()
            assert (saved, waiting) == (ELUS, ELUS)
            assert slowest < 10, f"a page waited {slowest:.1f} s for Redis"
            # One warning a minute, not one per request (hundreds of cache operations).
            minutes = (time.monotonic() - outage_started) // 60
            cache_warnings = [r for r in caplog.records if r.name == "config.cache"]
            assert 1 <= len(cache_warnings) <= 1 + minutes, [
                r.getMessage() for r in cache_warnings]
            assert worker.mails() == []

            redis.start()  # Redis is back, empty; the worker reconnects by itself
            # A minute later, the beat's flush hands the kept messages to the worker.
            OutgoingEmail.objects.update(
                updated_at=timezone.now() - outbox.FRESH_AFTER - timedelta(seconds=1))
            assert flush_outbox() == ELUS
            # The worker reconnects with its own backoff; any message it could not take yet
            # is handed over again by the next minute's flush, as beat does in production
            # (the clock moved on by hand). Each still arrives once.
            deadline = time.monotonic() + 240
            mails = worker.wait_for_mails(ELUS, timeout=60)
            while len(mails) < ELUS and time.monotonic() < deadline:
                OutgoingEmail.objects.exclude(status=Status.SENT).update(
                    updated_at=timezone.now() - outbox.FRESH_AFTER - timedelta(seconds=1),
                    next_attempt_at=timezone.now() - timedelta(seconds=1))
                flush_outbox()
                mails = worker.wait_for_mails(ELUS, timeout=30)
            assert len(mails) == ELUS, (
                list(OutgoingEmail.objects.values_list("id", "status", "attempts", "last_error")),
                worker.log_path.read_text()[-3000:])
            time.sleep(2)
            assert flush_outbox() == 0
            mails = worker.mails()
        finally:
            worker.stop()
            redis.stop()
    recipients = sorted(line for mail in mails for line in mail.splitlines()
                        if line.startswith("To: "))
    assert recipients == sorted(f"To: {user.email}" for user in elus)  # each one, once
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == ELUS
