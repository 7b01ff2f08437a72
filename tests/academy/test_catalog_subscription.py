"""The catalogue's "S'abonner" and download links carry every filter the feed can express
(search words, theme, format, public, territory, dates) and say which one it cannot
("places disponibles"); both buttons have a visible label."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from calendars.events import make_uid
from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    communes = make.geography()
    cyber = make.course("Cybersécurité des collectivités")
    budget = make.course("Construire le budget communal")
    return {
        "cyber soon": make.session(cyber, communes["Beauvais"], days=10),
        "cyber later": make.session(cyber, communes["Beauvais"], days=100),
        "budget soon": make.session(budget, communes["Beauvais"], days=10),
    }


def feed_link(html):
    return re.search(r'href="(/calendrier/formations\.ics[^"]*)"', html).group(1) \
        .replace("&amp;", "&")


def subscribed_uids(client, link):
    response = client.get(link)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return {str(event["UID"]) for event in Calendar.from_ical(body).events}


def test_subscription_keeps_the_search_words_and_dates(client, catalogue):
    until = timezone.localdate() + timedelta(days=30)
    html = client.get("/formations/", {"q": "cyber", "date_to": until.isoformat()}).content \
        .decode()
    link = feed_link(html)
    assert "q=cyber" in link and f"date_to={until.isoformat()}" in link
    assert 'href="webcal://testserver' + link.replace("&", "&amp;") + '"' in html
    assert subscribed_uids(client, link) == {make_uid("session", catalogue["cyber soon"].pk)}


def test_feed_name_says_which_words_and_dates_it_follows(client, catalogue):
    since = timezone.localdate() + timedelta(days=50)
    response = client.get("/calendrier/formations.ics",
                          {"q": "cyber", "date_from": since.isoformat()})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    calendar = Calendar.from_ical(body)
    assert "« cyber »" in str(calendar["X-WR-CALNAME"])
    assert "à partir du" in str(calendar["X-WR-CALNAME"])
    assert {str(e["UID"]) for e in calendar.events} == {
        make_uid("session", catalogue["cyber later"].pk)}


@pytest.mark.parametrize("query", ["date_from=demain", "date_to=2026-02-30", "q=%22",
                                   "date_from=2030-01-02&date_to=2030-01-01"])
def test_feed_refuses_what_it_cannot_read_in_french(client, query):
    response = client.get(f"/calendrier/formations.ics?{query}")
    assert response.status_code == 400
    assert "Copiez le lien d'abonnement depuis le catalogue" in response.content.decode()


def test_available_seats_filter_is_said_to_be_left_out_of_the_subscription(client, catalogue):
    html = client.get("/formations/", {"available": "on", "q": "cyber"}).content.decode()
    assert "available" not in feed_link(html)
    assert "ne s'applique pas à l'abonnement" in html
    assert "ne s'applique pas" not in client.get("/formations/", {"q": "cyber"}).content.decode()


def test_both_calendar_buttons_have_a_visible_label(client, catalogue):
    html = client.get("/formations/").content.decode()
    box = html[html.index('id="catalog-calendar"'):]
    box = box[:box.index("</ul>")]
    labels = [re.sub(r"<[^>]+>", "", link).strip()
              for link in re.findall(r"<a [^>]*>.*?</a>", box, re.S)]
    assert labels == ["S'abonner dans mon agenda", "Télécharger le fichier agenda (.ics)"]
    # In a small DSFR button group, buttons with an icon show the icon alone (their text cut
    # to 2 rem) unless the group itself says where icons go.
    group = re.search(r'<ul class="([^"]*fr-btns-group--sm[^"]*)"', box).group(1).split()
    assert "fr-btns-group--icon-left" in group
