"""N people press "S'inscrire" at the same instant, over HTTP, against a real server.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/anct_bench .venv/bin/python bench/enrolment.py \
      [--people 200] [--seats 20] [--workers 4] [--url http://127.0.0.1:8000]

Without --url it migrates the database, starts gunicorn itself on a free port and stops it at
the end. It creates its own course, session and people (bench-*@example.invalid) and removes
them afterwards. Prints confirmed / waitlisted / errors and enrolments per second.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import Cookie, CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Without DEBUG the settings want a key of one's own: a random one for this run, shared with
# the gunicorn started below through the environment.
os.environ.setdefault("SECRET_KEY", "bench-" + __import__("secrets").token_urlsafe(48))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=10)
            return
        except OSError:  # refused while gunicorn boots, or slow first answer
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url}")


def make_fixture(people, seats):
    from datetime import timedelta
    from decimal import Decimal

    from academy.models import CatalogPage, CoursePage, Session
    from accounts.models import User
    from cms.models import HomePage

    catalog = CatalogPage.objects.first()
    if catalog is None:
        catalog = CatalogPage(title="Formations", slug="formations")
        HomePage.objects.get().add_child(instance=catalog)
    course = CoursePage(title="Banc d'essai des inscriptions", slug=f"bench-{int(time.time())}",
                        summary="Banc d'essai.", objectives="<p>Mesurer.</p>",
                        duration_hours=Decimal(7), audience="all")
    catalog.add_child(instance=course)
    now = timezone.now()
    session = Session.objects.create(
        course=course, start=now + timedelta(days=30), end=now + timedelta(days=30, hours=7),
        remote_url="https://webconf.example.invalid/bench", capacity=seats,
        enrolment_opens=now - timedelta(days=1), enrolment_closes=now + timedelta(days=29),
        cancellation_deadline=now + timedelta(days=28),
    )
    cookies = []
    for n in range(people):
        user = User.objects.create_user(email=f"bench-{session.pk}-{n}@example.invalid",
                                        password=None)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(store.session_key)
    return course, session, cookies


def cleanup(course, session):
    from academy.models import Enrolment
    from accounts.models import User

    Enrolment.objects.filter(session=session).delete()
    session.delete()
    course.delete()
    User.objects.filter(email__startswith=f"bench-{session.pk}-").delete()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Time the enrolment POST itself, not the "Mon espace" page it redirects to."""

    def redirect_request(self, *args, **kwargs):
        return None


def opener_for(session_key, host):
    jar = CookieJar()
    jar.set_cookie(Cookie(0, settings.SESSION_COOKIE_NAME, session_key, None, False, host,
                          False, False, "/", True, False, None, False, None, None, {}))
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def poster_for(opener_and_jar):
    _, jar = opener_and_jar
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--url")
    args = parser.parse_args()

    server = None
    base = args.url
    if base is None:
        call_command("migrate", verbosity=0)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost",
               "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
               "LOG_LEVEL": "WARNING"}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", str(args.workers), "--log-level", "warning"], cwd=ROOT, env=env,
        )
        wait_for(f"{base}/robots.txt")
    course, session, keys = make_fixture(args.people, args.seats)
    try:
        host = base.split("//")[1].split(":")[0]
        clients = []
        for key in keys:  # each person opens the course page first: CSRF cookie and token
            opener, jar = opener_for(key, host)
            html = opener.open(f"{base}{course.url}", timeout=30).read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            clients.append((poster_for((opener, jar)), token))
        barrier = threading.Barrier(len(clients))
        outcomes = []

        def press(opener, token):
            data = f"csrfmiddlewaretoken={token}".encode()
            request = urllib.request.Request(
                f"{base}/inscriptions/sessions/{session.pk}/", data=data,
                headers={"Referer": f"{base}{course.url}"},
            )
            barrier.wait()
            try:
                response = opener.open(request, timeout=60)
                outcomes.append("ok" if response.status == 200 else f"http {response.status}")
            except urllib.error.HTTPError as error:  # 302 to "Mon espace" is the success
                outcomes.append("ok" if error.code == 302 else f"http {error.code}")
            except OSError as error:
                outcomes.append(type(error).__name__)

        threads = [threading.Thread(target=press, args=c) for c in clients]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started

        counts = {status: session.enrolments.filter(status=status).count()
                  for status in ("confirmed", "waitlisted")}
        errors = [o for o in outcomes if o != "ok"]
        print(f"{args.people} simultaneous enrolments for {args.seats} seats, "
              f"{args.workers} gunicorn workers, {django.db.connection.vendor}")
        print(f"confirmed {counts['confirmed']}, waitlisted {counts['waitlisted']}, "
              f"errors {len(errors)} {sorted(set(errors)) if errors else ''}")
        print(f"{elapsed:.2f} s, {args.people / elapsed:.0f} enrolments per second")
        if counts["confirmed"] > args.seats:
            raise SystemExit("OVERBOOKED")
    finally:
        cleanup(course, session)
        if server:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
