"""Dashboard exports are private files (accounts.private_files): outside MEDIA_ROOT, so that
the /media/ location, served to everyone for Wagtail's images, never serves them; only their
requester downloads them, through the view (or nginx, told by X-Accel-Redirect)."""

import importlib

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import include, path, re_path
from django.views.static import serve

from dashboards.exports import run_export_job
from dashboards.models import ExportJob
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db


def serve_media(request, path):
    """/media/ as a web server serves it (nginx `alias MEDIA_ROOT`, or DEBUG's static())."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve_media),
    path("", include("config.urls")),
]


@pytest.fixture(autouse=True)
def media_served(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def job():
    requester = make.admin()
    job = ExportJob.objects.create(requester=requester, level="national")
    assert run_export_job(job.pk) == ExportJob.Status.DONE
    job.refresh_from_db()
    return job


def download_url(job):
    return f"/tableau-de-bord/exports/{job.pk}/telecharger/"


def test_an_export_is_not_under_media_and_anonymous_requests_get_nothing(client, job):
    private_path = settings.PRIVATE_MEDIA_ROOT / job.file.name
    assert private_path.exists()
    assert not (settings.MEDIA_ROOT / job.file.name).exists()
    assert client.get(f"/media/{job.file.name}").status_code == 404
    anonymous = client.get(download_url(job))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/comptes/login/")
    with pytest.raises(ValueError):
        assert not job.file.url  # no public address at all: an error


def test_only_the_requester_downloads_it(client, job):
    client.force_login(job.requester)
    response = client.get(download_url(job))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"  # the XLSX (a zip)
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(make.admin())  # even another ANCT administrator
    assert client.get(download_url(job)).status_code == 404


def test_behind_nginx_the_file_is_handed_over_by_x_accel_redirect(client, job, settings):
    settings.PRIVATE_FILES_ACCEL_REDIRECT = "/_private/"
    client.force_login(job.requester)
    response = client.get(download_url(job))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_private/{job.file.name}"
    assert response["Content-Disposition"].startswith('attachment; filename="activite-')
    client.force_login(make.admin())
    assert "X-Accel-Redirect" not in client.get(download_url(job))


def test_the_migration_moves_exports_written_under_media(settings):
    """Exports written before the private storage existed leave MEDIA_ROOT."""
    name = "exports/dashboards/0f0f/activite-national-france-20260101.xlsx"
    storages["default"].save(name, ContentFile(b"PK old export"))
    job = ExportJob.objects.create(requester=make.admin(), level="national",
                                   status=ExportJob.Status.DONE, file=name)
    migration = importlib.import_module("advisors.migrations.0006_private_export_files")
    # The models as that migration knew them (ExportJob has since moved to dashboards).
    apps = MigrationLoader(connection).project_state(
        ("advisors", "0006_private_export_files")).apps
    migration.move_to_private_storage(apps, None)
    assert not (settings.MEDIA_ROOT / name).exists()
    job.refresh_from_db()
    assert job.file.read() == b"PK old export"


def test_a_private_root_inside_the_public_media_is_refused_at_start(settings, tmp_path):
    from accounts.private_files import check_private_root

    assert check_private_root() == []
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT / "prive"
    assert [error.id for error in check_private_root()] == ["accounts.E001"]



def test_attendance_sheets_are_never_files_and_only_staff_get_them(client, settings):
    """Built for each allowed request (names of participants): nothing under /media/, nor
    kept by a shared cache."""
    from accounts.models import User
    from accounts.roles import Role
    from tests import factories as site

    site.ensure_site()
    session = site.session(site.course("Gérer une crise"))  # remote: no commune needed
    url = f"/admin/academie/sessions/{session.pk}/emargement.pdf"
    assert client.get(url)["Location"].startswith("/comptes/login/")
    client.force_login(User.objects.create_user(email="maire@beauvais.fr", password="x"))
    assert client.get(url).status_code == 403
    client.force_login(site.staff_user(Role.ANCT_ADMIN))
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        assert not root.exists() or not any(path.is_file() for path in root.rglob("*"))
