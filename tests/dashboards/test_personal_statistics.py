"""Personal statistics (issue #18, 2): "Mes statistiques" for an advisor, "Statistiques de mon
équipe" for a coordinator, "Statistiques de ma structure" for its managers, with their
filters and CSV/XLSX exports, read from the advisors' monthly totals (never the reports),
each person seeing only their own scope."""

import csv
import datetime
import html
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from advisors.models.activity import first_correctable_date
from advisors.services.activity import correct_activity, delete_activity
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = first_correctable_date(TODAY)


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def team(advisor, structure, place, communes):
    """Inès (the conftest's advisor, at the Beauvais structure) has three reports; her
    coordinator; Bruno, another advisor of another structure, has one (seen by nobody
    here)."""
    coordinator = make.advisor(make.user(email="coord@conseiller-numerique.fr",
                                         role=Role.COORDINATOR), is_coordinator=True,
                               first_name="Carla", last_name="Coordinatrice")
    coordinator.coordinated.add(advisor)
    elsewhere = make.validated_structure(communes["Paris"])
    bruno = make.advisor(make.user(email="bruno@conseiller-numerique.fr"),
                         first_name="Bruno", last_name="Ailleurs")
    make.contract(elsewhere, bruno)
    reports = [
        make.activity_report(advisor, communes["Beauvais"], structure, date=TODAY,
                             themes=["email", "smartphone"]),  # a workshop of 3
        make.activity_report(advisor, communes["Beauvais"], structure, date=LAST_MONTH,
                             kind="individual", participants=1, age_18_35=0, age_35_60=0,
                             age_over_60=1, status_employed=0, status_retired=1,
                             channel="service_point", service_point=place,
                             themes=["health"]),
        make.activity_report(advisor, communes["Compiègne"], structure, date=LAST_MONTH,
                             themes=["email"], channel="home"),
    ]
    make.activity_report(bruno, communes["Paris"], elsewhere, date=TODAY, participants=7,
                         age_18_35=7, age_35_60=0, age_over_60=0, status_employed=7,
                         status_retired=0, themes=["email"])
    return {"advisor": advisor, "coordinator": coordinator, "bruno": bruno,
            "reports": reports, "elsewhere": elsewhere}


def as_user(client, user):
    client.force_login(user)
    return client


def key_figures(response):
    page = text(response)
    start = page.index('class="statistics-key-figures')
    return page[start:page.index("</ul>", start)]


def chart_rows(response, title):
    """{category: value} of one chart's table."""
    page = text(response)
    start = page.index(f"<caption>{title}</caption>")
    table = page[start:page.index("</table>", start)]
    rows = {}
    for row in table.split("<tr>")[2:]:
        label = row.split('<th scope="row">')[1].split("</th>")[0]
        rows[label] = int(row.split("<td>")[1].split("</td>")[0])
    return rows


# --- what each person sees ---------------------------------------------------------------------
def test_an_advisor_sees_their_own_figures_only(client, team, advisor):
    response = as_user(client, advisor.user).get(reverse("dashboards:my_statistics"))
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Mes statistiques</h1>" in page
    figures = key_figures(response)
    assert "<strong>3</strong> accompagnements" in figures
    assert "<strong>7</strong> personnes accompagnées" in figures  # 3 + 1 + 3, not Bruno's 7
    assert chart_rows(response, "Accompagnements par type") == {
        "Accompagnement individuel": 1, "Atelier collectif": 2}  # no old "demande ponctuelle"
    themes = chart_rows(response, "Accompagnements par thème")
    assert (themes["Courriels"], themes["Santé"], themes["Gérer son budget"]) == (2, 1, 0)
    old_kind = make.activity_report(advisor, team["reports"][0].commune, kind="one_off",
                                    participants=1, age_18_35=1, age_35_60=0,
                                    age_over_60=0, status_employed=1, status_retired=0)
    assert old_kind.kind == "one_off"
    rows = chart_rows(as_user(client, advisor.user).get(reverse("dashboards:my_statistics")),
                      "Accompagnements par type")
    assert rows["Demande ponctuelle"] == 1
    assert chart_rows(response, "Accompagnements par canal")["À domicile"] == 1
    places = chart_rows(response, "Accompagnements par lieu d'activité")
    assert places["Médiathèque du Quadrilatère (Beauvais)"] == 1
    assert sum(places.values()) == 3
    assert chart_rows(response, "Personnes accompagnées par tranche d'âge")[
        "plus de 60 ans"] == 3  # one in each workshop, and the individual one
    assert chart_rows(response, "Personnes accompagnées par situation")["retraités"] == 3
    months = chart_rows(response, "Accompagnements par mois")
    assert len(months) == 12 and sum(months.values()) == 3
    assert "Bruno" not in page


