"""Uploads on S3-compatible object storage (django-storages) when the buckets are set: the
settings' own block, read with those variables, against a real S3 API server on this machine
(moto's threaded server, spoken to over HTTP by boto3)."""

import urllib.request

import boto3
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import User
from tests.ops.fresh_settings import fresh_settings
from tests.reliability.servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3(monkeypatch):
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # The server keeps its buckets for the whole pytest process: start empty.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    for name, value in {"AWS_ACCESS_KEY_ID": "essai", "AWS_SECRET_ACCESS_KEY": "essai-secret",
                        "AWS_S3_ENDPOINT_URL": endpoint, "AWS_S3_REGION_NAME": "fr-par",
                        "AWS_STORAGE_BUCKET_NAME": "anct-medias",
                        "AWS_PRIVATE_STORAGE_BUCKET_NAME": "anct-prive"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="fr-par")
    for bucket in ("anct-medias", "anct-prive"):
        client.create_bucket(Bucket=bucket,
                             CreateBucketConfiguration={"LocationConstraint": "fr-par"})
    yield client
    server.stop()


@pytest.fixture
def s3_storages(s3, settings):
    """STORAGES as config/settings/ makes them with the bucket variables set."""
    settings.STORAGES = fresh_settings()["STORAGES"]
    return s3


def keys(client, bucket):
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_without_buckets_uploads_stay_on_local_disk():
    storages = fresh_settings()["STORAGES"]
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["private"]["BACKEND"] == "accounts.private_files.PrivateStorage"


def test_a_wagtail_document_goes_to_the_public_bucket(s3_storages):
    from wagtail.documents.models import Document

    document = Document(title="Programme 2027")
    document.file.save("programme-2027.pdf", ContentFile(b"%PDF-1.4 programme"), save=True)
    [key] = keys(s3_storages, "anct-medias")
    assert key.endswith(".pdf") and key.startswith("documents/")
    assert keys(s3_storages, "anct-prive") == []
    body = s3_storages.get_object(Bucket="anct-medias", Key=key)["Body"].read()
    assert body == b"%PDF-1.4 programme"
    assert "Signature=" not in document.file.url and "X-Amz" not in document.file.url


def test_an_export_goes_to_the_private_bucket_and_only_its_requester_downloads_it(
        s3_storages, client, monkeypatch):
    from dashboards.models import ExportJob

    owner = User.objects.create_user(email="pref@example.org", password="Mot-de-passe-2026!")
    other = User.objects.create_user(email="autre@example.org", password="Mot-de-passe-2026!")
    # The field calls its storage callable once, when the model is defined: as a process
    # started with these settings would, call it again now.
    field = ExportJob._meta.get_field("file")
    monkeypatch.setattr(field, "storage", field._storage_callable())
    job = ExportJob.objects.create(requester=owner, level="department", territory_code="60",
                                   status=ExportJob.Status.DONE)
    job.file.save("activite-60.xlsx", ContentFile(b"PK tableur"), save=True)
    [key] = keys(s3_storages, "anct-prive")
    assert key.startswith("exports/dashboards/")
    assert keys(s3_storages, "anct-medias") == []

    url = reverse("dashboards:export_download", args=[job.pk])
    client.force_login(other)
    assert client.get(url).status_code in (403, 404)
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK tableur"
    assert response["Cache-Control"] == "private, no-store"
