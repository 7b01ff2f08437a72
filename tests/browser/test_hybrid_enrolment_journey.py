"""On a 375 px phone, an élu with two mandates enrols in a hybrid session starting in
20 minutes: chooses "À distance" and the mandate, sees "Rejoindre la visio", the status and
the actions of each enrolment without scrolling sideways, then cancels after confirming."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from academy.models import Enrolment, Mandate, OfficialProfile
from accounts.models import User
from tests import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
VISIO = "https://webconf.example.fr/academie-zan"


def within_the_screen(locator):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_hybrid_enrolment_remote_with_visio_then_cancellation_with_confirmation_on_a_phone(
        live_server, browser, screenshot):
    communes = make.geography()
    course = make.course("Zéro artificialisation nette", format="hybrid")
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=20)
    session = make.session(course, communes["Beauvais"], start=start,
                           end=start + timedelta(hours=3), remote_url=VISIO,
                           address="Hôtel de ville", enrolment_closes=start,
                           cancellation_deadline=start)
    lucie = User.objects.create_user(email="lucie.bernard@mairie-beauvais.fr", password="x",
                                     first_name="Lucie", last_name="Bernard")
    profile = OfficialProfile.objects.create(user=lucie)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 4))
    departemental = Mandate.objects.create(
        profile=profile, role="conseiller_departemental",
        department=communes["Beauvais"].department, started_on=date(2021, 7, 1))
    context, page = signed_in_page(browser, live_server, lucie, viewport=PHONE)

    # The course page says the session is hybrid; "S'inscrire" asks how and for which mandate.
    page.goto(f"{live_server.url}{course.url}")
    card = page.locator(f"#session-{session.pk}")
    assert "ou à distance, au choix" in card.inner_text()
    card.get_by_role("button", name="S'inscrire").click()
    page.wait_for_url(re.compile(rf"/inscriptions/sessions/{session.pk}/$"))
    page.get_by_role("button", name="Confirmer mon inscription").click()
    assert page.get_by_text("Choisissez « Sur place » ou « À distance ».").is_visible()
    assert page.get_by_text("Choisissez l'un de vos mandats.").is_visible()
    assert not Enrolment.objects.exists()
    screenshot(page, "choices-with-errors")
    # DSFR draws each radio button on its label: people tap the label.
    page.locator("label", has_text="À distance, par visioconférence").click()
    page.locator("label", has_text="Conseiller départemental — Oise (60)").click()
    page.get_by_role("button", name="Confirmer mon inscription").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    enrolment = Enrolment.objects.get(user=lucie)
    assert enrolment.attendance_mode == "remote" and enrolment.mandate == departemental

    # Mon espace on the phone: the visio button, the status and the actions are on screen.
    card = page.locator(f'[data-enrolment="{enrolment.pk}"]')
    join = card.get_by_role("link", name="Rejoindre la visio")
    assert join.get_attribute("href") == VISIO
    status = card.locator(".fr-badge")
    cancel = card.get_by_role("link", name="Annuler mon inscription")
    assert "Confirmée" in status.text_content()
    for element in (join, status, cancel):
        assert element.is_visible() and within_the_screen(element), element
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "mon-espace")

    # The course page offers the visio too.
    page.goto(f"{live_server.url}{course.url}")
    assert page.locator(f"#session-{session.pk}").get_by_role(
        "link", name="Rejoindre la visio").get_attribute("href") == VISIO

    # Cancelling asks first; "Non" keeps the seat, "Oui" cancels.
    page.goto(f"{live_server.url}/espace/")
    page.locator(f'[data-enrolment="{enrolment.pk}"]').get_by_role(
        "link", name="Annuler mon inscription").click()
    assert page.get_by_role("heading", name="Voulez-vous vraiment annuler ?").is_visible()
    screenshot(page, "cancel-confirmation")
    page.get_by_role("link", name="Non, garder mon inscription").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CONFIRMED
    page.locator(f'[data-enrolment="{enrolment.pk}"]').get_by_role(
        "link", name="Annuler mon inscription").click()
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    page.wait_for_url(re.compile(r"/espace/$"))
    assert "est annulée" in page.locator(".fr-alert").first.inner_text()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CANCELLED
    context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_enrolment_choice_cancellation_and_mon_espace_pages_pass_axe(
        live_server, browser, width):
    from tests.browser.test_accessibility import axe_context, check_pages

    communes = make.geography()
    course = make.course("Zéro artificialisation nette", format="hybrid")
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=20)
    session = make.session(course, communes["Beauvais"], start=start,
                           end=start + timedelta(hours=3), remote_url=VISIO,
                           enrolment_closes=start, cancellation_deadline=start)
    other = make.session(make.course("Budget communal"), communes["Beauvais"])
    lucie = User.objects.create_user(email="lucie.bernard@mairie-beauvais.fr", password="x",
                                     first_name="Lucie", last_name="Bernard")
    profile = OfficialProfile.objects.create(user=lucie)
    Mandate.objects.create(profile=profile, role="maire", commune=communes["Beauvais"],
                           started_on=date(2020, 7, 4))
    Mandate.objects.create(profile=profile, role="conseiller_departemental",
                           department=communes["Beauvais"].department,
                           started_on=date(2021, 7, 1))
    enrolment = Enrolment.objects.create(session=other, user=lucie, status="confirmed",
                                         attendance_mode="on_site")
    # At the same time, in another hybrid session, remote: "Rejoindre la visio" in Mon espace,
    # and a warning on the enrolment page.
    joined = make.session(make.course("Cybersécurité"), communes["Compiègne"], start=start,
                          end=start + timedelta(hours=3), remote_url=VISIO,
                          enrolment_closes=start, cancellation_deadline=start)
    Enrolment.objects.create(session=joined, user=lucie, status="confirmed",
                             attendance_mode="remote")
    pages = [
        (f"/inscriptions/sessions/{session.pk}/", 200),
        (f"/inscriptions/sessions/{session.pk}/", 200, "M'inscrire quand même"),
        (f"/inscriptions/{enrolment.pk}/annuler/", 200),
        ("/espace/", 200),
    ]
    context = axe_context(browser, live_server, lucie,
                          viewport={"width": width, "height": 900})
    assert check_pages(context, live_server.url, pages) == 4
    page = context.new_page()
    page.goto(f"{live_server.url}/espace/")
    assert page.get_by_role("link", name="Rejoindre la visio").count() == 1
    page.goto(f"{live_server.url}/inscriptions/sessions/{session.pk}/")
    assert "a lieu en même temps que « Cybersécurité »" in page.content()
    context.close()