def test_filters_by_kind_theme_and_months_narrow_every_figure(client, team, advisor):
    client = as_user(client, advisor.user)
    url = reverse("dashboards:my_statistics")
    response = client.get(url, {"type": "workshop"})
    assert "<strong>2</strong> accompagnements" in key_figures(response)
    response = client.get(url, {"theme": "email"})
    assert "<strong>2</strong> accompagnements" in key_figures(response)
    assert chart_rows(response, "Accompagnements par thème") == {"Courriels": 2}
    response = client.get(url, {"theme": "health", "type": "workshop"})
    assert "<strong>0</strong> accompagnement<" in key_figures(response)
    response = client.get(url, {"du": f"{THIS_MONTH:%Y-%m}", "au": f"{THIS_MONTH:%Y-%m}"})
    assert "<strong>1</strong> accompagnement<" in key_figures(response)
    assert len(chart_rows(response, "Accompagnements par mois")) == 1
    # The presets keep the kind and theme chosen.
    response = client.get(url, {"type": "individual"})
    assert "type=individual" in text(response).split("Périodes :")[1]


def test_corrections_and_deletions_show_at_once(client, team, advisor, communes):
    client = as_user(client, advisor.user)
    reports = team["reports"]
    correct_activity(reports[0], make.activity_data(
        date=TODAY, kind="individual", participants=1, age_18_35=0, age_35_60=0,
        age_over_60=1, status_employed=0, status_retired=1, themes=["budget"],
        commune=communes["Beauvais"]), advisor.user)
    delete_activity(reports[2], advisor.user)
    response = client.get(reverse("dashboards:my_statistics"))
    assert "<strong>2</strong> accompagnements" in key_figures(response)
    assert "<strong>2</strong> personnes" in key_figures(response)
    themes = chart_rows(response, "Accompagnements par thème")
    assert (themes["Gérer son budget"], themes["Courriels"]) == (1, 0)


def test_a_coordinator_sees_their_team_and_nobody_else(client, team, advisor):
    response = as_user(client, team["coordinator"].user).get(
        reverse("dashboards:team_statistics"))
    assert response.status_code == 200
    page = text(response)
    assert "Statistiques de mon équipe" in page
    assert "<strong>3</strong> accompagnements" in key_figures(response)
    assert chart_rows(response, "Accompagnements par conseiller") == {
        f"{advisor.first_name} {advisor.last_name}": 3}
    assert "Bruno" not in page
    # Their own page shows their own (empty) activity, not their team's.
    response = client.get(reverse("dashboards:my_statistics"))
    assert "<strong>0</strong> accompagnement<" in key_figures(response)


def test_a_manager_sees_their_structure_only(client, team, manager, structure):
    client = as_user(client, manager)
    response = client.get(reverse("dashboards:structure_statistics", args=[structure.pk]))
    assert response.status_code == 200
    assert "<strong>3</strong> accompagnements" in key_figures(response)
    assert structure.name in text(response)
    response = client.get(reverse("dashboards:structure_statistics",
                                  args=[team["elsewhere"].pk]))
    assert response.status_code == 403
    assert "Accès refusé" in text(response)


@pytest.mark.parametrize("who, url_name, allowed", [
    ("advisor", "dashboards:my_statistics", True),
    ("advisor", "dashboards:team_statistics", False),
    ("advisor", "structure", False),
    ("coordinator", "dashboards:team_statistics", True),
    ("coordinator", "structure", False),
    ("manager", "dashboards:my_statistics", False),
    ("manager", "dashboards:team_statistics", False),
    ("manager", "structure", True),
    ("prefect", "dashboards:my_statistics", False),
    ("prefect", "structure", False),
    ("admin", "dashboards:team_statistics", False),
    ("admin", "structure", False),
])
def test_each_page_opens_only_for_its_person(client, team, manager, structure, oise_prefect,
                                             who, url_name, allowed):
    people = {"advisor": team["advisor"].user, "coordinator": team["coordinator"].user,
              "manager": manager, "prefect": oise_prefect, "admin": make.admin()}
    url = (reverse("dashboards:structure_statistics", args=[structure.pk])
           if url_name == "structure" else reverse(url_name))
    response = as_user(client, people[who]).get(url)
    assert response.status_code == (200 if allowed else 403)


def test_anonymous_visitors_are_sent_to_the_login_page(client, structure):
    for url in (reverse("dashboards:my_statistics"), reverse("dashboards:team_statistics"),
                reverse("dashboards:structure_statistics", args=[structure.pk]),
                reverse("dashboards:my_statistics_export", args=["csv"])):
        response = client.get(url)
        assert response.status_code == 302 and "/comptes/" in response["Location"]


def test_the_dashboards_entry_sends_an_advisor_to_their_statistics(client, team, advisor):
    response = as_user(client, advisor.user).get(reverse("dashboards:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:my_statistics")


def test_my_space_links_to_each_roles_statistics(client, team, advisor, manager, structure):
    page = text(as_user(client, team["coordinator"].user).get(reverse("accounts:home")))
    assert reverse("dashboards:my_statistics") in page
    assert reverse("dashboards:team_statistics") in page
    page = text(as_user(client, advisor.user).get(reverse("accounts:home")))
    assert reverse("dashboards:my_statistics") in page
    assert reverse("dashboards:team_statistics") not in page
    page = text(as_user(client, manager).get(reverse("accounts:home")))
    assert reverse("dashboards:structure_statistics", args=[structure.pk]) in page
    assert reverse("dashboards:my_statistics") not in page


def test_the_pages_read_the_monthly_totals_never_the_reports(client, team, advisor, manager,
                                                             structure):
    pages = [(advisor.user, reverse("dashboards:my_statistics")),
             (team["coordinator"].user, reverse("dashboards:team_statistics")),
             (manager, reverse("dashboards:structure_statistics", args=[structure.pk]))]
    for user, url in pages:
        client = as_user(client, user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"theme": "email", "type": "workshop"})
        assert response.status_code == 200
        assert not [q for q in queries.captured_queries
                    if "advisors_activityreport" in q["sql"]], url
        assert len(queries) < 25, url


