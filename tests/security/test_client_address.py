"""The client's address is read from one setting, TRUSTED_PROXY_COUNT, by the API's throttling
(django-ninja), allauth's limits and the login lock-out: a forged X-Forwarded-For buys no new
allowance, and behind the proxy each client still has an allowance of its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.test import RequestFactory

from accounts.models import User
from accounts.network import client_ip

pytestmark = pytest.mark.django_db

API = "/api/v1/structures"
PROXY = "10.0.0.1"
PASSWORD = "Mot-de-passe-solide-2026"


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = settings.NINJA_NUM_PROXIES = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_a_forged_x_forwarded_for_does_not_bypass_the_api_rate_limit(client, settings):
    settings.API_RATE_LIMIT = "3/min"
    answers = [client.get(API, REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
               .status_code for n in range(5)]
    assert answers == [200, 200, 200, 429, 429]


def test_behind_the_proxy_each_client_has_its_own_api_allowance(client, settings,
                                                                  behind_one_proxy):
    settings.API_RATE_LIMIT = "3/min"

    def get(forwarded):
        return client.get(API, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [get("192.0.2.1") for _ in range(4)] == [200, 200, 200, 429]
    assert get("192.0.2.2") == 200  # another client, through the same proxy
    # The client's own X-Forwarded-For comes first; the proxy appends the real address.
    assert get("203.0.113.9, 192.0.2.1") == 429


def test_behind_the_proxy_failed_logins_of_one_client_do_not_block_another(
    client, settings, behind_one_proxy
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user(email="elu@mairie.fr", password=PASSWORD,
                                    first_name="É", last_name="L")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    def login(email, password, forwarded):
        return client.post("/comptes/login/", {"login": email, "password": password},
                           REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    for n in range(30):
        login(f"autre{n}@mairie.fr", "devine", "203.0.113.66")
    blocked = login("elu@mairie.fr", PASSWORD, "203.0.113.66")
    assert blocked.status_code in (200, 429) and "_auth_user_id" not in client.session
    assert login("elu@mairie.fr", PASSWORD, "192.0.2.1").status_code == 302


def test_the_address_read_by_the_application():
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY,
                                   HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.1")
    from django.test import override_settings

    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert client_ip(request) == PROXY  # no proxy trusted: the header is ignored
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "192.0.2.1"
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_ip(request) == "203.0.113.9"
    with override_settings(TRUSTED_PROXY_COUNT=3):  # came through fewer proxies
        assert client_ip(request) == "203.0.113.9"
    garbage = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="<script>")
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(garbage) == PROXY


def test_one_environment_variable_sets_the_proxies_trusted_by_ninja_and_allauth():
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.TRUSTED_PROXY_COUNT, s.NINJA_NUM_PROXIES, s.ALLAUTH_TRUSTED_PROXY_COUNT)")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
        capture_output=True, text=True, check=True,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings",
             "DEBUG": "1", "TRUSTED_PROXY_COUNT": "2"},
    )
    assert result.stdout.split() == ["2", "2", "2"]
