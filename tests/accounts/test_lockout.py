"""Brute force on sign-in is slowed down per account *and* address (accounts.lockout): wrong
passwords sent by someone else, from elsewhere, never keep the owner out; the owner, if
slowed down, can lift the delay by an emailed link; ANCT administrators are told when an
account is being tried from many addresses."""

import os
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail

from accounts import lockout
from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "Mot-de-passe-solide-2026"
OWNER_IP = "198.51.100.7"


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch):
    """The lock-out's clock, moved forward by the test."""
    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(lockout.time, "time", lambda: now["t"])
    return now


def person(email, **extra):
    user = User.objects.create_user(email=email, password=PASSWORD, first_name="Admin",
                                    last_name="ANCT", **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def same_page(first, second, first_email, second_email):
    """Whether two answers differ only by the address typed, their nonces and CSRF tokens."""
    def strip(text, email):
        return re.sub(r'(nonce|value)="[^"]*"', "", text.replace(email, "X"))
    return strip(first, first_email) == strip(second, second_email)


def login(client, email, password, ip=OWNER_IP):
    return client.post("/comptes/login/", {"login": email, "password": password},
                       REMOTE_ADDR=ip)


def test_wrong_passwords_from_other_addresses_never_lock_the_owner_out(client, clock):
    person("admin@anct.gouv.fr")
    for n in range(40):  # an attacker rotating addresses, every 5 minutes or not
        login(client, "admin@anct.gouv.fr", "devine", ip=f"203.0.113.{n % 10 + 1}")
    response = login(client, "admin@anct.gouv.fr", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_failures_from_one_address_are_slowed_down_more_and_more(client, clock):
    person("elu@mairie.fr")
    for _ in range(3):
        assert "réessayez dans" not in login(client, "elu@mairie.fr", "faux").text
    # After three failures: 30 seconds, during which even the right password is not checked.
    response = login(client, "elu@mairie.fr", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "réessayez dans 30\u00a0secondes" in response.text
    assert 'href="/comptes/deblocage/"' in response.text
    clock["t"] += 31
    login(client, "elu@mairie.fr", "faux")  # the fourth failure: one minute
    assert "réessayez dans 1\u00a0minute" in login(client, "elu@mairie.fr", PASSWORD).text
    clock["t"] += 31
    assert "réessayez dans 29\u00a0secondes" in login(client, "elu@mairie.fr", PASSWORD).text
    clock["t"] += 30
    login(client, "elu@mairie.fr", "faux")  # the fifth: two minutes
    clock["t"] += 60
    assert "réessayez dans 1\u00a0minute" in login(client, "elu@mairie.fr", PASSWORD).text
    clock["t"] += 61
    response = login(client, "elu@mairie.fr", PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    # The successful login starts the count again.
    client.logout()
    login(client, "elu@mairie.fr", "faux")
    assert login(client, "elu@mairie.fr", PASSWORD).status_code == 302


def test_the_delay_never_exceeds_fifteen_minutes():
    assert [lockout.delay_after(n) for n in range(1, 10)] == [
        0, 0, 30, 60, 120, 240, 480, 900, 900]


def test_an_emailed_link_lifts_the_delay_without_a_captcha(
    client, clock, django_capture_on_commit_callbacks
):
    person("elu@mairie.fr")
    for _ in range(5):
        login(client, "elu@mairie.fr", "faux")
    assert "réessayez dans" in login(client, "elu@mairie.fr", PASSWORD).text
    page = client.get("/comptes/deblocage/")
    assert page.status_code == 200 and "Débloquer ma connexion" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/comptes/deblocage/", {"email": "Elu@Mairie.fr"},
                           REMOTE_ADDR=OWNER_IP)
    assert "Consultez votre messagerie" in sent.text
    [message] = mail.outbox
    assert message.to == ["elu@mairie.fr"] and "Débloquer" in message.subject
    link = re.search(r"http://127\.0\.0\.1:8000(/comptes/deblocage/\S+/)", message.body)[1]
    # Opened on the phone (another address): the delay is lifted for the computer too.
    opened = client.get(link, REMOTE_ADDR="192.0.2.200")
    assert opened.status_code == 200 and "Connexion débloquée" in opened.text
    response = login(client, "elu@mairie.fr", PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, django_capture_on_commit_callbacks
):
    person("elu@mairie.fr")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/comptes/deblocage/", {"email": "elu@mairie.fr"})
        unknown = client.post("/comptes/deblocage/", {"email": "personne@mairie.fr"})
    assert same_page(known.text, unknown.text, "elu@mairie.fr", "personne@mairie.fr")
    assert [m.to for m in mail.outbox] == [["elu@mairie.fr"]]


def test_a_forged_or_expired_link_unlocks_nothing(client, clock):
    person("elu@mairie.fr")
    for _ in range(4):
        login(client, "elu@mairie.fr", "faux")
    assert client.get("/comptes/deblocage/pas-un-jeton/").status_code == 400
    assert "réessayez dans" in login(client, "elu@mairie.fr", PASSWORD).text


def test_anct_administrators_are_told_once_when_an_account_is_tried_from_many_addresses(
    client, clock, django_capture_on_commit_callbacks
):
    admin = person("admin@anct.gouv.fr")
    admin.groups.add(Group.objects.get_or_create(name=Role.ANCT_ADMIN)[0])
    person("superviseur@anct.gouv.fr", is_superuser=True, is_staff=True)
    person("prefet@interieur.gouv.fr")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(lockout.ALERT_THRESHOLD - 1):
            login(client, "prefet@interieur.gouv.fr", "devine", ip=f"203.0.113.{n + 1}")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            login(client, "prefet@interieur.gouv.fr", "devine", ip=f"203.0.114.{n + 1}")
    [alert] = mail.outbox
    assert sorted(alert.to) == ["admin@anct.gouv.fr", "superviseur@anct.gouv.fr"]
    assert "prefet@interieur.gouv.fr" in alert.body and "20 tentatives" in alert.body


def test_with_the_redis_cache_of_production_the_owner_still_gets_in_and_admins_are_told(
    client, settings, django_capture_on_commit_callbacks
):
    """The counters live in the shared cache (Redis in production, one process or many)."""
    import redis
    from django.core.cache import cache

    url = os.environ.get("LOCKOUT_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": url, "KEY_PREFIX": "lockout-test"}}
    cache.clear()
    try:
        admin = person("admin@anct.gouv.fr")
        admin.groups.add(Group.objects.get_or_create(name=Role.ANCT_ADMIN)[0])
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(lockout.ALERT_THRESHOLD + 2):
                login(client, "admin@anct.gouv.fr", "devine", ip=f"203.0.113.{n % 7 + 1}")
        assert "réessayez dans" in login(client, "admin@anct.gouv.fr", PASSWORD,
                                         ip="203.0.113.1").text
        assert login(client, "admin@anct.gouv.fr", PASSWORD).status_code == 302
        assert [m.to for m in mail.outbox] == [["admin@anct.gouv.fr"]]
    finally:
        cache.clear()
