"""Distances computed by the database sort service points nearest first."""

import pytest
from django.db.models import F

from advisors.geo import NearestFirst, distance_km
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
    found = list(NearestFirst(ServicePoint.objects.all(), 48.8530, 2.3499, placed_only=True))
    assert found == [beauvais, compiegne, lille]
    distances = [round(p.distance_km) for p in found]
    assert distances == [67, 72, 204]
    assert list(NearestFirst(ServicePoint.objects.all(), 48.8530, 2.3499, within_km=70)) == [
        beauvais]


def test_the_other_side_of_the_earth_is_about_20_000_km_away():
    communes = make.geography()
    point = make.service_point(make.structure(communes["Beauvais"]), latitude=45.0,
                               longitude=10.0)
    [found] = NearestFirst(ServicePoint.objects.all(), -45.0, -170.0)[0:2]
    assert found == point and round(found.distance_km) == 20015


def test_nearest_first_pages_are_the_same_as_ranking_every_row(django_assert_num_queries):
    """Service points scattered from a few hundred metres to 900 km around Beauvais: every
    page read through the circles equals the same page of the full ranking, and each page
    costs a count and a ranking query whatever the spread."""
    import random

    communes = make.geography()
    structure = make.structure(communes["Beauvais"])
    rng = random.Random(4)
    for n in range(60):
        spread = rng.choice([0.01, 0.2, 1.0, 4.0])
        make.service_point(structure, name=f"Lieu {n:02}",
                           latitude=49.43 + rng.uniform(-spread, spread),
                           longitude=2.08 + rng.uniform(-spread, spread))
    make.service_point(structure, name="Sans position")
    full = list(NearestFirst(ServicePoint.objects.all(), 49.43, 2.08, placed_only=True))
    ranked = [p.pk for p in ServicePoint.objects.all().annotate(
        distance_km=distance_km(49.43, 2.08)).order_by(F("distance_km").asc(nulls_last=True),
                                                       "pk")]
    assert len(full) == 60 and len(ranked) == 61
    for start, stop in [(0, 5), (0, 20), (5, 10), (20, 40), (40, 61), (55, 70)]:
        rows = NearestFirst(ServicePoint.objects.all(), 49.43, 2.08)
        with django_assert_num_queries(2):
            assert rows.count() == 61
            page = rows[start:stop]
        assert [p.pk for p in page] == ranked[start:stop], (start, stop)
        assert all(p.distance_km is not None for p in page if p.name != "Sans position")
    within = NearestFirst(ServicePoint.objects.all(), 49.43, 2.08, within_km=50)
    close = [p for p in full if p.distance_km <= 50]
    assert within.count() == len(close) and [p.pk for p in within[0:100]] == [
        p.pk for p in sorted(close, key=lambda p: (p.distance_km, p.pk))]


def test_the_box_around_a_point_holds_its_circle():
    from advisors.geo import box_around, box_within

    assert box_around(89.9, 0, 50) is None  # the circle reaches the pole
    assert box_around(0, 179.9, 50) is None  # and here the antimeridian
    assert box_within(0, 179.9, 50) is None
    box = dict(box_around(49.43, 2.08, 10).children)
    assert round(box["latitude__lte"] - 49.43, 3) == 0.090  # 10 km of meridian
    assert round(box["longitude__lte"] - 2.08, 3) == 0.138  # wider at 49° north


def test_every_corner_of_the_inner_box_is_within_its_circle():
    import itertools

    from advisors.geo import EARTH_RADIUS_KM, box_within

    def haversine(lat1, lon1, lat2, lon2):
        import math

        p1, p2 = math.radians(lat1), math.radians(lat2)
        h = (math.sin((p2 - p1) / 2) ** 2
             + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))

    for latitude, longitude, km in [(49.43, 2.08, 10), (-21.1, 55.5, 300), (0.01, 0, 100),
                                    (64.0, -20.0, 300), (16.2, -61.5, 30)]:
        box = dict(box_within(latitude, longitude, km).children)
        for lat, lon in itertools.product((box["latitude__gte"], box["latitude__lte"]),
                                          (box["longitude__gte"], box["longitude__lte"])):
            assert haversine(latitude, longitude, lat, lon) <= km
