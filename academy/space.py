"""The Académie's section of "Mon espace": trainings, statuses, hours of training."""

from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone

from .models import Enrolment, Mandate, OfficialProfile


def space_section(request):
    user = request.user
    now = timezone.now()
    enrolments = list(
        Enrolment.objects.for_user(user).prefetch_related("attendances")
        .order_by("session__start")
    )
    upcoming = [e for e in enrolments if e.session.end >= now]
    past = [e for e in reversed(enrolments) if e.session.end < now]
    profile = OfficialProfile.objects.filter(user=user).prefetch_related(Prefetch(
        "mandates", Mandate.objects.select_related("commune__department", "epci",
                                                   "department", "region"),
    )).first()
    mandates = list(profile.mandates.all()) if profile else []

    hours_by_year = defaultdict(float)
    attended = []
    for enrolment in past:
        if enrolment.status != Enrolment.Status.CONFIRMED:
            continue
        hours = enrolment.hours_attended()
        enrolment.hours = hours
        if hours:
            attended.append(enrolment)
            hours_by_year[timezone.localtime(enrolment.session.start).year] += hours
    for mandate in mandates:
        mandate.hours = sum(
            e.hours for e in attended
            if timezone.localtime(e.session.start).date() >= mandate.started_on
        )
    return {
        "upcoming": upcoming,
        "past": past,
        "profile": profile,
        "mandates": mandates,
        "hours_by_year": sorted(hours_by_year.items(), reverse=True),
        "now": now,
    }
