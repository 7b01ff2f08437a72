"""Course pictures: shown on catalogue cards, home cards and the course page, each with its
alt text; the demo courses have one."""

import io
import re

import pytest
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage
from wagtail.images.models import Image

from cms.models import PageIllustration
from tests import factories as make

pytestmark = pytest.mark.django_db

ALT = "Des élus autour d'une maquette de centre-bourg"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def picture(title="Maquette"):
    data = io.BytesIO()
    PILImage.new("RGB", (800, 450), (40, 120, 60)).save(data, format="PNG")
    image = Image(title=title)
    image.file.save("maquette.png", ImageFile(data, name="maquette.png"), save=False)
    image.save()
    return image


def illustrated(title, alt=ALT):
    course = make.course(title)
    course.illustrations = [PageIllustration(image=picture(), alt=alt)]
    course.save_revision().publish()
    return course


def images_with_alt(html):
    return re.findall(r'<img alt="([^"]*)"[^>]*class="fr-responsive-img', html)


def test_course_card_and_page_show_the_picture_with_its_alt_text(client):
    course = illustrated("Revitaliser son centre-bourg")
    catalogue = client.get("/formations/").content.decode()
    assert images_with_alt(catalogue) == [ALT.replace("'", "&#x27;")]
    assert '<div class="fr-card__img">' in catalogue
    page = client.get(course.url).content.decode()
    assert ALT.replace("'", "&#x27;") in images_with_alt(page)


def test_home_highlights_show_the_course_picture(client):
    course = illustrated("Revitaliser son centre-bourg")
    home = make.home()
    home.highlighted_pages = [("page", course)]
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert ALT.replace("'", "&#x27;") in images_with_alt(html)


def test_a_course_without_picture_has_a_card_without_image(client):
    make.course("Formation sans image")
    assert "fr-card__img" not in client.get("/formations/").content.decode()


def test_catalogue_reads_pictures_in_a_fixed_number_of_queries(client):
    for n in range(2):
        illustrated(f"Formation {n}")
    client.get("/formations/")  # renditions made once
    with CaptureQueriesContext(connection) as two:
        client.get("/formations/")
    for n in range(2, 6):
        illustrated(f"Formation {n}")
    client.get("/formations/")
    with CaptureQueriesContext(connection) as six:
        client.get("/formations/")
    assert len(six) == len(two)


def test_demo_courses_have_a_picture_with_alt_text():
    from academy.models import CoursePage
    from demo.content import create_demo_content

    make.geography()
    create_demo_content()
    courses = CoursePage.objects.live()
    assert courses.count() == 12
    for course in courses:
        illustration = course.illustrations.get()
        assert illustration.alt.startswith("Dessin : ") and illustration.image.width == 1200
    assert Image.objects.count() == 3  # one per scene, shared


def test_editor_gives_a_course_its_picture_and_alt_text_in_the_admin(client):
    from academy.models import CoursePage
    from accounts.roles import Role
    from tests.cms.test_editorial import course_form

    catalog = make.catalog()
    client.force_login(make.staff_user(Role.ANCT_EDITOR))
    image = picture()
    data = course_form(client, catalog)
    assert data["illustrations-TOTAL_FORMS"] == "0"
    data.update({"illustrations-TOTAL_FORMS": "1", "illustrations-0-image": str(image.pk),
                 "illustrations-0-alt": ALT, "illustrations-0-ORDER": "1",
                 "illustrations-0-id": "", "illustrations-0-DELETE": ""})
    response = client.post(f"/admin/pages/add/academy/coursepage/{catalog.pk}/", data)
    assert response.status_code == 302
    course = CoursePage.objects.get(slug="revitaliser-son-centre-bourg")
    revision = course.get_latest_revision_as_object()
    assert [(i.image, i.alt) for i in revision.illustrations.all()] == [(image, ALT)]
