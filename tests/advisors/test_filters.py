"""Invalid filters are said, never silently ignored (issue #15, 1.8): a French message next
to the filter field, no figure computed from a wrong period, 200 with the error for pages
and 400 for exports."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from dashboards.models import ExportJob
from tests import factories as base

from . import factories as make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def admin_client(client):
    client.force_login(base.staff_user(Role.ANCT_ADMIN))
    return client


@pytest.fixture
def report(communes, structure):
    advisor = make.advisor()
    make.contract(structure, advisor)
    return make.activity_report(advisor, communes["Beauvais"], structure)


def test_a_date_that_is_not_one_is_said_next_to_the_field_and_no_figure_shown(
        admin_client, report):
    response = admin_client.get(reverse("dashboards:national"), {"du": "abc"})
    assert response.status_code == 200
    page = text(response)
    assert 'id="id_du-error"' in page and "Saisissez une date valide" in page
    assert "La période demandée est incorrecte" in page
    assert "Postes et conseillers" not in page and "activity" not in response.context


def test_a_reversed_period_is_said_next_to_the_end_field(admin_client, report):
    response = admin_client.get(reverse("dashboards:department", args=["60"]),
                                {"du": "2026-05-01", "au": "2026-01-01"})
    page = text(response)
    assert response.status_code == 200
    assert 'id="id_au-error"' in page and "doit suivre la date de début" in page
    assert "Postes et conseillers" not in page


def test_a_single_bound_beyond_the_default_other_one_is_refused(admin_client, report):
    future = (TODAY() + timedelta(days=30)).isoformat()
    page = text(admin_client.get(reverse("dashboards:national"), {"du": future}))
    assert "La date de début doit précéder la date de fin" in page
    assert "Postes et conseillers" not in page


def test_a_table_export_with_a_wrong_period_answers_400(admin_client, report):
    url = reverse("dashboards:table_export", args=["national", "france", "activite", "csv"])
    response = admin_client.get(url, {"du": "abc"})
    assert response.status_code == 400
    assert "Période incorrecte" in response.content.decode()
    response = admin_client.get(url, {"du": "2026-05-01", "au": "2026-01-01"})
    assert response.status_code == 400
    assert admin_client.get(url, {"du": "2025-01-01", "au": "2026-01-01"}).status_code == 200


def test_a_large_export_with_a_wrong_period_answers_400_and_starts_nothing(admin_client,
                                                                            report):
    response = admin_client.post(reverse("dashboards:export_request",
                                         args=["national", "france"]),
                                 {"du": "2026-05-01", "au": "2026-01-01"})
    assert response.status_code == 400
    assert not ExportJob.objects.exists()
