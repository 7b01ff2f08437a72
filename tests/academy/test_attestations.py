"""Verifiable attestations: an unguessable reference issued once per enrolment, the public
verification page (valid, revoked after a correction of the attendance, unknown, rate
limited, initials), the QR code's link, and the agency's PAdES signature checked with
pyHanko's validator."""

import io
import logging
from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from academy import services
from academy.attestations import current_attestation, verification_url
from academy.documents import attestation_html, qr_code_data_uri
from academy.models import Attendance, Attestation, Enrolment, Mandate, OfficialProfile
from academy.signing import make_dev_certificate
from calendars.dates import long_date
from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return make.geography()


@pytest.fixture
def session(communes):
    """Tuesday 3 and Wednesday 4 March 2026, 9:00 to 17:00 in Paris: four half-days."""
    course = make.course("Piloter un projet de territoire", duration_hours=Decimal("14"))
    session = make.session(course, communes["Beauvais"], days=10)
    session.start = timezone.make_aware(datetime(2026, 3, 3, 9, 0))
    session.end = timezone.make_aware(datetime(2026, 3, 4, 17, 0))
    session.save()
    return session


@pytest.fixture
def holder(communes):
    user = get_user_model().objects.create_user(
        email="aline.martin@exemple.fr", password="Mot-de-passe-2026",
        first_name="Aline", last_name="Martin")
    profile = OfficialProfile.objects.create(user=user)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=datetime(2020, 7, 1).date())
    return user


@pytest.fixture
def enrolment(session, holder):
    enrolment = Enrolment.objects.create(session=session, user=holder, status="confirmed")
    for day, period in session.half_days()[:3]:
        Attendance.objects.create(enrolment=enrolment, day=day, period=period,
                                  status="present")
    return enrolment


@pytest.fixture
def signing(settings, tmp_path):
    key, cert, _ = make_dev_certificate(tmp_path / "key.pem", tmp_path / "cert.pem")
    settings.ATTESTATION_SIGNING_KEY, settings.ATTESTATION_SIGNING_CERT = str(key), str(cert)
    return cert


