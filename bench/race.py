"""The enrolment race: ``--people`` logged-in élus press "S'inscrire" at once for
``--seats`` seats of a new session; then the statuses are read and everything the race
created is removed (its session, enrolments, queued emails).

``race(ports, …)`` takes one port or a list of ports: the requests alternate between
them (two instances of the platform on one database, bench/instances.py). The pieces are
shared with the second rush (bench/rush.py): the élus chosen, their logged-in cookies, one
POST, the clean-up."""

import json
import socket
import threading
import time
from urllib.parse import urlencode

from bench.pages import ACCOUNTS, login_session
from bench.server import FORWARDED

TARGET_RACE_RATE = 150  # enrolments per second (issue 21)


def as_ports(ports):
    """A list of ports from one port or several."""
    return [ports] if isinstance(ports, int) else list(ports)


def race_course():
    from academy.models import Audience, CoursePage

    return (CoursePage.objects.live().public().filter(audience=Audience.ELECTED_OFFICIALS)
            .order_by("path").first())


def new_session(course, seats, start, label):
    """A session of ``course`` with ``seats`` seats at ``start`` (7 hours), open for
    enrolments from yesterday until the day before."""
    from datetime import timedelta

    from django.utils import timezone

    from academy.models import Session

    now = timezone.now()
    return Session.objects.create(
        course=course, start=start, end=start + timedelta(hours=7),
        remote_url="https://webconf.example.invalid/banc-de-charge", capacity=seats,
        enrolment_opens=now - timedelta(days=1), enrolment_closes=start - timedelta(days=1),
        cancellation_deadline=start - timedelta(days=2), trainers=label,
        requires_approval=False,
    )


def enrolling_elus(course, sessions, people):
    """Seeded élus whose "S'inscrire" enrols at once: one mandate (with several, the button
    leads to a page asking which) and no active enrolment in this course or at the time of
    one of ``sessions`` (else the page shows that first). The seeded élu of the bench's
    pages is left out (his "Mon espace" is measured)."""
    from django.db.models import Count, Exists, OuterRef, Q

    from academy.models import Enrolment, OfficialProfile, Session
    from accounts.models import User

    overlap = Q(session__course_id=course.pk)
    for session in sessions:
        overlap |= Q(session__start__lt=session.end, session__end__gt=session.start)
    clashing = (Enrolment.objects.active()
                .filter(user=OuterRef("user_id"), session__status=Session.Status.SCHEDULED)
                .filter(overlap))
    chosen = (OfficialProfile.objects.annotate(mandates_count=Count("mandates"))
              .filter(mandates_count=1).filter(~Exists(clashing))
              .exclude(user__email=ACCOUNTS["elu"])
              .filter(user__is_active=True, user__is_staff=False)
              .order_by("user_id").values_list("user_id", flat=True)[:people])
    return list(User.objects.filter(pk__in=list(chosen)).order_by("pk"))


def entrants_for(users, login_keys):
    """Each person logged in (a database session), with a CSRF cookie and its token."""
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    entrants = []
    for user in users:
        csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
        cookie = f"{login_session(user, login_keys)}; {settings.CSRF_COOKIE_NAME}={csrf}"
        entrants.append({"email": user.email, "cookie": cookie, "csrf": csrf})
    return entrants


def race_fixture(people, seats, login_keys):
    """A new session with ``seats`` seats on a live course for elected officials, and
    ``people`` seeded élus who can enrol at once, each logged in."""
    from datetime import timedelta

    from django.utils import timezone

    course = race_course()
    session = new_session(course, seats, timezone.now() + timedelta(days=30),
                          "Banc de charge")
    entrants = entrants_for(enrolling_elus(course, [session], people), login_keys)
    return course, session, entrants


def classify(status, location):
    """"ok" for the redirect to "Mon espace" that follows an enrolment, else the error."""
    if status == 302 and (location or "").rstrip("/").endswith("/espace"):
        return "ok"
    if status == 302:
        return f"302 → {location}"
    return f"http {status}"


def press(port, path, entrant, referer_path, timeout=120):
    """One "S'inscrire" over a new connection, as a browser behind the TLS proxy would
    send it (the CSRF check compares Origin and Referer with the instance's own host).
    Returns (outcome, seconds).

    Written on a plain socket: with 200 threads at once, http.client's own Python took a
    quarter of one of the machine's two cores during the race, taken from the platform it
    measures."""
    origin = f"https://127.0.0.1:{port}"
    body = urlencode({"csrfmiddlewaretoken": entrant["csrf"]})
    headers = {"Host": f"127.0.0.1:{port}", **FORWARDED, "Cookie": entrant["cookie"],
               "Origin": origin, "Referer": f"{origin}{referer_path}",
               "Content-Type": "application/x-www-form-urlencoded",
               "Content-Length": str(len(body)), "Connection": "close"}
    request = (f"POST {path} HTTP/1.1\r\n"
               + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
               + f"\r\n{body}").encode("latin-1")
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(request)
            answer = bytearray()
            while chunk := connection.recv(65536):
                answer += chunk
        outcome = classify(*status_and_location(bytes(answer)))
    except Exception as error:  # noqa: BLE001 - socket errors, bad answers: counted, shown
        outcome = type(error).__name__
    return outcome, time.perf_counter() - started


def status_and_location(answer):
    """The status code and the Location header of a raw HTTP/1.1 answer."""
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    location = next((line.split(":", 1)[1].strip() for line in head[1:]
                     if line.lower().startswith("location:")), None)
    return status, location


