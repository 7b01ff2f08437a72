"""The second rush (issue 21): the opening of a popular course. ``people`` logged-in élus
(2,000) arrive over ``seconds`` (20 s: 100 a second, evenly spaced) and each presses
"S'inscrire" for one of ``sessions`` new sessions of ``seats`` seats (5 × 30), in turn;
requests alternate between the instances' ports when there are several.

Target: no error (every answer the redirect to "Mon espace" that follows an enrolment: no
5xx, no refused or dropped connection), p95 < 500 ms counted from each person's arrival
(so a client late to send counts against it, not for it), and the rules: exactly
``seats`` confirmed in each session, everyone else on its waiting list, nobody pending
(the sessions do not ask for approval). Everything created is removed afterwards (the
sessions, their enrolments, the queued emails; the login sessions with the run's)."""

import threading
import time

from bench.race import (
    as_ports,
    enrolling_elus,
    entrants_for,
    new_session,
    press,
    race_course,
    remove_sessions,
)
from bench.report import percentile

TARGET_P95_MS = 500.0


def rush(ports, people=2000, sessions=5, seats=30, seconds=20.0, login_keys=None,
         clients=400):
    """Runs the rush against ``ports`` (one port or a list) and returns its figures. The
    login sessions it opens are added to ``login_keys`` (removed by the caller), or removed
    here when it is not given."""
    from datetime import timedelta

    from django.utils import timezone

    from academy.models import Enrolment
    from accounts.models import OutgoingEmail
    from bench.pages import delete_sessions

    ports = as_ports(ports)
    keys = [] if login_keys is None else login_keys
    last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    course, created, entrants = race_course(), [], []
    try:
        first = timezone.now() + timedelta(days=45)
        for n in range(sessions):
            created.append(new_session(course, seats, first + timedelta(days=n),
                                       "Banc de charge (ruée)"))
        entrants = entrants_for(enrolling_elus(course, created, people), keys)
        paths = [f"/inscriptions/sessions/{session.pk}/" for session in created]
        count = len(entrants)
        spacing = seconds / count if count else 0
        outcomes, latencies, late = [None] * count, [None] * count, [0.0] * count
        following = iter(range(count))
        lock = threading.Lock()
        go, start = threading.Event(), [0.0]

        def client():
            go.wait()  # every client thread started first
            while True:
                with lock:
                    index = next(following, None)
                if index is None:
                    return
                arrival = start[0] + index * spacing
                wait = arrival - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                late[index] = max(0.0, time.perf_counter() - arrival)
                outcome, took = press(ports[index % len(ports)],
                                      paths[index % len(paths)], entrants[index], course.url)
                outcomes[index] = outcome
                latencies[index] = late[index] + took

        threads = [threading.Thread(target=client) for _ in range(min(clients, count))]
        for thread in threads:
            thread.start()
        start[0] = time.perf_counter()
        go.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start[0]
        by_session = []
        for session in created:
            statuses = dict.fromkeys(Enrolment.Status.values, 0)
            for status in session.enrolments.values_list("status", flat=True):
                statuses[status] += 1
            by_session.append(statuses)
        errors = [str(o) for o in outcomes if o != "ok"]  # None: never sent
        done = [x for x in latencies if x is not None]
        return {
            "people": count, "sessions": len(created), "seats": seats, "seconds": seconds,
            "arrivals_per_second": count / seconds if seconds else None, "ports": ports,
            "course": course.title,
            "confirmed": sum(s[Enrolment.Status.CONFIRMED] for s in by_session),
            "confirmed_per_session": [s[Enrolment.Status.CONFIRMED] for s in by_session],
            "waitlisted": sum(s[Enrolment.Status.WAITLISTED] for s in by_session),
            "pending": sum(s[Enrolment.Status.PENDING] for s in by_session),
            "errors": len(errors), "error_kinds": sorted(set(errors)),
            "p50_ms": percentile(done, 0.50) * 1000 if done else None,
            "p95_ms": percentile(done, 0.95) * 1000 if done else None,
            "max_ms": max(done) * 1000 if done else None,
            "client_late_max_ms": max(late, default=0) * 1000,
            "elapsed_s": elapsed, "enrolments_per_second": count / elapsed if elapsed else None,
        }
    finally:
        remove_sessions(created, {e["email"] for e in entrants}, last_email)
        if login_keys is None:
            delete_sessions(keys)


def rush_met(result):
    people, sessions, seats = result["people"], result["sessions"], result["seats"]
    return (result["errors"] == 0 and result["p95_ms"] is not None
            and result["p95_ms"] < TARGET_P95_MS
            and result["confirmed_per_session"] == [seats] * sessions
            and result["waitlisted"] == people - sessions * seats
            and result["pending"] == 0)


def rush_line(result, met):
    errors = result["errors"]
    p95 = result["p95_ms"]
    return (f"Ruée : {result['people']} élus en {result['seconds']:g} s pour "
            f"{result['sessions']} sessions × {result['seats']} places → confirmées "
            f"{result['confirmed']} ({'/'.join(map(str, result['confirmed_per_session']))}), "
            f"liste d'attente {result['waitlisted']}, en attente de validation "
            f"{result['pending']}, erreurs {errors}"
            f"{' ' + ', '.join(result['error_kinds']) if errors else ''} ; p50 "
            f"{result['p50_ms'] or 0:.0f} ms, p95 {p95 or 0:.0f} ms (cible < "
            f"{TARGET_P95_MS:.0f}), max {result['max_ms'] or 0:.0f} ms, "
            f"{result['enrolments_per_second'] or 0:.0f} inscriptions/s "
            f"{'✓' if met else '✗'}")
