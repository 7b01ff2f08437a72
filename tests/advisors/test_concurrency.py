"""Simultaneous recruitments through real PostgreSQL connections: the structure's row lock
keeps contracts within the granted posts, the advisor's row lock keeps one advisor to one
contract at a time."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from advisors import services
from advisors.models import Contract

from . import factories as make

pytestmark = pytest.mark.django_db(transaction=True)
ATTEMPTS, POSTS = 12, 3


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this test on it)")


def at_once(calls):
    """Runs the calls in threads released together; returns (successes, refusals)."""
    barrier = threading.Barrier(len(calls))
    done, refused, errors = [], [], []

    def run(call):
        try:
            barrier.wait()
            done.append(call())
        except services.WorkflowError as refusal:
            refused.append(refusal.message)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return done, refused


def submission(structure, advisor, actor):
    start = timezone.localdate() + timedelta(days=10)
    return lambda: services.submit_contract(
        structure, advisor, actor, kind=Contract.Kind.CDD, start=start,
        end=start + timedelta(days=365), monthly_gross_salary=Decimal("2000"))


def test_simultaneous_submissions_never_exceed_the_granted_posts():
    communes = make.geography()
    manager = make.user()
    structure = make.validated_structure(communes["Beauvais"], posts=POSTS, manager=manager)
    advisors = [make.advisor() for _ in range(ATTEMPTS)]
    done, refused = at_once([submission(structure, a, manager) for a in advisors])
    assert len(done) == POSTS and len(refused) == ATTEMPTS - POSTS
    assert all("ne peut pas être dépassé" in message for message in refused)
    assert services.occupied_posts(structure) == POSTS


def test_one_advisor_recruited_at_once_by_several_structures_gets_one_contract():
    communes = make.geography()
    advisor = make.advisor()
    calls = []
    for _ in range(ATTEMPTS):
        manager = make.user()
        structure = make.validated_structure(communes["Lille"], posts=1, manager=manager)
        calls.append(submission(structure, advisor, manager))
    done, refused = at_once(calls)
    assert len(done) == 1 and len(refused) == ATTEMPTS - 1
    assert advisor.contracts.count() == 1
