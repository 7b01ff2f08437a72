"""Files uploaded in the back office are checked for type (by content, not only by name) and
size, with French messages: Wagtail images (opened by Pillow) and documents (cms.documents).
The advisors' CSV/XLSX imports are in tests/advisors/test_import*.py."""

import html
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.documents.forms import get_document_form, get_document_multi_form
from wagtail.images import get_image_model

from accounts.roles import Role
from cms.documents import DocumentForm, content_matches_extension
from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    client.force_login(make.staff_user(Role.ANCT_ADMIN))
    return client


def png(size=(40, 30), noise=False):
    image = (PillowImage.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)) if noise
             else PillowImage.new("RGB", size, "navy"))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def add_image(client, name, content):
    return client.post("/admin/images/add/", {
        "title": "Logo", "file": SimpleUploadedFile(name, content), "collection": 1,
    })


def add_document(client, name, content):
    return client.post("/admin/documents/add/", {
        "title": "Programme", "file": SimpleUploadedFile(name, content), "collection": 1,
    })


# --- images ----------------------------------------------------------------------------------
def test_a_real_image_is_accepted(editor):
    response = add_image(editor, "logo.png", png())
    assert response.status_code == 302
    assert get_image_model().objects.count() == 1


@pytest.mark.parametrize(("name", "content", "message"), [
    ("logo.png", b"<html><script>alert(1)</script></html>", "Image .png non valide"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "Format d'image non supporté"),
    ("logo.exe", png(), "Format d'image non supporté"),
])
def test_images_that_are_not_images_are_refused_in_french(editor, name, content, message):
    response = add_image(editor, name, content)
    assert response.status_code == 200
    assert message in html.unescape(response.text)
    assert get_image_model().objects.count() == 0


def test_an_image_over_5_mb_is_refused_in_french(editor):
    big = png(size=(1400, 1400), noise=True)
    assert len(big) > 5 * 1024 * 1024
    response = add_image(editor, "photo.png", big)
    assert response.status_code == 200
    assert "Ce fichier est trop gros" in response.text
    assert get_image_model().objects.count() == 0


# --- documents -------------------------------------------------------------------------------
def test_a_real_pdf_is_accepted_and_stored_under_wagtails_own_name(editor):
    response = add_document(editor, "../../programme.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj")
    assert response.status_code == 302
    document = get_document_model().objects.get()
    assert document.file.name.startswith("documents/") and ".." not in document.file.name


@pytest.mark.parametrize(("name", "content"), [
    ("programme.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("programme.docx", b"%PDF-1.7 not a zip"),
    ("liste.csv", b"\x7fELF\x02\x01\x01\x00\x00\x00"),
    ("notes.txt", b"<svg onload=alert(1)>"),
])
def test_documents_whose_content_does_not_match_their_extension_are_refused(editor, name,
                                                                            content):
    response = add_document(editor, name, content)
    assert response.status_code == 200
    assert "Le contenu de ce fichier ne correspond pas à son extension" in response.text
    assert get_document_model().objects.count() == 0


def test_a_document_of_a_type_not_listed_is_refused_in_french(editor):
    response = add_document(editor, "page.html", b"<p>Bonjour</p>")
    assert response.status_code == 200
    assert get_document_model().objects.count() == 0
    assert "extension" in response.text.lower()


def test_a_document_over_20_mb_is_refused_in_french(editor):
    response = add_document(editor, "gros.pdf", b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))
    assert response.status_code == 200
    assert "Ce fichier est trop gros" in response.text
    assert get_document_model().objects.count() == 0


def test_every_document_form_of_the_admin_checks_the_content():
    model = get_document_model()
    assert issubclass(get_document_form(model), DocumentForm)
    assert issubclass(get_document_multi_form(model), DocumentForm)


@pytest.mark.parametrize(("name", "content", "accepted"), [
    ("a.csv", "nom;siret\nMairie;1\nÉlu;2\n".encode(), True),
    ("a.csv", "nom;commune\nMairie;Compiègne\n".encode("cp1252"), True),
    ("a.txt", b"plain text", True),
    ("a.zip", b"PK\x03\x04rest", True),
    ("a.odt", b"PK\x03\x04rest", True),
    ("a.pdf", b"PK\x03\x04rest", False),
    ("a.xlsx", b"%PDF-1.4", False),
    ("a.csv", b"a;b\x00c", False),
    ("a.txt", b"<script>alert(1)</script>", False),
    ("a.html", b"<p>x</p>", False),
])
def test_content_matches_extension(name, content, accepted):
    assert content_matches_extension(SimpleUploadedFile(name, content)) is accepted
