"""The enrolment journey with the keyboard alone, under the site's real Content-Security-Policy:
an élu opens the catalogue, skips to the content, tabs to a course, opens it, tabs to
"S'inscrire" (whose focus can be seen) and presses Enter. No mouse: no click() anywhere."""

import re
from datetime import date

import pytest

from academy.models import Enrolment, Mandate, OfficialProfile
from accounts.models import User
from tests import factories as make
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80
FOCUSED = """() => {
    const element = document.activeElement;
    return {tag: element.tagName.toLowerCase(), text: (element.innerText || '').trim(),
            href: element.getAttribute('href') || ''};
}"""
FOCUS_RING = """() => {
    const style = getComputedStyle(document.activeElement);
    return {outline: style.outlineStyle, outlineWidth: style.outlineWidth,
            shadow: style.boxShadow};
}"""


def tab_to(page, matches, what):
    """Presses Tab until the focused element satisfies ``matches``; returns it."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if matches(focused):
            return focused
    raise AssertionError(f"{what} not reached after {MAX_TABS} presses of Tab")


def test_an_elected_official_enrols_with_the_keyboard_alone(live_server, browser):
    communes = make.geography()
    make.course("Cybersécurité des collectivités")
    course = make.course("Gérer une crise sur son territoire")
    session = make.session(course, communes["Beauvais"], trainers="Anne Leroy")
    lucie = User.objects.create_user(email="lucie.bernard@mairie-beauvais.fr",
                                     password="x", first_name="Lucie",
                                     last_name="Bernard")
    Mandate.objects.create(profile=OfficialProfile.objects.create(user=lucie), role="maire",
                           commune=communes["Beauvais"], started_on=date(2020, 7, 4))
    context, page = signed_in_page(browser, live_server, lucie)

    page.goto(f"{live_server.url}/formations/")
    # The first Tab reaches the skip links; "Contenu" jumps over the header and its menu.
    assert tab_to(page, lambda f: f["tag"] == "a", "a skip link")["text"] == "Contenu"
    page.keyboard.press("Enter")
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == course.title, "the course's link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(course.url) + "$"))

    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "S'inscrire",
           "the enrol button")
    ring = page.evaluate(FOCUS_RING)
    assert (ring["outline"] != "none" and ring["outlineWidth"] != "0px") \
        or ring["shadow"] != "none", f"the focused enrol button shows no focus: {ring}"
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/espace/$"))
    assert page.get_by_role("heading", name="Mon espace", level=1).is_visible()
    assert (f"Votre inscription à « {course.title} » est confirmée"
            in page.locator(".fr-alert").first.inner_text())
    enrolment = Enrolment.objects.get(user=lucie)
    assert enrolment.session == session and enrolment.status == Enrolment.Status.CONFIRMED
    context.close()
