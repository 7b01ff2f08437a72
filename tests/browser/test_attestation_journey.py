"""An élu downloads their signed attestation from "Mon espace", opens the link it carries
and reads "valide"; ANCT corrects the attendance and the same page says revoked."""

import io
import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from academy import services
from academy.models import Attendance, Enrolment
from academy.signing import make_dev_certificate
from tests import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])


def test_download_open_the_link_valid_then_revoked_after_a_correction(
        live_server, browser, screenshot, settings, tmp_path):
    key, cert, _ = make_dev_certificate(tmp_path / "key.pem", tmp_path / "cert.pem")
    settings.ATTESTATION_SIGNING_KEY, settings.ATTESTATION_SIGNING_CERT = str(key), str(cert)
    communes = make.geography()
    day = timezone.localdate() - timedelta(days=12)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=9)))
    session = make.session(make.course("Construire le budget communal", duration_hours=14),
                           communes["Beauvais"], start=start,
                           end=start + timedelta(days=1, hours=8))
    user = get_user_model().objects.create_user(
        email="aline.martin@mairie-beauvais.fr", password="x",
        first_name="Aline", last_name="Martin")
    enrolment = Enrolment.objects.create(session=session, user=user, status="confirmed")
    for slot_day, period in session.half_days():
        Attendance.objects.create(enrolment=enrolment, day=slot_day, period=period,
                                  status="present")

    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    sign_in(context, live_server, user)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/espace/")
    card = page.locator("[data-enrolment]", has_text="Construire le budget communal")
    with page.expect_download() as download_info:
        card.get_by_role("link", name="Télécharger l'attestation (PDF)").click()
    pdf = (tmp_path / "attestation.pdf")
    download_info.value.save_as(pdf)
    data = pdf.read_bytes()
    assert len(PdfFileReader(io.BytesIO(data)).embedded_signatures) == 1
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    link = re.search(r"http://[^\s]+/attestations/[\w-]+/", text.replace("\n", "")).group(0)

    # Anyone who scans the code: not signed in.
    visitor = browser.new_context(locale="fr-FR")
    check = visitor.new_page()
    check.goto(link)
    assert check.get_by_role("heading", name="Attestation valide").is_visible()
    assert "Aline Martin" in check.content() and "14 h sur 14 h" in check.content()
    screenshot(check, "valid")

    # The holder's own space now links to the page, where they choose initials.
    page.goto(f"{live_server.url}/espace/")
    card.get_by_role("link", name="Page de vérification de l'attestation").click()
    page.get_by_text("Mes initiales seulement").click()
    page.get_by_role("button", name="Enregistrer ce choix").click()
    page.wait_for_url(link)
    check.reload()
    assert "A. M." in check.content() and "Aline" not in check.content()

    # ANCT corrects the attendance: the page says revoked, with the date.
    last_day, last_period = session.half_days()[-1]
    services.record_attendance(session, {(enrolment.pk, last_day, last_period): "absent"})
    check.reload()
    assert check.get_by_role("heading", name="Attestation révoquée").is_visible()
    assert "a été révoquée le" in check.content()
    screenshot(check, "revoked")
    visitor.close()
    context.close()
