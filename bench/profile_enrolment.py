"""Where one "S'inscrire" spends its time: ``people`` seeded élus enrol, one after the other,
in this process, through the platform's own WSGI handler (production settings, the bench's
database and Redis, no HTTP, no test client), under cProfile. Prints the milliseconds per
enrolment (wall and CPU) and the functions that take the most, then removes what it
created. The race (bench/race.py) measures the same requests under load; this says why.

Usage: ``.venv/bin/python bench/profile_enrolment.py [--database-url postgres://…/anct_national]
[--redis-url redis://127.0.0.1:6379/9] [--people 200] [--seats 20] [--top 40]
[--sort tottime|cumulative] [--no-profile]``
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/anct_national"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_DATABASE))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--no-profile", action="store_true",
                        help="only the milliseconds per enrolment, without cProfile's cost")
    return parser.parse_args(argv)


def environ_for(path, entrant, referer_path, host="127.0.0.1:8000"):
    """The WSGI environ of one "S'inscrire" as bench/race.py sends it."""
    body = urlencode({"csrfmiddlewaretoken": entrant["csrf"]}).encode()
    origin = f"https://{host}"
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": host, "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_COOKIE": entrant["cookie"], "HTTP_ORIGIN": origin,
        "HTTP_REFERER": f"{origin}{referer_path}",
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http", "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def main(argv=None):
    args = parse_args(argv)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings", "DJANGO_ENV": "production",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url, "CELERY_BROKER_URL": args.redis_url,
        "BENCH_CACHE_PREFIX": "bench-profile",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "ERROR"),
    })
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from accounts.models import OutgoingEmail
    from bench.pages import delete_sessions
    from bench.race import classify, race_fixture, remove_sessions

    handler, keys = WSGIHandler(), []
    last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    course, session, entrants = race_fixture(args.people, args.seats, keys)
    path = f"/inscriptions/sessions/{session.pk}/"
    outcomes = {}

    def one(entrant):
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

        body = handler(environ_for(path, entrant, course.url), start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()
        outcome = classify(answer["status"], answer["headers"].get("Location"))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    try:
        one(entrants[0])  # imports, first connection, templates compiled: not counted
        profiler = None if args.no_profile else cProfile.Profile()
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for entrant in entrants[1:]:
            one(entrant)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        count = len(entrants) - 1
        print(f"{count} inscriptions : {wall / count * 1000:.2f} ms chacune "
              f"({cpu / count * 1000:.2f} ms de CPU dans ce processus)"
              f"{' sous cProfile' if profiler else ''} ; réponses {outcomes}")
        if profiler:
            stats = pstats.Stats(profiler).strip_dirs().sort_stats(args.sort)
            stats.print_stats(args.top)
    finally:
        remove_sessions([session], {e["email"] for e in entrants}, last_email)
        delete_sessions(keys)


if __name__ == "__main__":
    main()
