"""A service point's feed (/calendrier/lieux/<id>.ics) names the place with its commas
escaped, as RFC 5545 TEXT: calendar applications show the name, not a truncated one."""

from datetime import time

import pytest
import vobject

from advisors.models import OpeningRange
from tests.advisors import factories as make

pytestmark = pytest.mark.django_db


def test_a_service_point_feed_escapes_the_commas_of_its_name_and_description(client):
    communes = make.geography()
    structure = make.validated_structure(communes["Beauvais"], posts=1)
    place = make.service_point(structure, name="Médiathèque, espace numérique",
                               address="2 rue Gambetta", is_public=True)
    OpeningRange.objects.create(service_point=place, weekday=0, period="am",
                                opens=time(9), closes=time(12))
    response = client.get(f"/calendrier/lieux/{place.pk}.ics")
    assert response.status_code == 200
    lines = response.content.replace(b"\r\n ", b"").split(b"\r\n")
    assert "X-WR-CALNAME:Médiathèque\\, espace numérique — horaires".encode() in lines
    assert "NAME:Médiathèque\\, espace numérique — horaires".encode() in lines
    caldesc = next(line for line in lines if line.startswith(b"X-WR-CALDESC:"))
    assert b"(2 rue Gambetta\\, Beauvais (60))" in caldesc
    parsed = vobject.readOne(response.content.decode())
    assert parsed.contents["x-wr-calname"][0].value == \
        "Médiathèque, espace numérique — horaires"
