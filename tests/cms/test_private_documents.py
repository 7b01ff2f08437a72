"""Documents in a private collection are only sent through Wagtail's view, which checks the
collection's restriction: an anonymous visitor never gets the file, and no link points into
MEDIA_ROOT/documents (which the web server must not serve, docs/security.md)."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from accounts.models import User

pytestmark = pytest.mark.django_db
SECRET = b"%PDF-1.7\nCompte rendu interne du comite de pilotage"


@pytest.fixture
def private_document(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    collection = Collection.get_first_root_node().add_child(name="Documents internes")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN)
    document = get_document_model()(title="Compte rendu du comité", collection=collection)
    document.file.save("compte-rendu.pdf", ContentFile(SECRET), save=True)
    return document


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_a_private_document_is_not_served_to_an_anonymous_visitor(client, private_document):
    assert private_document.url.startswith("/documents/")
    assert "/media/" not in private_document.url
    response = client.get(private_document.url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert SECRET not in body(response)


def test_a_private_document_is_served_to_a_signed_in_person(client, private_document):
    client.force_login(User.objects.create_user(email="agent@anct.gouv.fr",
                                                password="x-Long-Pass-123"))
    response = client.get(private_document.url)
    assert response.status_code == 200
    assert body(response) == SECRET


def test_documents_are_never_linked_to_media_root_directly(settings):
    """'direct' would give editors and pages /media/documents/... links, readable by anyone
    the web server lets through, whatever the collection's privacy."""
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"