def download(client, enrolment):
    client.force_login(enrolment.user)
    response = client.get(f"/inscriptions/{enrolment.pk}/attestation.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def page(client, attestation, **extra):
    return client.get(f"/attestations/{attestation.reference}/", **extra)


def correct(session, enrolment, status="absent"):
    """ANCT corrects the last present half-day through the attendance grid."""
    day, period = session.half_days()[2]
    services.record_attendance(session, {(enrolment.pk, day, period): status})


# --- the reference -----------------------------------------------------------------------

def test_one_unguessable_reference_per_enrolment_reused_on_each_download(
        client, enrolment, session, communes):
    download(client, enrolment)
    download(client, enrolment)
    attestation = Attestation.objects.get()
    assert attestation.enrolment == enrolment and attestation.is_valid
    assert len(attestation.reference) >= 24  # 144 random bits, URL-safe
    assert attestation.reference.replace("-", "").replace("_", "").isalnum()
    other_user = get_user_model().objects.create_user(email="paul@exemple.fr", password="x",
                                                      first_name="Paul", last_name="Roy")
    other = Enrolment.objects.create(session=session, user=other_user, status="confirmed")
    Attendance.objects.create(enrolment=other, day=session.half_days()[0][0], period="am",
                              status="present")
    assert current_attestation(other).reference != attestation.reference
    # Nobody else downloads someone's attestation.
    client.force_login(other_user)
    assert client.get(f"/inscriptions/{enrolment.pk}/attestation.pdf").status_code == 404


def test_the_pdf_carries_the_reference_the_link_and_its_qr_code(client, enrolment):
    pdf = download(client, enrolment)
    attestation = Attestation.objects.get()
    url = f"http://testserver/attestations/{attestation.reference}/"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    flat = text.replace("\n", "")
    assert attestation.reference in flat and url in flat
    html = attestation_html(enrolment, attestation, url)
    # The QR code is segno's encoding of that very link, drawn inline (no fetch).
    assert f'src="{qr_code_data_uri(url)}"' in html.replace("&amp;", "&")
    assert qr_code_data_uri(url).startswith("data:image/svg+xml")


def test_verification_url_without_request_uses_site_url(enrolment, settings):
    settings.SITE_URL = "https://academie.anct.gouv.fr/"
    attestation = current_attestation(enrolment)
    assert verification_url(attestation) == (
        f"https://academie.anct.gouv.fr/attestations/{attestation.reference}/")


# --- the public page ---------------------------------------------------------------------

def test_page_shows_what_the_attestation_states_and_nothing_more(client, enrolment):
    attestation = current_attestation(enrolment)
    client.logout()
    response = page(client, attestation)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Attestation valide" in html and 'data-attestation-status="valid"' in html
    assert "Aline Martin" in html
    assert "Piloter un projet de territoire" in html
    assert "Du 3 au 4 mars 2026" in html
    assert "Mar. 3 mars — matin" in html and "Mer. 4 mars — matin" in html
    assert "Mer. 4 mars — après-midi" not in html  # not attended
    assert html.count("3,5 h</td>") == 3
    assert "10,5 h sur 14 h prévues" in html
    assert "Agence nationale de la cohésion des territoires (ANCT) – Académie des territoires" \
        in html
    assert "aline.martin@exemple.fr" not in html and "Maire" not in html
    assert "Beauvais" not in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "Enregistrer ce choix" not in html  # only the holder may choose


def test_a_correction_revokes_with_its_date_and_the_next_download_issues_anew(
        client, enrolment, session):
    first = current_attestation(enrolment)
    # Recording the same marks again is no correction.
    day, period = session.half_days()[0]
    services.record_attendance(session, {(enrolment.pk, day, period): "present"})
    first.refresh_from_db()
    assert first.is_valid

    correct(session, enrolment)
    first.refresh_from_db()
    assert first.revoked_at is not None
    html = page(client, first).content.decode()
    assert "Attestation révoquée" in html and 'data-attestation-status="revoked"' in html
    assert f"révoquée le {long_date(timezone.localdate())}" in html
    assert "10,5 h sur 14 h" in html  # what that attestation stated

    download(client, enrolment)
    second = Attestation.objects.valid().get(enrolment=enrolment)
    assert second.reference != first.reference
    assert "7 h sur 14 h" in page(client, second).content.decode()
    assert "Attestation révoquée" in page(client, first).content.decode()


def test_removing_a_half_day_revokes_too(enrolment, session):
    attestation = current_attestation(enrolment)
    day, period = session.half_days()[0]
    services.record_attendance(session, {(enrolment.pk, day, period): ""})
    attestation.refresh_from_db()
    assert not attestation.is_valid


def test_unknown_reference_is_a_french_404(client, db):
    for reference in ("inconnue", "x" * 300, "AAAAAAAAAAAAAAAAAAAAAAAA"):
        response = client.get(f"/attestations/{reference}/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "Attestation introuvable" in html
        assert "Aucune attestation de l'Académie des territoires ne porte cette référence" \
            in html


def test_page_is_rate_limited_per_address(client, enrolment, settings):
    settings.ATTESTATION_CHECK_RATE_LIMIT = "3/m/ip"
    attestation = current_attestation(enrolment)
    address = {"REMOTE_ADDR": "198.51.100.23"}
    for _ in range(3):
        assert page(client, attestation, **address).status_code == 200
    limited = page(client, attestation, **address)
    assert limited.status_code == 429
    assert "Trop de" in limited.content.decode()
    # Guessing references counts too.
    assert client.get("/attestations/devinette/", **address).status_code == 429
    assert page(client, attestation, REMOTE_ADDR="198.51.100.99").status_code == 200


def test_the_holder_chooses_initials(client, enrolment):
    attestation = current_attestation(enrolment)
    client.force_login(enrolment.user)
    html = page(client, attestation).content.decode()
    assert "Enregistrer ce choix" in html
    response = client.post(f"/inscriptions/{enrolment.pk}/attestation/affichage/",
                           {"affichage": "initiales", "retour": "verification"})
    assert response.status_code == 302
    assert response["Location"] == f"/attestations/{attestation.reference}/"
    client.logout()
    html = page(client, attestation).content.decode()
    assert "A. M." in html and "Aline" not in html and "Martin" not in html
    # The choice carries over to the attestation issued after a correction.
    correct(enrolment.session, enrolment)
    assert current_attestation(enrolment).show_initials
    # Back to the full name, from "Mon espace".
    client.force_login(enrolment.user)
    client.post(f"/inscriptions/{enrolment.pk}/attestation/affichage/", {"affichage": "nom"})
    assert not current_attestation(enrolment).show_initials


def test_only_the_holder_chooses(client, enrolment):
    stranger = get_user_model().objects.create_user(email="s@exemple.fr", password="x")
    client.force_login(stranger)
    response = client.post(f"/inscriptions/{enrolment.pk}/attestation/affichage/",
                           {"affichage": "initiales"})
    assert response.status_code == 404
    client.logout()
    response = client.post(f"/inscriptions/{enrolment.pk}/attestation/affichage/",
                           {"affichage": "initiales"})
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
    assert not Attestation.objects.filter(show_initials=True).exists()


# --- the signature -----------------------------------------------------------------------

def validate(pdf, cert_path):
    reader = PdfFileReader(io.BytesIO(pdf))
    [signature] = reader.embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
    return signature, validate_pdf_signature(signature, context)


def test_the_pdf_is_signed_by_the_agency_and_the_signature_covers_it_all(
        client, enrolment, signing):
    pdf = download(client, enrolment)
    signature, status = validate(pdf, signing)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert signature.coverage == SignatureCoverageLevel.ENTIRE_FILE
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "signé électroniquement" in text.replace("\n", " ")
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert "Académie des territoires" in status.signing_cert.subject.human_friendly


def test_a_modified_pdf_fails_validation(client, enrolment, signing):
    pdf = download(client, enrolment)
    signature, _ = validate(pdf, signing)
    start, length = signature.byte_range[0], signature.byte_range[1]
    position = start + length // 2  # inside the signed document, before the signature
    tampered = pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1:]
    _, status = validate(tampered, signing)
    assert not status.intact and not status.bottom_line


def test_another_certificate_is_not_trusted(client, enrolment, signing, tmp_path):
    pdf = download(client, enrolment)
    _, other = make_dev_certificate(tmp_path / "other-key.pem", tmp_path / "other.pem")[:2]
    _, status = validate(pdf, other)
    assert status.intact and not status.trusted and not status.bottom_line


def test_unconfigured_production_serves_unsigned_with_a_warning(client, enrolment, caplog,
                                                                 settings):
    settings.ATTESTATION_SIGNING_KEY = settings.ATTESTATION_SIGNING_CERT = ""
    settings.DEBUG = False
    with caplog.at_level(logging.WARNING, logger="academy.signing"):
        pdf = download(client, enrolment)
    assert PdfFileReader(io.BytesIO(pdf)).embedded_signatures == []
    assert "unsigned" in caplog.text
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "signé électroniquement" not in text  # the PDF claims no signature it lacks


def test_development_signs_with_its_own_certificate(client, enrolment, settings, tmp_path):
    settings.ATTESTATION_SIGNING_KEY = settings.ATTESTATION_SIGNING_CERT = ""
    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    pdf = download(client, enrolment)
    _, status = validate(pdf, tmp_path / "signing" / "dev-cert.pem")
    assert status.bottom_line


def test_make_signing_certificate_is_idempotent(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.ATTESTATION_SIGNING_KEY = settings.ATTESTATION_SIGNING_CERT = ""
    out = io.StringIO()
    call_command("make_signing_certificate", stdout=out)
    cert = tmp_path / "signing" / "dev-cert.pem"
    first = cert.read_bytes()
    call_command("make_signing_certificate", stdout=out)
    assert cert.read_bytes() == first
    assert "créé" in out.getvalue() and "déjà présent" in out.getvalue()
    assert (tmp_path / "signing" / "dev-key.pem").stat().st_mode & 0o077 == 0


def test_mon_espace_links_to_the_page_once_issued(client, enrolment):
    client.force_login(enrolment.user)
    assert "Page de vérification" not in client.get("/espace/").content.decode()
    download(client, enrolment)
    html = client.get("/espace/").content.decode()
    reference = Attestation.objects.get().reference
    assert f'href="/attestations/{reference}/"' in html
    assert "elle affiche votre nom" in html
