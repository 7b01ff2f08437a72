"""Two instances of the platform on one PostgreSQL and one Redis, as when it is scaled out:
two gunicorn instances (separate processes, two ports) and two Celery workers (real
workers on a Redis broker, production settings), an SMTP sink in this process. Checks:

(a) the enrolment race, its requests alternating between the two instances: 20 confirmed,
    180 on the waiting list, 0 errors;
(b) a course page published again with a new title (a Wagtail revision published by this
    process, a third one on the same settings, as the admin's "Publier" does) is shown by
    instance 2's anonymous page within 1 s: the delay is measured (several rounds);
(c) every email is delivered exactly once whichever worker takes it: the race's
    confirmations, and one message whose delivery task is queued three times; messages
    reaching the SMTP sink are counted per Message-ID and per recipient.

Prints a ✓/✗ line for each, then the figures as JSON (``bench/results/instances-<date>.json``).
Everything created is removed (the race's session, enrolments, login sessions and emails,
the course's revisions; its title is published back as it was).

Usage: ``.venv/bin/python bench/instances.py [--database-url postgres://…/anct_national]
[--ports 8201,8202] [--redis-url redis://127.0.0.1:6379/12]
[--broker-url redis://127.0.0.1:6379/11]``, or ``bench/run.py --two-instances``.
"""

import argparse
import email
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.race import race as bench_race  # noqa: E402
from bench.server import (  # noqa: E402
    BENCH,
    ROOT,
    bench_env,
    collectstatic,
    http_get,
    start_gunicorn,
    wait_for,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/anct_national"
PUBLISH_TARGET_SECONDS = 1.0
TITLE_MARK = " [deux instances]"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_DATABASE))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12",
                        help="the cache shared by both instances")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/11",
                        help="Celery's broker shared by both workers")
    parser.add_argument("--ports", default="8201,8202")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes each")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3,
                        help="title changes published (each then published back)")
    parser.add_argument("--no-collectstatic", action="store_true")
    parser.add_argument("--static-root", type=Path,
                        default=Path(tempfile.gettempdir()) / "anct-bench-static")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--secret-key", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.secret_key = args.secret_key or secrets.token_urlsafe(50)
    args.ports = [int(port) for port in args.ports.split(",")]
    if len(args.ports) != 2:
        parser.error("--ports: two ports")
    return args


# --- Pure parts (tests/bench/test_instances.py) ---------------------------------------------

def alternate(items, ports):
    """[(port, item)]: the items dealt to the ports in turn."""
    return [(ports[index % len(ports)], item) for index, item in enumerate(items)]


def delivery_counts(messages, outbox_ids_by_message_id):
    """From the messages the sink received ({"message_id", "to"}) and the outbox rows
    expected ({Message-ID: outbox id}): {"expected", "received", "duplicates", "missing",
    "per_recipient_max"}: duplicates are Message-IDs received more than once."""
    by_id = Counter(message["message_id"] for message in messages
                    if message["message_id"] in outbox_ids_by_message_id)
    per_recipient = Counter(address for message in messages
                            if message["message_id"] in outbox_ids_by_message_id
                            for address in message["to"])
    return {
        "expected": len(outbox_ids_by_message_id),
        "received": sum(by_id.values()),
        "duplicates": sorted(k for k, n in by_id.items() if n > 1),
        "missing": sorted(outbox_ids_by_message_id[k] for k in outbox_ids_by_message_id
                          if k not in by_id),
        "per_recipient_max": max(per_recipient.values(), default=0),
    }


def check_line(label, met, detail):
    return f"{'✓' if met else '✗'} {label} : {detail}"


def publish_met(delays, target=PUBLISH_TARGET_SECONDS):
    return bool(delays) and all(d is not None and d <= target for d in delays)


def race_met(result, people, seats):
    return (result["confirmed"] == seats and result["waitlisted"] == people - seats
            and result["errors"] == 0)


# --- The SMTP sink --------------------------------------------------------------------------

