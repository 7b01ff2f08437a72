"""The demo élu finds the documents of their next training and the replay of the past one
on "Mon espace", and downloads the slides."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from academy.models import Attendance, Enrolment
from demo.enrolments import attach_demo_materials
from tests import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_space_lists_materials_and_replay_and_downloads_them(
        live_server, browser, screenshot, tmp_path):
    communes = make.geography()
    elu = get_user_model().objects.create_user(email="elu@demo.anct.fr", password="x",
                                               first_name="Camille", last_name="Durand")
    upcoming = make.session(make.course("Piloter un projet de territoire"), None, days=12,
                            remote_url="https://webconf.numerique.gouv.fr/academie-projet")
    Enrolment.objects.create(session=upcoming, user=elu, status="confirmed")
    start = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=20),
                                                 datetime.min.time().replace(hour=9)))
    past = make.session(make.course("Construire le budget communal"), communes["Beauvais"],
                        start=start, end=start + timedelta(hours=8))
    attended = Enrolment.objects.create(session=past, user=elu, status="confirmed")
    Attendance.objects.create(enrolment=attended, day=start.date(), period="am",
                              status="present")
    assert attach_demo_materials() == 3

    context, page = signed_in_page(browser, live_server, elu, accept_downloads=True)
    page.goto(f"{live_server.url}/espace/")
    card = page.locator("[data-enrolment]", has_text="Piloter un projet de territoire")
    assert card.get_by_text("Supports de la session").is_visible()
    past_card = page.locator("[data-enrolment]", has_text="Construire le budget communal")
    assert past_card.get_by_role("link", name="Voir le replay").is_visible()
    screenshot(page, "materials")
    with page.expect_download() as download_info:
        card.get_by_role("link", name="Diaporama de présentation").click()
    target = tmp_path / "slides.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    context.close()
