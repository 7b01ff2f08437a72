"""Distances computed by the database sort service points nearest first."""

import pytest

from advisors.geo import nearest
from advisors.models import ServicePoint
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db


def test_service_points_sorted_by_distance_with_kilometres():
    communes = make.geography()
    structure = make.structure(communes["Beauvais"])
    beauvais = make.service_point(structure, latitude=49.4300, longitude=2.0810)
    compiegne = make.service_point(structure, latitude=49.4179, longitude=2.8261)
    lille = make.service_point(structure, latitude=50.6292, longitude=3.0573)
    make.service_point(structure)  # no coordinates: cannot be placed, left out
    # From Paris (Notre-Dame).
    found = list(nearest(ServicePoint.objects.all(), 48.8530, 2.3499))
    assert found == [beauvais, compiegne, lille]
    distances = [round(p.distance_km) for p in found]
    assert distances == [67, 72, 204]
    assert list(nearest(ServicePoint.objects.all(), 48.8530, 2.3499, within_km=70)) == [
        beauvais]


def test_the_other_side_of_the_earth_is_about_20_000_km_away():
    communes = make.geography()
    point = make.service_point(make.structure(communes["Beauvais"]), latitude=45.0,
                               longitude=10.0)
    found = nearest(ServicePoint.objects.all(), -45.0, -170.0).get()
    assert found == point and round(found.distance_km) == 20015
