"""The crawl runs on the demo data (``seed_demo``, over the geography of the départements it
uses), loaded once into the test database for the whole ``tests/crawl`` package.

The data is committed, not kept in a transaction: gunicorn (another process) reads it for the
production pass. Each test still runs in its own transaction (logins, sessions: rolled back).
When the package is done, the database is put back exactly as it was before the seed (what
migrations made, with the same keys), as a ``serialized_rollback`` test does, so that the
tests after this package see what they always see.
"""

import io
import json
import sqlite3

import pytest
from django.core.management import call_command

from . import production

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# role -> demo account (password: demo.accounts.DEMO_PASSWORD); None: nobody signed in.
ACCOUNTS = {
    "anonymous": None,
    "elu": "elu@demo.anct.fr",
    "structure": "structure@demo.anct.fr",
    "advisor": "conseiller@demo.anct.fr",
    "coordinator": "coordinateur@demo.anct.fr",
    "prefet": "prefet@demo.anct.fr",
    "editor": "editeur@demo.anct.fr",
    "anct_admin": "admin@demo.anct.fr",
    "trainer": "formateur@demo.anct.fr",
}
MFA_ACCOUNTS = {"prefet@demo.anct.fr", "editeur@demo.anct.fr", "admin@demo.anct.fr"}


def demo_geography(directory):
    """Etalab's files with every region and département but only the communes (and their
    EPCIs) of the départements where the demo places structures, sessions and people: the
    demo is the same, and the import takes seconds instead of a minute."""
    from demo.advisors import STRUCTURES
    from demo.content import SESSION_COMMUNES
    from territories.management.commands.import_territories import DEFAULT_DATA_DIR

    def load(name):
        return json.loads((DEFAULT_DATA_DIR / name).read_text(encoding="utf-8"))

    communes = [row for row in load("communes.json") if isinstance(row, dict)]
    department_of = {row["code"]: row.get("departement") for row in communes}
    kept_departments = ({row[0] for row in STRUCTURES} | {"60"}
                        | {department_of.get(code) for code in SESSION_COMMUNES})
    communes = [row for row in communes if row.get("departement") in kept_departments]
    kept = {row["code"] for row in communes}
    epcis = [row for row in load("epci.json") if isinstance(row, dict) and any(
        member.get("code") in kept for member in row.get("membres") or [])]
    for name, rows in (("communes.json", communes), ("epci.json", epcis),
                       ("regions.json", load("regions.json")),
                       ("departements.json", load("departements.json"))):
        (directory / name).write_text(json.dumps(rows), encoding="utf-8")
    return directory


def _fresh_database_state():
    """What migrations create, when an earlier transactional test flushed it."""
    from django.contrib.auth.models import Group

    from accounts.roles import Role
    from cms.editorial import apply_editorial_permissions
    from tests.factories import ensure_site

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    ensure_site()
    apply_editorial_permissions()


@pytest.fixture(scope="package")
def demo_media(tmp_path_factory):
    """The demo's images go to a folder of the crawl's own, which gunicorn serves as the
    production web server serves MEDIA_ROOT."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("crawl-media")
    override = override_settings(MEDIA_ROOT=str(media))
    override.enable()
    yield media
    override.disable()


@pytest.fixture(scope="package")
def demo_data(django_db_setup, django_db_blocker, demo_media, tmp_path_factory):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.db import connection

    from accounts.models import User
    from calendars.models import CalendarToken

    with django_db_blocker.unblock():
        before = connection.creation.serialize_db_to_string()
        _fresh_database_state()
        call_command("import_territories", stdout=io.StringIO(), stderr=io.StringIO(),
                     data_dir=demo_geography(tmp_path_factory.mktemp("geography")))
        call_command("seed_demo", stdout=io.StringIO())
        # The élu subscribed to their personal calendar (the demo does not).
        CalendarToken.objects.get_or_create(user=User.objects.get(email=ACCOUNTS["elu"]))
        # Staff and préfets must have set up TOTP: they did, with an app holding this secret.
        for user in User.objects.filter(email__in=MFA_ACCOUNTS):
            Authenticator.objects.filter(user=user).delete()
            TOTP.activate(user, TOTP_SECRET)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False,
                     inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(before)
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
        production.wait_for_other_sessions_to_end()


@pytest.fixture
def demo_db(demo_data, db):
    """The demo database (this test's changes rolled back after it)."""


def totp_code():
    """The code the authenticator app shows now."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(TOTP_SECRET, counter))


def sign_in(client, email):
    """Signs in through the login form, and the TOTP step for staff and préfets, as the
    person would; fails if any step does not lead where it should."""
    from demo.accounts import DEMO_PASSWORD

    response = client.post("/comptes/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"login of {email}: {response.status_code}"
    if email in MFA_ACCOUNTS:
        assert response["Location"].startswith("/comptes/2fa/authenticate/"), response["Location"]
        response = client.post("/comptes/2fa/authenticate/", {"code": totp_code()})
        assert response.status_code == 302, f"TOTP step of {email}: {response.status_code}"
    assert client.session.get("_auth_user_id"), f"{email} is not signed in"
    return client


def database_url_for_another_process(directory):
    """The test database as another process opens it: PostgreSQL's as it is; SQLite's
    in-memory one copied to a file (the demo data is committed, and the copy is read-only
    for the crawl's purposes)."""
    from django.db import connection

    from tests.celery_worker import test_database_url

    url = test_database_url()
    if url is not None:
        return url
    connection.ensure_connection()
    path = directory / "crawl.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"
