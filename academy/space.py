"""The Académie's section of "Mon espace": trainings, statuses, hours of training."""

from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone

from accounts.roles import Role
from cms import page_cache

from . import offers
from .models import Attestation, Enrolment, Mandate, OfficialProfile

PROGRAMME_ROLES = {Role.ADVISOR, Role.COORDINATOR, Role.STRUCTURE_MANAGER}


def next_change(upcoming, now):
    """The first instant after ``now`` at which the upcoming enrolments read differently
    with time alone: a session ends (it becomes past, its documents follow the attendance),
    the visio button appears, an offer lapses, the cancellation deadline passes."""
    instants = []
    for enrolment in upcoming:
        session = enrolment.session
        instants += [session.end, enrolment.visio_opens_at(), session.cancellable_until]
        if enrolment.offer_expires_at is not None:
            instants.append(enrolment.offer_expires_at)
    return min((instant for instant in instants if instant >= now), default=None)


def space_section(request):
    user = request.user
    now = timezone.now()
    enrolments = list(
        Enrolment.objects.for_user(user).prefetch_related(
            "attendances", "session__documents",
            Prefetch("attestations", Attestation.objects.valid(),
                                    to_attr="valid_attestations"))
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
    for mandate in mandates:
        mandate.hours = 0.0
    for enrolment in upcoming:
        # A waiting-list offer (academy.offers): open until its deadline, checked here too.
        enrolment.offer_open = enrolment.offer_is_open(now)
        if enrolment.offer_open:
            enrolment.offer_path = offers.offer_path(enrolment)
            enrolment.offer_deadline = offers.deadline_label(enrolment)
        enrolment.visio_visible = enrolment.visio_link_visible(now)
        enrolment.visio_later = (enrolment.status == Enrolment.Status.CONFIRMED
                                 and enrolment.attends_remotely
                                 and now < enrolment.visio_opens_at())
    for enrolment in past:
        enrolment.hours = 0
        enrolment.counted_under = None
        if enrolment.status != Enrolment.Status.CONFIRMED:
            continue
        enrolment.hours = enrolment.hours_attended()
        if not enrolment.hours:
            continue
        # Its verifiable attestation, once the first download issued it.
        enrolment.attestation = next(iter(enrolment.valid_attestations), None)
        hours_by_year[timezone.localtime(enrolment.session.start).year] += enrolment.hours
        # Once, under the mandate chosen at enrolment: never under each mandate held.
        enrolment.counted_under = enrolment.counted_mandate(mandates)
        if enrolment.counted_under is not None:
            enrolment.counted_under.hours += enrolment.hours
    return {
        # Kept per person (academy.space_cache): read again when the first of these
        # instants comes, and the waiting-list ranks filled in on every request.
        "valid_until": next_change(upcoming, now),
        "late": [e.pk for e in upcoming if e.status == Enrolment.Status.WAITLISTED],
        # The ranks move with anyone's enrolment in those sessions: a page kept whole
        # (core.personal_pages) holds while the enrolments' version does.
        "late_versions": [page_cache.VERSION_KEY],
        "upcoming": upcoming,
        "past": past,
        "profile": profile,
        "mandates": mandates,
        # "Vous êtes élu local ?" is for people with no other role on the site: an advisor,
        # coordinator or structure manager reads it as a wrong guess about who they are.
        "invite_mandates": not mandates and not (set(user.role_names) & PROGRAMME_ROLES),
        "hours_by_year": sorted(hours_by_year.items(), reverse=True),
        "now": now,
    }
