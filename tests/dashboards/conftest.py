"""The dashboards' tests build the advisors' data: they share its fixtures, and add the
small deployment every dashboard test reads (``data``)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from advisors.models import ActivityReport, Contract, OpeningRange
from tests.advisors import factories as make
from tests.advisors.conftest import *  # noqa: F403

TODAY = timezone.localdate


@pytest.fixture
def data(communes):
    """Beauvais (60, 56,000 inh.), Compiègne (60, 3,000), Lille (59, 230,000), Paris (75,
    2,000,000).

    - S1 Beauvais, 3 posts: A1 active and in training; A2 recruited then ruptured 10 days ago.
    - S2 Compiègne, 2 posts: A3 active; A4 submitted (holds a post, not recruited).
    - S3 Lille, 1 post: A5 validated, starts tomorrow (recruited, not active).
    - S4 Paris: application not decided (no posts).
    Service points: S1's is public with hours (open); S2's has no hours; S3's is not public.
    Activity (yesterday): a workshop of 3 in Beauvais, one person remotely in Compiègne,
    a one-off request of 2 teenagers at home in Lille; and a report two years ago.
    """
    today = TODAY()
    for name, population in [("Beauvais", 56000), ("Compiègne", 3000), ("Lille", 230000),
                             ("Paris", 2000000)]:
        communes[name].population = population
        communes[name].save()
    manager = make.user(email="gestion@beauvais.fr")
    s1 = make.validated_structure(communes["Beauvais"], posts=3, manager=manager)
    s2 = make.validated_structure(communes["Compiègne"], posts=2)
    s3 = make.validated_structure(communes["Lille"], posts=1)
    s4 = make.structure(communes["Paris"])
    make.application(s4)
    a1 = make.advisor(training_start=today - timedelta(days=5),
                      training_end=today + timedelta(days=5))
    a2, a3, a4, a5 = (make.advisor() for _ in range(4))
    make.contract(s1, a1)
    make.contract(s1, a2, start=today - timedelta(days=100),
                  rupture_status=Contract.Rupture.VALIDATED,
                  rupture_reason=Contract.RuptureReason.RESIGNATION,
                  rupture_date=today - timedelta(days=10))
    make.contract(s2, a3)
    make.contract(s2, a4, status=Contract.Status.SUBMITTED)
    make.contract(s3, a5, start=today + timedelta(days=1))
    open_point = make.service_point(s1, advisors=[a1])
    OpeningRange.objects.create(service_point=open_point, weekday=0, period="am",
                                opens=time(9), closes=time(12))
    make.service_point(s2, advisors=[a3])
    hidden = make.service_point(s3, advisors=[a5], is_public=False)
    OpeningRange.objects.create(service_point=hidden, weekday=1, period="pm",
                                opens=time(14), closes=time(17))
    make.activity_report(a1, communes["Beauvais"], s1)
    make.activity_report(a3, communes["Compiègne"], s2, kind=ActivityReport.Kind.INDIVIDUAL,
                         channel=ActivityReport.Channel.REMOTE, participants=1, age_18_35=0,
                         age_35_60=0, age_over_60=1, status_employed=0, status_retired=1,
                         themes=["email"])
    make.activity_report(a5, communes["Lille"], s3, kind=ActivityReport.Kind.ONE_OFF,
                         channel=ActivityReport.Channel.HOME, participants=2, age_18_35=0,
                         age_35_60=0, age_over_60=0, age_12_18=2, status_employed=0,
                         status_retired=0, status_student=2, themes=["smartphone"])
    make.activity_report(a1, communes["Beauvais"], s1, date=today - timedelta(days=730))
    return {"manager": manager, "s1": s1, "s2": s2, "s3": s3, "s4": s4,
            "oise": communes["Beauvais"].department, "nord": communes["Lille"].department,
            "hdf": communes["Lille"].department.region}
