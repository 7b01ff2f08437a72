"""The public catalogue at /formations/: filters, pagination, next session, empty state."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from academy.models import Audience, Enrolment, Format, Session
from tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    """Four courses, sessions in Paris, Beauvais, Lille and remote, at various dates."""
    communes = make.geography()
    ecology, digital = make.theme("Transition écologique"), make.theme("Numérique")
    courses = {
        "zan": make.course("Zéro artificialisation nette", themes=[ecology],
                           objectives="<ul><li>Mobiliser les friches</li></ul>"),
        "cyber": make.course("Cybersécurité des collectivités", themes=[digital],
                             format=Format.REMOTE),
        "budget": make.course("Construire le budget communal", audience=Audience.AGENTS),
        "draft": make.course("Brouillon non publié", themes=[ecology], publish=False),
    }
    make.session(courses["zan"], communes["Paris"], days=20)
    make.session(courses["zan"], communes["Beauvais"], days=80)
    make.session(courses["cyber"], None, days=15)
    make.session(courses["budget"], communes["Lille"], days=40, capacity=1)
    make.session(courses["draft"], communes["Paris"], days=10)
    return courses


def titles(response):
    return [course.title for course in response.context["courses"]]


def test_lists_published_courses_only_in_title_order(client, catalogue):
    response = client.get("/formations/")
    assert response.status_code == 200
    assert titles(response) == [
        "Construire le budget communal", "Cybersécurité des collectivités",
        "Zéro artificialisation nette",
    ]


@pytest.mark.parametrize("query, expected", [
    ("theme=transition-ecologique", ["Zéro artificialisation nette"]),
    ("format=remote", ["Cybersécurité des collectivités"]),
    ("audience=agents", ["Construire le budget communal"]),
    ("region=32", ["Construire le budget communal", "Zéro artificialisation nette"]),
    ("department=60", ["Zéro artificialisation nette"]),
    ("department=59", ["Construire le budget communal"]),
    ("q=friches", ["Zéro artificialisation nette"]),
    ("q=cybersécurité", ["Cybersécurité des collectivités"]),
])
def test_each_filter_narrows_the_list(client, catalogue, query, expected):
    assert titles(client.get(f"/formations/?{query}")) == expected


def test_date_range_keeps_courses_with_a_session_in_the_range(client, catalogue):
    today = timezone.localdate()
    start, end = today + timedelta(days=30), today + timedelta(days=90)
    response = client.get(f"/formations/?date_from={start}&date_to={end}")
    assert titles(response) == ["Construire le budget communal", "Zéro artificialisation nette"]


def test_available_seats_only_hides_full_sessions(client, catalogue):
    budget_session = Session.objects.get(course=catalogue["budget"])
    elu = get_user_model().objects.create_user(email="elu@example.fr", password="x")
    Enrolment.objects.create(session=budget_session, user=elu, status="confirmed")
    response = client.get("/formations/?available=on")
    assert "Construire le budget communal" not in titles(response)
    assert "Zéro artificialisation nette" in titles(response)


def test_filters_combine(client, catalogue):
    response = client.get("/formations/?theme=transition-ecologique&region=32&format=on_site")
    assert titles(response) == ["Zéro artificialisation nette"]
    response = client.get("/formations/?theme=transition-ecologique&department=59")
    assert titles(response) == []


def test_session_filters_show_the_matching_session_as_next(client, catalogue):
    response = client.get("/formations/?department=60")
    (course,) = response.context["courses"]
    assert course.next_session.commune.name == "Beauvais"
    html = response.content.decode()
    assert "Beauvais (60)" in html and "20 places restantes" in html


def test_each_result_shows_next_session_place_and_seats(client, catalogue):
    html = client.get("/formations/").content.decode()
    assert "Paris (75)" in html  # the earliest Zéro artificialisation session
    assert "À distance" in html
    assert "1 place restante" in html


def test_empty_result_says_so_and_offers_to_clear_filters(client, catalogue):
    response = client.get("/formations/?q=astronautique")
    html = response.content.decode()
    assert "Aucune formation ne correspond à ces critères" in html
    assert "effacez les filtres" in html


def test_filters_are_kept_in_the_form_and_pagination_links(client, catalogue):
    for n in range(14):
        course = make.course(f"Numérique {n:02d}", themes=[make.theme("Numérique")])
        make.session(course, days=5 + n)
    response = client.get("/formations/?theme=numerique")
    html = response.content.decode()
    assert response.context["total"] == 15
    assert len(response.context["courses"]) == 12
    assert 'href="?theme=numerique&amp;page=2"' in html
    assert '<option value="numerique" selected>' in html
    page_two = client.get("/formations/?theme=numerique&page=2")
    assert len(page_two.context["courses"]) == 3


def test_invalid_dates_are_explained_and_do_not_break_the_list(client, catalogue):
    response = client.get("/formations/?date_from=2030-05-10&date_to=2030-05-01")
    html = response.content.decode()
    assert "La date de fin doit suivre la date de début." in html
    assert response.status_code == 200
    response = client.get("/formations/?date_from=pas-une-date")
    assert response.status_code == 200
    assert "Saisissez une date valide." in response.content.decode()


def test_past_and_cancelled_sessions_are_not_the_next_one(client, catalogue):
    Session.objects.filter(course=catalogue["cyber"]).update(status=Session.Status.CANCELLED)
    html = client.get("/formations/?format=remote").content.decode()
    assert "Aucune session programmée pour le moment." in html


def test_course_page_shows_upcoming_sessions_with_seats_and_enrol_button(client, catalogue):
    past = make.session(catalogue["zan"], days=-30)
    response = client.get(catalogue["zan"].url)
    html = response.content.decode()
    assert response.status_code == 200
    assert [s.commune.name for s in response.context["sessions"]] == ["Paris", "Beauvais"]
    assert past not in list(response.context["sessions"])
    assert "Mobiliser les friches" in html
    assert "20 places restantes" in html
    assert "S&#x27;inscrire" in html or "S'inscrire" in html
