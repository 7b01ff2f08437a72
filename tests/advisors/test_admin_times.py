"""Times in the back office are read in Europe/Paris, the French way (issue #15, 1.5), and
wrong listing filters are said, never ignored (1.8)."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from advisors.models import Application, ApplicationEvent
from tests import factories as base

from . import factories as make

pytestmark = pytest.mark.django_db
# 01:07 UTC on 2 March 2026 is 02:07 in Paris (winter time).
AT = datetime.datetime(2026, 3, 2, 1, 7, 3, 123456, tzinfo=datetime.UTC)


@pytest.fixture
def anct(client):
    client.force_login(base.staff_user(Role.ANCT_ADMIN))
    return client


@pytest.fixture
def application(communes):
    application = make.application(make.structure(communes["Beauvais"], name="Mairie"))
    Application.objects.filter(pk=application.pk).update(created_at=AT)
    ApplicationEvent.objects.create(application=application, to_status="created", at=AT,
                                    reason="Dépôt")
    return application


def squeeze(response):
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def test_the_inspect_page_and_its_history_show_the_same_paris_time(anct, application):
    page = squeeze(anct.get(reverse("advisors_applications:inspect", args=[application.pk])))
    assert "Déposée le</dt> <dd> 2 mars 2026 à 2 h 07 </dd>" in page
    assert "01:07" not in page and "1 h 07" not in page
    assert page.count("2 mars 2026 à 2 h 07") == 2  # the field and the history line


def test_csv_exports_carry_paris_times_without_microseconds(anct, application):
    response = anct.get(reverse("advisors_applications:index"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    row = next(line for line in body.splitlines() if line.startswith("Mairie"))
    assert row.endswith(";02/03/2026 02:07")
    assert "123456" not in body and "+00:00" not in body


def test_xlsx_exports_carry_paris_times(anct, application):
    response = anct.get(reverse("advisors_applications:index"), {"export": "xlsx"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    import io

    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    created = next(row for row in rows if row[0] == "Mairie")[-1]
    assert (created.hour, created.minute) == (2, 7)


def test_a_wrong_listing_filter_is_said_and_shows_no_row(anct, communes, structure):
    advisor = make.advisor()
    make.contract(structure, advisor)
    make.activity_report(advisor, communes["Beauvais"], structure)
    url = reverse("advisors_activity_reports:index")
    page = squeeze(anct.get(url, {"periode_from": "abc"}))
    assert "Filtres incorrects, aucune ligne affichée" in page
    assert "Saisissez une date valide" in page
    assert advisor.full_name not in page
    response = anct.get(url, {"periode_from": "2026-05-01", "periode_to": "2026-01-01",
                              "export": "csv"})
    assert response.status_code == 400
    assert "doit suivre son début" in response.content.decode()