class Sink:
    """An SMTP server on this machine recording every message it is given."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        parsed = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append({"message_id": (parsed["Message-ID"] or "").strip(),
                                  "to": [address.lower() for address in envelope.rcpt_tos],
                                  "subject": str(parsed["Subject"] or "")})
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        from bench.server import free_port

        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        return self.controller.port

    def stop(self):
        if self.controller is not None:
            self.controller.stop()

    def received(self):
        with self.lock:
            return list(self.messages)


# --- Processes ------------------------------------------------------------------------------

def start_worker(env, name, concurrency, log_path):
    log = open(log_path, "ab")  # noqa: SIM115 (closed by stop())
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-n", f"{name}@%h",
         "--pool", "prefork", "--concurrency", str(concurrency), "--without-gossip",
         "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    return process


def stop(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
    log = getattr(process, "log", None)
    if log is not None:
        log.close()


def rss_mb(pid):
    """Resident memory (MB) of a process and of each of its children (gunicorn's or
    Celery's worker processes): {"master": …, "children": […]}."""
    def one(each):
        try:
            with open(f"/proc/{each}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return round(int(line.split()[1]) / 1024)
        except OSError:
            return None

    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                              text=True).stdout.split()
    return {"master": one(pid), "children": [one(child) for child in children]}


# --- (b) A course published through one process, seen by the other instance -----------------

def wait_shown(port, path, shown, timeout=5.0, step=0.01):
    """(seconds until instance ``port``'s anonymous page ``path`` satisfies
    ``shown(body)``, seconds at which the request that showed it was sent), both counted
    from the call; (None, None) if not within ``timeout``. The requests carry no cookie, as
    a visitor's, so they are answered from the shared page cache whenever it holds the
    page; the difference between the two is that request's own time (the rendering of the
    page under the new version, on a machine that may be loaded)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        sent = time.perf_counter()
        status, body = http_get(port, path)
        if status == 200 and shown(body):
            return time.perf_counter() - started, sent - started
        time.sleep(step)
    return None, None


def showing(title, instead_of=None):
    """A test of a page's HTML: ``title`` is in it, and ``instead_of`` is not."""
    from django.utils.html import escape

    wanted = escape(title).encode()
    unwanted = escape(instead_of).encode() if instead_of else None
    return lambda body: wanted in body and (unwanted is None or unwanted not in body)


def publish_rounds(port_seen, rounds):
    """Publishes the course page with a new title and back, ``rounds`` times; returns the
    (answer, request sent) delays (s) until instance ``port_seen`` shows each (see
    ``wait_shown``), and puts the page back as it was."""
    from django.db import transaction
    from wagtail.models import Revision

    from academy.models import Audience, CoursePage

    page = (CoursePage.objects.live().public().filter(audience=Audience.ELECTED_OFFICIALS)
            .order_by("path").first())
    original = {field: getattr(page, field) for field in (
        "title", "draft_title", "latest_revision_id", "live_revision_id",
        "last_published_at", "latest_revision_created_at", "has_unpublished_changes")}
    path = page.url
    created, delays = [], []
    try:
        if wait_shown(port_seen, path, showing(original["title"]), timeout=60)[0] is None:
            raise SystemExit(f"{path} does not show {original['title']!r} on :{port_seen}")
        for round_number in range(rounds):
            marked = f"{original['title']}{TITLE_MARK} {round_number + 1}"
            for title, shown in ((marked, showing(marked)),
                                 (original["title"], showing(original["title"], marked))):
                page = CoursePage.objects.get(pk=page.pk)
                page.title = page.draft_title = title
                with transaction.atomic():
                    revision = page.save_revision(log_action=False)
                    revision.publish(log_action=False)
                created.append(revision.pk)
                # Published and committed (the cache versions renewed): the clock runs.
                delays.append(wait_shown(port_seen, path, shown))
    finally:
        CoursePage.objects.filter(pk=page.pk).update(**original)
        Revision.objects.filter(pk__in=created).delete()
        from cms import page_cache

        page_cache.bump()
    return delays, path


# --- (c) Emails exactly once ----------------------------------------------------------------

def outbox_ids_for(recipients, since_pk):
    from accounts.models import OutgoingEmail

    return {o.pk: o for o in OutgoingEmail.objects.filter(pk__gt=since_pk)
            if {address.lower() for address in o.to} & recipients}


def wait_settled(ids, timeout=180):
    """Waits until none of these outbox messages is pending or being sent."""
    from accounts.models import OutgoingEmail

    Status = OutgoingEmail.Status
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = OutgoingEmail.objects.filter(
            pk__in=ids, status__in=[Status.PENDING, Status.SENDING]).count()
        if not left:
            return True
        time.sleep(0.5)
    return False


def one_email_queued_three_times(tag):
    """One outbox message, its delivery task published three times (the second and third
    as a retried task or a flush would): the two workers each take some."""
    from accounts.emails import queue_email
    from accounts.tasks import send_email

    outgoing = queue_email(subject="Banc deux instances", to=[f"{tag}@instances.invalid"],
                           text="Un seul exemplaire attendu.", key=f"bench-instances:{tag}")
    for _ in range(2):
        send_email.apply_async(args=[outgoing.pk])
    return outgoing


# --- The run --------------------------------------------------------------------------------

def main(argv=None):
    args = parse_args(argv)
    port1, port2 = args.ports
    sink = Sink()
    sink_port = sink.start()
    env = {**bench_env(args, args.database_url, "bench-instances"),
           "CELERY_BROKER_URL": args.broker_url,
           "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink_port),
           "EMAIL_USE_TLS": "0", "EMAIL_USE_SSL": "0"}
    from bench.pages import delete_sessions, django_setup

    django_setup(env)
    import redis
    from django.conf import settings

    from accounts.models import OutgoingEmail
    from bench.urls import BARE_PATH

    # The broker's queue starts empty: nothing of an earlier run is delivered now.
    redis.Redis.from_url(args.broker_url).delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    if not args.no_collectstatic:
        seconds = collectstatic(env, args.static_root)
        print("collectstatic : " + ("inutile" if seconds is None else f"{seconds:.0f} s"),
              flush=True)

    logs = Path(tempfile.mkdtemp(prefix="anct-instances-"))
    processes, login_keys = {}, []
    report = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
              "database": args.database_url.rsplit("/", 1)[-1], "ports": args.ports,
              "broker": args.broker_url, "cache": args.redis_url,
              "local_seconds": None, "checks": {}}
    race_session, recipients = None, set()
    since = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    extra = None
    try:
        for port in args.ports:
            processes[f"gunicorn:{port}"] = start_gunicorn(env, args, port)
        for name in ("w1", "w2"):
            processes[f"celery:{name}"] = start_worker(env, name, args.celery_concurrency,
                                                       logs / f"{name}.log")
        for port in args.ports:
            wait_for(port, BARE_PATH)
        from core.cache_versions import LOCAL_SECONDS

        report["local_seconds"] = LOCAL_SECONDS
        print(f"Deux instances gunicorn (ports {port1} et {port2}, {args.workers} processus × "
              f"{args.threads} fils chacune), deux workers Celery ({args.broker_url}), "
              f"cache {args.redis_url}, SMTP local :{sink_port}", flush=True)

        # (b) first: the page cache is warm and nothing else is written meanwhile.
        timings, course_path = publish_rounds(port2, args.rounds)
        delays = [answer for answer, _ in timings]
        shown = [d for d in delays if d is not None]
        met_b = publish_met(delays)
        report["checks"]["publish_seen_by_other_instance"] = {
            "path": course_path, "delays_s": [round(d, 3) if d is not None else None
                                              for d in delays],
            "request_sent_s": [round(d, 3) if d is not None else None
                               for _, d in timings],
            "max_s": round(max(shown), 3) if shown else None,
            "median_s": round(statistics.median(shown), 3) if shown else None,
            "target_s": PUBLISH_TARGET_SECONDS, "met": met_b}

        # (a) the race, alternating.
        kept = []
        race = bench_race(args.ports, args.people, args.seats, login_keys, kept=kept)
        race_session, recipients = kept
        met_a = race_met(race, args.people, args.seats)
        report["checks"]["race_alternating"] = {**race, "met": met_a}

        # (c) every email once.
        extra = one_email_queued_three_times(f"f2-{secrets.token_hex(4)}")
        expected = outbox_ids_for(recipients | {extra.to[0].lower()}, since)
        settled = wait_settled(list(expected))
        time.sleep(1)  # the last SMTP sessions close
        from accounts.outbox import message_id

        counts = delivery_counts(sink.received(),
                                 {message_id(o): pk for pk, o in expected.items()})
        extra_count = sum(1 for m in sink.received() if extra.to[0].lower() in m["to"])
        statuses = Counter(OutgoingEmail.objects.filter(pk__in=list(expected))
                           .values_list("status", flat=True))
        met_c = (settled and counts["received"] == counts["expected"] > 0
                 and not counts["duplicates"] and not counts["missing"] and extra_count == 1)
        report["checks"]["emails_exactly_once"] = {
            **counts, "settled": settled, "statuses": dict(statuses),
            "queued_three_times_received": extra_count, "met": met_c}
        report["memory_mb"] = {name: rss_mb(process.pid)
                               for name, process in processes.items()}
    finally:
        for process in processes.values():
            stop(process)
        sink.stop()
        delete_sessions(login_keys)
        if race_session is not None:
            from academy.models import Enrolment

            Enrolment.objects.filter(session=race_session).delete()
            race_session.delete()
        OutgoingEmail.objects.filter(pk__in=list(outbox_ids_for(
            recipients | ({extra.to[0].lower()} if extra is not None else set()),
            since))).delete()
        redis.Redis.from_url(args.broker_url).delete(settings.CELERY_TASK_DEFAULT_QUEUE)

    checks = report["checks"]
    b, a, c = (checks["publish_seen_by_other_instance"], checks["race_alternating"],
               checks["emails_exactly_once"])
    print(check_line(
        "(a) course aux inscriptions, requêtes alternées entre les deux instances", a["met"],
        f"{a['people']} personnes pour {a['seats']} places → confirmées {a['confirmed']}, "
        f"liste d'attente {a['waitlisted']}, erreurs {a['errors']}"
        f"{' ' + ', '.join(a['error_kinds']) if a['errors'] else ''} "
        f"({a['requests_per_port']} ; {a['seconds']:.2f} s, "
        f"{a['enrolments_per_second']:.0f} inscriptions/s)"))
    print(check_line(
        "(b) titre publié par un autre processus, vu par l'instance 2", b["met"],
        f"délais {', '.join('—' if d is None else f'{d * 1000:.0f} ms' for d in b['delays_s'])}"
        f" (requête qui l'a montré envoyée à "
        f"{', '.join('—' if d is None else f'{d * 1000:.0f}' for d in b['request_sent_s'])}"
        " ms)"
        f" (max {b['max_s'] * 1000 if b['max_s'] is not None else float('nan'):.0f} ms, "
        f"cible {PUBLISH_TARGET_SECONDS * 1000:.0f} ms ; versions relues toutes les "
        f"{report['local_seconds'] * 1000:.0f} ms)"))
    print(check_line(
        "(c) courriels envoyés une seule fois par deux workers", c["met"],
        f"{c['received']} reçus pour {c['expected']} attendus, doublons "
        f"{len(c['duplicates'])}, manquants {len(c['missing'])}, au plus "
        f"{c['per_recipient_max']} par destinataire ; tâche publiée trois fois → "
        f"{c['queued_three_times_received']} reçu"))
    print("Mémoire à la fin (Mo ; maître puis chaque processus de travail) : " + " ; ".join(
        f"{k} {v['master']} / {', '.join(str(c) for c in v['children'])}"
        for k, v in report.get("memory_mb", {}).items()))
    report["all_met"] = all(check["met"] for check in checks.values())
    path = args.json or (BENCH / "results"
                         / f"instances-{datetime.now(UTC):%Y%m%d-%H%M%S}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, ensure_ascii=False))
    print(f"JSON : {path}")
    return 0 if report["all_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
