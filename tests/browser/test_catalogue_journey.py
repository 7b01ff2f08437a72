import re

import pytest

from tests import factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    communes = make.geography()
    ecology, digital = make.theme("Transition écologique"), make.theme("Numérique")
    zan = make.course("Zéro artificialisation nette", themes=[ecology])
    make.session(zan, communes["Beauvais"], days=25, capacity=18, trainers="Anne Leroy")
    make.session(zan, communes["Lille"], days=60)
    other = make.course("Piloter la transition écologique", themes=[ecology])
    make.session(other, communes["Paris"], days=30)
    cyber = make.course("Cybersécurité des collectivités", themes=[digital])
    make.session(cyber, communes["Compiègne"], days=12)
    return zan


@pytest.mark.parametrize("width", [1280, 375])
def test_filter_the_catalogue_by_theme_and_department_then_read_a_course(
    live_server, browser, catalogue, width
):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/formations/")
    assert page.get_by_role("heading", name="Formations", level=1).is_visible()
    assert "3 formations" in page.locator("#catalog-count").inner_text()

    page.get_by_label("Thème", exact=True).select_option(label="Transition écologique")
    page.get_by_label("Département", exact=True).select_option(value="60")
    page.get_by_role("button", name="Appliquer les filtres").click()

    page.wait_for_url(re.compile(r"theme=transition-ecologique.*department=60"))
    assert "1 formation correspond" in page.locator("#catalog-count").inner_text()
    results = page.locator("#catalog-count + ul > li")
    assert results.count() == 1
    assert "Beauvais (60)" in results.first.inner_text()
    assert "18 places restantes" in results.first.inner_text()

    results.first.get_by_role("link", name="Zéro artificialisation nette").click()
    page.wait_for_url(re.compile(r"/formations/formation-\d+/$"))
    assert page.get_by_role("heading", name="Zéro artificialisation nette").is_visible()
    sessions = page.locator("#sessions-title + div .fr-card")
    assert sessions.count() == 2
    assert "Beauvais (60)" in sessions.first.inner_text()
    assert "Avec Anne Leroy" in sessions.first.inner_text()

    # Nothing overflows sideways on a phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()


def test_clearing_filters_from_an_empty_result(live_server, page, catalogue):
    page.goto(f"{live_server.url}/formations/?q=astronautique")
    assert page.get_by_role("heading", name="Aucune formation ne correspond à ces critères")
    page.get_by_role("link", name="effacez les filtres").click()
    page.wait_for_url(re.compile(r"/formations/$"))
    assert "3 formations" in page.locator("#catalog-count").inner_text()