# --- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("query, message", [
    ({"du": "2026-13"}, "Saisissez un mois au format AAAA-MM"),
    ({"au": "demain"}, "Saisissez un mois au format AAAA-MM"),
    ({"du": "1999-12"}, "Choisissez un mois entre janvier 2020 et décembre 2100"),
    ({"du": "9999-01"}, "Choisissez un mois entre"),
    ({"du": "2026-06", "au": "2026-01"}, "Le mois de fin (janvier 2026) doit suivre"),
    ({"type": "<script>"}, "Sélectionnez un choix valide"),
    ({"theme": "nope"}, "Sélectionnez un choix valide"),
])
def test_a_wrong_filter_is_a_french_400_next_to_its_field(client, team, advisor, query,
                                                         message):
    client = as_user(client, advisor.user)
    response = client.get(reverse("dashboards:my_statistics"), query)
    assert response.status_code == 400
    page = text(response)
    assert message in page and "Les filtres demandés sont incorrects" in page
    assert "statistics-key-figures" not in page
    response = client.get(reverse("dashboards:my_statistics_export", args=["csv"]), query)
    assert response.status_code == 400
    assert response.content.decode().startswith("Filtres incorrects")


def test_a_nul_character_is_turned_away_with_a_400(client, team, advisor):
    response = as_user(client, advisor.user).get(reverse("dashboards:my_statistics"),
                                                 {"du": "2026-01\x00"})
    assert response.status_code == 400


def test_unknown_parameters_are_ignored(client, team, advisor):
    response = as_user(client, advisor.user).get(reverse("dashboards:my_statistics"),
                                                 {"page": "x", "tri": "-name", "du": ""})
    assert response.status_code == 200


# --- exports -------------------------------------------------------------------------------------
def test_the_exports_carry_the_figures_of_the_page(client, team, advisor):
    client = as_user(client, advisor.user)
    url = reverse("dashboards:my_statistics_export", args=["csv"])
    response = client.get(url, {"theme": "email"})
    assert response.status_code == 200
    assert "mes-statistiques" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Répartition", "Catégorie", "Nombre"]
    assert ["Total", "Accompagnements", "2"] in rows
    assert ["Thème", "Courriels", "2"] in rows
    response = client.get(reverse("dashboards:my_statistics_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Total", "Accompagnements", 3] in values
    assert client.get(reverse("dashboards:my_statistics_export",
                              args=["pdf"])).status_code == 404


def test_an_export_covers_only_the_persons_own_scope(client, team, manager, structure):
    coordinator = as_user(client, team["coordinator"].user)
    rows = coordinator.get(reverse("dashboards:team_statistics_export", args=["csv"]))
    assert "Ailleurs" not in rows.content.decode("utf-8-sig")
    assert f"{team['advisor'].first_name}" in rows.content.decode("utf-8-sig")
    # Nobody builds another person's figures, whatever they ask for.
    for url in (reverse("dashboards:structure_statistics_export",
                        args=[team["elsewhere"].pk, "csv"]),):
        assert client.get(url).status_code == 403
    manager_client = as_user(client, manager)
    assert manager_client.get(reverse("dashboards:my_statistics_export",
                                      args=["csv"])).status_code == 403
    response = manager_client.get(reverse("dashboards:structure_statistics_export",
                                          args=[structure.pk, "xlsx"]))
    assert response.status_code == 200


def test_an_export_class_cannot_be_built_for_someone_without_figures(team, manager):
    from django.core.exceptions import PermissionDenied

    from dashboards.exports import MyStatisticsTable, StructureStatisticsTable

    with pytest.raises(PermissionDenied):
        MyStatisticsTable(manager)
    with pytest.raises(PermissionDenied):
        StructureStatisticsTable(team["advisor"].user, structure=team["elsewhere"].pk)
    assert not MyStatisticsTable.allowed(manager)
    assert MyStatisticsTable.allowed(team["advisor"].user)


def test_a_month_outside_the_data_shows_zeros_not_an_error(client, team, advisor):
    response = as_user(client, advisor.user).get(
        reverse("dashboards:my_statistics"), {"du": "2020-01", "au": "2020-03"})
    assert response.status_code == 200
    assert "<strong>0</strong> accompagnement<" in key_figures(response)
    assert list(chart_rows(response, "Accompagnements par mois")) == [
        "janvier 2020", "février 2020", "mars 2020"]
    assert datetime.date(2020, 1, 1)
