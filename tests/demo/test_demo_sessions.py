"""The demo's sessions show every way of attending: a hybrid course has a session held in a
place and by videoconference, so the élu is asked to choose on `make run`."""

import pytest
from django.utils import timezone

from academy.models import Format
from demo.content import _create_sessions
from tests import factories as base

pytestmark = pytest.mark.django_db


def test_a_hybrid_course_gets_an_upcoming_session_with_a_place_and_a_link():
    communes = list(base.geography().values())
    course = base.course(format=Format.HYBRID)
    _create_sessions(course, 0, communes, timezone.localdate())
    sessions = list(course.sessions.all())
    hybrid = [s for s in sessions if s.is_hybrid]
    assert hybrid, "no session of the hybrid course has both a place and a link"
    assert all(s.start > timezone.now() for s in hybrid)
    assert hybrid[0].default_attendance_mode() == ""  # the participant chooses
    # The other sessions still show a place-only and a remote-only session.
    assert any(s.commune_id and not s.remote_url for s in sessions)
    assert any(s.remote_url and not s.commune_id for s in sessions)
