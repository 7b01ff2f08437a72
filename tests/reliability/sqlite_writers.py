"""Many people writing to the embedded SQLite database at once, through the platform's own
settings and code (run in a process of its own by test_sqlite_concurrency.py).

``python -m tests.reliability.sqlite_writers <database file> <writers> <writes each>``
creates the outbox table in that file, then starts the writers (threads, each with its own
connection, as runserver's or gunicorn's threads): each saves messages with
``accounts.emails.queue_email`` inside a transaction that reads first (as a form that
checks then saves), and the message is then delivered in-process (two more writes). Prints
a JSON line: rows saved, messages sent, and every error by type and text."""

import json
import os
import sys
import threading
from collections import Counter


def main(path, writers, writes_each):
    os.environ.update({"DATABASE_URL": f"sqlite:///{path}", "DJANGO_SETTINGS_MODULE":
                       "config.settings", "EMAIL_BACKEND":
                       "django.core.mail.backends.dummy.EmailBackend"})
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connection, connections, transaction

    from accounts.emails import queue_email
    from accounts.models import OutgoingEmail

    with connection.schema_editor() as editor:
        editor.create_model(OutgoingEmail)
    connection.close()

    errors = Counter()
    start = threading.Barrier(writers)

    def writer(number):
        start.wait()
        try:
            for write in range(writes_each):
                try:
                    with transaction.atomic():
                        mine = f"Candidature {number}-"
                        OutgoingEmail.objects.filter(subject__startswith=mine).count()
                        queue_email(subject=f"Candidature {number}-{write}",
                                    to=[f"w{number}@example.fr"], text="Reçue.")
                except Exception as error:  # what a visitor would get as a 500
                    errors[f"{type(error).__name__}: {error}"] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({
        "journal_mode": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
        "saved": OutgoingEmail.objects.count(),
        "sent": OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count(),
        "errors": dict(errors),
    }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
