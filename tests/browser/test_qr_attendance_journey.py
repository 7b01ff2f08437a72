"""Attendance by QR code on 375 px phones: the trainer opens the half-day's QR screen, which
renews its code by itself; one élu scans it in time (signs in, comes back, is present),
another opens a code that has expired and reads why in French; the trainer ticks the late
one on the list; the attendance sheet says how each presence was recorded."""

import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from academy import attendance
from academy.models import Attendance, Enrolment
from accounts.roles import Role
from tests import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}
PASSWORD = "Mot-de-passe-2026"
# The code changes every few seconds here, so that "too late" comes quickly.
STEP = 6


def person(email, first_name, last_name):
    user = get_user_model().objects.create_user(email=email, password=PASSWORD,
                                                first_name=first_name, last_name=last_name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def phone(browser, live_server, user=None):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_trainer_shows_the_code_one_elu_is_present_the_late_one_is_refused_then_ticked(
        live_server, browser, screenshot, monkeypatch, settings):
    monkeypatch.setattr(attendance, "STEP_SECONDS", STEP)
    settings.SITE_URL = live_server.url  # the QR code's address (the live server's thread)
    for role in Role:
        Group.objects.get_or_create(name=role)
    communes = make.geography()
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    session = make.session(make.course("Construire et voter le budget communal"),
                           communes["Beauvais"], days=-5,
                           start=datetime.datetime.combine(today, datetime.time(0, 5), tz),
                           end=datetime.datetime.combine(today, datetime.time(23, 55), tz),
                           address="Maison des services")
    trainer = person("anne.leroy@anct.gouv.fr", "Anne", "Leroy")
    trainer.groups.add(Group.objects.get(name=Role.TRAINER))
    session.trainer_accounts.add(trainer)
    claire = person("claire.martin@mairie.example.fr", "Claire", "Martin")
    paul = person("paul.bernard@mairie.example.fr", "Paul", "Bernard")
    for elu in (claire, paul):
        Enrolment.objects.create(session=session, user=elu, status="confirmed")

    # The trainer, on a phone: their sessions, this one, the QR screen of the half-day.
    trainer_context, screen = phone(browser, live_server, trainer)
    screen.goto(f"{live_server.url}/formateur/")
    screen.get_by_role("link", name="Construire et voter le budget communal").click()
    screen.get_by_text("ouvert en ce moment").first.wait_for()
    screen.locator("li", has_text="ouvert en ce moment").get_by_role(
        "link", name="Afficher le QR code").first.click()
    qr = screen.locator("[data-attendance-qr]")
    qr.wait_for()
    first_url = qr.get_attribute("data-qr-url")
    assert first_url.startswith(f"{live_server.url}/emargement/")
    assert first_url in qr.locator("img").get_attribute("alt")
    screenshot(screen, "qr-screen")

    # Claire scans it at once: asked to sign in, then back to the code, present.
    claire_context, claire_phone = phone(browser, live_server)
    claire_phone.goto(first_url)
    claire_phone.locator("input[name=login]").fill(claire.email)
    claire_phone.locator("input[name=password]").fill(PASSWORD)
    claire_phone.locator("form button[type=submit]").last.click()
    claire_phone.get_by_text("Votre présence est enregistrée").wait_for()
    screenshot(claire_phone, "present")
    claire_context.close()

    # The screen renews its code by itself; Paul opens the first one, too late.
    screen.wait_for_function(
        "url => document.querySelector('[data-attendance-qr]').dataset.qrUrl !== url",
        arg=first_url, timeout=3 * STEP * 1000)
    assert qr.get_attribute("data-qr-url") != first_url
    screen.wait_for_timeout(2 * STEP * 1000)
    paul_context, paul_phone = phone(browser, live_server, paul)
    paul_phone.goto(first_url)
    refusal = paul_phone.get_by_role("alert")
    assert "Présence non enregistrée" in refusal.inner_text()
    assert "Ce code a expiré" in refusal.inner_text()
    screenshot(paul_phone, "too-late")
    paul_context.close()

    # The trainer sees one person present and ticks Paul, arrived late.
    screen.wait_for_function(
        "() => document.querySelector('[data-present]').textContent.trim() === '1'",
        timeout=3 * STEP * 1000)
    screen.get_by_role("link", name="Cocher les présences").click()
    paul_box = screen.locator("fieldset", has_text="BERNARD Paul")
    paul_box.locator("label[for$='-present']").click()  # DSFR draws the radio
    assert paul_box.get_by_label("Présent", exact=True).is_checked()
    paul_box.get_by_label("Arrivée tardive à (facultatif)").fill("10:15")
    claire_box = screen.locator("fieldset", has_text="MARTIN Claire")
    assert "QR code" in claire_box.inner_text()
    screen.get_by_role("button", name="Enregistrer les présences").click()
    screen.get_by_text("Présences enregistrées").first.wait_for()
    screenshot(screen, "ticked")

    modes = dict(Attendance.objects.values_list("enrolment__user__last_name", "mode"))
    assert modes == {"Martin": Attendance.Mode.QR, "Bernard": Attendance.Mode.TRAINER}

    # The sheet says how each presence was recorded.
    screen.get_by_role("link", name="Retour à la session").click()
    sheet_link = screen.get_by_role("link", name="Télécharger la feuille d'émargement (PDF)")
    response = screen.request.get(live_server.url + sheet_link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in
                             PdfReader(io.BytesIO(response.body())).pages).split())
    assert "MARTIN Claire" in text and "BERNARD Paul" in text
    assert "QR code" in text and "formateur arrivée 10 h 15" in text
    trainer_context.close()
