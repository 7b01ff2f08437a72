"""The enrolment race: ``--people`` logged-in élus press "S'inscrire" at once for
``--seats`` seats of a new session; then the statuses are read and everything the race
created is removed (its session, enrolments, queued emails)."""

import http.client
import json
import threading
import time
from urllib.parse import urlencode

from bench.pages import ACCOUNTS, login_session
from bench.server import FORWARDED


def race_fixture(people, seats, login_keys):
    """A new session with ``seats`` seats on a live course for elected officials, and
    ``people`` seeded élus with a mandate, each logged in, with a CSRF cookie and token."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Exists, OuterRef
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from academy.models import Audience, CoursePage, Mandate, OfficialProfile, Session
    from accounts.models import User

    course = (CoursePage.objects.live().public().filter(audience=Audience.ELECTED_OFFICIALS)
              .order_by("path").first())
    now = timezone.now()
    session = Session.objects.create(
        course=course, start=now + timedelta(days=30), end=now + timedelta(days=30, hours=7),
        remote_url="https://webconf.example.invalid/banc-de-charge", capacity=seats,
        enrolment_opens=now - timedelta(days=1), enrolment_closes=now + timedelta(days=29),
        cancellation_deadline=now + timedelta(days=28), trainers="Banc de charge",
        requires_approval=False,
    )
    with_mandate = (OfficialProfile.objects
                    .filter(Exists(Mandate.objects.filter(profile=OuterRef("pk"))))
                    .exclude(user__email=ACCOUNTS["elu"])
                    .filter(user__is_active=True, user__is_staff=False)
                    .order_by("user_id").values_list("user_id", flat=True)[:people])
    users = list(User.objects.filter(pk__in=list(with_mandate)).order_by("pk"))
    entrants = []
    for user in users:
        csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
        cookie = f"{login_session(user, login_keys)}; {settings.CSRF_COOKIE_NAME}={csrf}"
        entrants.append({"email": user.email, "cookie": cookie, "csrf": csrf})
    return course, session, entrants


def classify(status, location):
    """"ok" for the redirect to "Mon espace" that follows an enrolment, else the error."""
    if status == 302 and (location or "").rstrip("/").endswith("/espace"):
        return "ok"
    if status == 302:
        return f"302 → {location}"
    return f"http {status}"


def race(port, people, seats, login_keys):
    from academy.models import Enrolment
    from accounts.models import OutgoingEmail

    course, session, entrants = race_fixture(people, seats, login_keys)
    last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    path = f"/inscriptions/sessions/{session.pk}/"
    origin = f"https://127.0.0.1:{port}"
    outcomes = [None] * len(entrants)
    barrier = threading.Barrier(len(entrants) + 1)

    def press(index, entrant):
        body = urlencode({"csrfmiddlewaretoken": entrant["csrf"]})
        headers = {**FORWARDED, "Cookie": entrant["cookie"], "Origin": origin,
                   "Referer": f"{origin}{course.url}",
                   "Content-Type": "application/x-www-form-urlencoded"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        barrier.wait()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            outcomes[index] = classify(response.status, response.getheader("Location"))
        except (OSError, http.client.HTTPException) as error:
            outcomes[index] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i, e)) for i, e in enumerate(entrants)]
    try:
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        statuses = {status: session.enrolments.filter(status=status).count()
                    for status in (Enrolment.Status.CONFIRMED, Enrolment.Status.WAITLISTED,
                                   Enrolment.Status.PENDING)}
        errors = [o for o in outcomes if o != "ok"]
        return {
            "people": len(entrants), "seats": seats, "course": course.title,
            "confirmed": statuses[Enrolment.Status.CONFIRMED],
            "waitlisted": statuses[Enrolment.Status.WAITLISTED],
            "pending": statuses[Enrolment.Status.PENDING],
            "errors": len(errors), "error_kinds": sorted(set(errors)),
            "seconds": elapsed, "enrolments_per_second": len(entrants) / elapsed,
        }
    finally:
        emails = {e["email"] for e in entrants}
        queued = [o.pk for o in OutgoingEmail.objects.filter(pk__gt=last_email)
                  if set(o.to) & emails]
        OutgoingEmail.objects.filter(pk__in=queued).delete()
        forget_queued_emails(queued)
        Enrolment.objects.filter(session=session).delete()
        session.delete()


def is_email_task_for(raw_message, outgoing_ids):
    """Whether a message of the Redis broker's queue delivers one of these outbox emails."""
    try:
        headers = json.loads(raw_message)["headers"]
    except (ValueError, KeyError, TypeError):
        return False
    wanted = {f"[{i}]" for i in outgoing_ids} | {f"({i},)" for i in outgoing_ids}
    return (headers.get("task") == "accounts.tasks.send_email"
            and headers.get("argsrepr") in wanted)


def forget_queued_emails(outgoing_ids):
    """Takes the race's email deliveries out of the broker's queue (no worker runs during
    the bench, and their outbox rows are deleted)."""
    import redis
    from django.conf import settings

    if not outgoing_ids or not settings.CELERY_BROKER_URL.startswith("redis"):
        return 0
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    return sum(client.lrem(queue, 1, raw) for raw in client.lrange(queue, 0, -1)
               if is_email_task_for(raw, outgoing_ids))


def race_line(result, met):
    errors = result["errors"]
    return (f"Course : {result['people']} inscriptions simultanées pour {result['seats']} "
            f"places → confirmées {result['confirmed']}, liste d'attente "
            f"{result['waitlisted']}, erreurs {errors}"
            f"{' ' + ', '.join(result['error_kinds']) if errors else ''} ; "
            f"{result['seconds']:.2f} s, {result['enrolments_per_second']:.0f} inscriptions/s "
            f"{'✓' if met else '✗'}")


def race_met(result, people, seats):
    return (result["confirmed"] == seats and result["waitlisted"] == people - seats
            and result["errors"] == 0)
