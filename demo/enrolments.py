"""Demo enrolments: the demo élu has a mandate, an upcoming training, a waiting list spot
and a past training with attendance (so "Mon espace" shows hours and an attestation)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from academy import services
from academy.models import Attendance, CoursePage, Enrolment, Mandate, OfficialProfile, Session
from accounts.models import User
from territories.models import Commune


@transaction.atomic
def create_demo_enrolments():
    elu = User.objects.filter(email="elu@demo.anct.fr").first()
    beauvais = Commune.objects.filter(insee_code="60057").first()
    if elu is None or beauvais is None or Enrolment.objects.filter(user=elu).exists():
        return 0
    profile, _ = OfficialProfile.objects.get_or_create(user=elu, defaults={"is_employee": True})
    Mandate.objects.get_or_create(profile=profile, role="adjoint", commune=beauvais,
                                  defaults={"started_on": date(2020, 7, 4),
                                            "is_first_mandate": True})
    upcoming = (Session.objects.scheduled().upcoming()
                .filter(course__audience="elected").order_by("start")[:2])
    for session in upcoming:
        # A hybrid session asks each participant how they attend: the élu follows remotely.
        services.enrol(session.pk, elu, attendance_mode="remote" if session.is_hybrid else "")

    # One session needs approval, to show the staff's pending list and priority hints.
    Session.objects.filter(pk__in=Session.objects.scheduled().upcoming()
                           .order_by("-start").values("pk")[:1]).update(requires_approval=True)

    # A past training, attended three half-days out of four.
    course = CoursePage.objects.filter(slug="construire-et-voter-le-budget-communal").first()
    if course:
        day = timezone.localdate() - timedelta(days=40)
        start = timezone.make_aware(datetime.combine(day, time(9)))
        past = Session.objects.create(
            course=course, start=start, end=start + timedelta(days=1, hours=8),
            commune=beauvais, address="Hôtel de ville, salle du conseil", capacity=20,
            enrolment_opens=start - timedelta(days=60), enrolment_closes=start - timedelta(days=2),
            cancellation_deadline=start - timedelta(days=5), trainers="Anne Leroy (ANCT)",
        )
        enrolment = Enrolment.objects.create(session=past, user=elu, status="confirmed")
        for slot_day, period in past.half_days()[:3]:
            Attendance.objects.create(enrolment=enrolment, day=slot_day, period=period,
                                      status="present")
    return Enrolment.objects.filter(user=elu).count()


def issue_demo_attestation():
    """The demo élu's past training has its verifiable attestation (the one the first
    download would issue), so /attestations/<reference>/ has a page to show."""
    from academy.attestations import current_attestation

    enrolment = (Enrolment.objects.filter(user__email="elu@demo.anct.fr", status="confirmed",
                                          session__end__lt=timezone.now(),
                                          attendances__status="present")
                 .order_by("session__start").first())
    return current_attestation(enrolment) if enrolment else None