def race(ports, people, seats, login_keys, kept=None):
    """``ports``: one port, or a list; request n goes to ports[n % len(ports)].

    What the race created is removed at the end, unless ``kept`` is a list: then the race's
    session and its people's addresses (lower case) are appended to it, for the caller to
    look at (bench/instances.py counts the emails delivered) and remove."""
    from collections import Counter

    from academy.models import Enrolment
    from accounts.models import OutgoingEmail

    ports = as_ports(ports)
    course, session, entrants = race_fixture(people, seats, login_keys)
    last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    path = f"/inscriptions/sessions/{session.pk}/"
    outcomes = [None] * len(entrants)
    barrier = threading.Barrier(len(entrants) + 1)

    def one(index, entrant):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            outcomes[index] = "BrokenBarrierError"
            return
        outcomes[index] = press(ports[index % len(ports)], path, entrant, course.url)[0]

    threads = [threading.Thread(target=one, args=(i, e)) for i, e in enumerate(entrants)]
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
        errors = [str(o) for o in outcomes if o != "ok"]  # None: the thread died
        return {
            "people": len(entrants), "seats": seats, "course": course.title,
            "ports": ports,
            "requests_per_port": {str(port): n for port, n in sorted(Counter(
                ports[index % len(ports)] for index in range(len(entrants))).items())},
            "confirmed": statuses[Enrolment.Status.CONFIRMED],
            "waitlisted": statuses[Enrolment.Status.WAITLISTED],
            "pending": statuses[Enrolment.Status.PENDING],
            "errors": len(errors), "error_kinds": sorted(set(errors)),
            "seconds": elapsed, "enrolments_per_second": len(entrants) / elapsed,
        }
    finally:
        if kept is None:
            remove_sessions([session], {e["email"] for e in entrants}, last_email)
        else:
            kept += [session, {e["email"].lower() for e in entrants}]


def races(ports, people, seats, login_keys, repeat=1):
    """``repeat`` races, one after the other, as the pages are measured (``--repeat``): every
    one must give each seat once and no error; the throughput kept is the best of them (the
    machine's speed varies from one second to the next), and all of them are printed. A
    race that broke a rule is the one returned, so that the verdict shows it."""
    results = [race(ports, people, seats, login_keys) for _ in range(max(1, repeat))]
    rates = [round(r["enrolments_per_second"], 1) for r in results]
    wrong = [r for r in results if not race_met(r, people, seats, rate=0)]
    chosen = wrong[0] if wrong else max(results, key=lambda r: r["enrolments_per_second"])
    return {**chosen, "rates": rates, "runs": len(results)}


def remove_sessions(sessions, emails, last_email):
    """Removes what a race or rush created: the emails queued for ``emails`` since the
    outbox row ``last_email`` (rows and their deliveries waiting in the broker), the
    sessions' enrolments and the sessions."""
    from academy.models import Enrolment
    from accounts.models import OutgoingEmail

    queued = [pk for pk, to in OutgoingEmail.objects.filter(pk__gt=last_email)
              .values_list("pk", "to") if set(to) & emails]
    OutgoingEmail.objects.filter(pk__in=queued).delete()
    forget_queued_emails(queued)
    Enrolment.objects.filter(session__in=sessions).delete()
    for session in sessions:
        session.delete()


def email_task_matcher(outgoing_ids):
    """A test of the Redis broker's raw messages: whether one delivers one of these outbox
    emails."""
    wanted = {f"[{i}]" for i in outgoing_ids} | {f"({i},)" for i in outgoing_ids}

    def matches(raw_message):
        try:
            headers = json.loads(raw_message)["headers"]
        except (ValueError, KeyError, TypeError):
            return False
        return (headers.get("task") == "accounts.tasks.send_email"
                and headers.get("argsrepr") in wanted)

    return matches


def is_email_task_for(raw_message, outgoing_ids):
    """Whether a message of the Redis broker's queue delivers one of these outbox emails."""
    return email_task_matcher(outgoing_ids)(raw_message)


def forget_queued_emails(outgoing_ids):
    """Takes the race's email deliveries out of the broker's queue (no worker runs during
    the bench, and their outbox rows are deleted)."""
    import redis
    from django.conf import settings

    if not outgoing_ids or not settings.CELERY_BROKER_URL.startswith("redis"):
        return 0
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    matches = email_task_matcher(outgoing_ids)
    return sum(client.lrem(queue, 1, raw) for raw in client.lrange(queue, 0, -1)
               if matches(raw))


def race_line(result, met):
    errors = result["errors"]
    return (f"Course : {result['people']} inscriptions simultanées pour {result['seats']} "
            f"places → confirmées {result['confirmed']}, liste d'attente "
            f"{result['waitlisted']}, erreurs {errors}"
            f"{' ' + ', '.join(result['error_kinds']) if errors else ''} ; "
            f"{result['seconds']:.2f} s, {result['enrolments_per_second']:.0f} inscriptions/s "
            f"(cible ≥ {TARGET_RACE_RATE}){each_run(result)} {'✓' if met else '✗'}")


def each_run(result):
    rates = result.get("rates") or []
    if len(rates) < 2:
        return ""
    return (f" ; meilleure de {len(rates)} courses : "
            + ", ".join(f"{rate:.0f}" for rate in rates) + " inscriptions/s")


def race_met(result, people, seats, rate=TARGET_RACE_RATE):
    """Every seat taken once, everyone else on the waiting list, no error, and at least
    ``rate`` enrolments a second (issue 21)."""
    return (result["confirmed"] == seats and result["waitlisted"] == people - seats
            and result["errors"] == 0 and result["enrolments_per_second"] >= rate)
