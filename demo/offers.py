"""Demo waiting-list offer (academy.offers): one upcoming session offers freed seats
instead of enrolling the next person at once, and the demo élu holds an open offer there,
so "Mon espace" shows "Accepter la place" / "Décliner la place" with its deadline."""

from django.db import transaction
from django.utils import timezone

from academy import services
from academy.models import Enrolment, Session
from accounts.models import User


@transaction.atomic
def create_demo_offer():
    """Once: returns the session, or None when already done or nothing fits."""
    if Session.objects.filter(waitlist_mode=Session.WaitlistMode.OFFER).exists():
        return None
    elu = User.objects.filter(email="elu@demo.anct.fr").first()
    seated = User.objects.filter(email="conseiller@demo.anct.fr").first()
    behind = User.objects.filter(email="coordinateur@demo.anct.fr").first()
    staff = User.objects.filter(email="admin@demo.anct.fr").first()
    if None in (elu, seated, behind, staff):
        return None
    now = timezone.now()
    session = (Session.objects.scheduled().upcoming()
               .filter(cancellation_deadline__gt=now, requires_approval=False)
               .exclude(enrolments__user__in=[elu, seated, behind])
               .order_by("start").first())
    if session is None:
        return None
    session.waitlist_mode = Session.WaitlistMode.OFFER
    session.offer_hours = 48
    session.save(update_fields=["waitlist_mode", "offer_hours", "updated_at"])
    # Full: every seat but one taken, then the conseiller takes the last one; the élu and
    # the coordinateur queue; the conseiller cancels, so the seat is offered to the élu.
    taken = session.enrolments.filter(status__in=Session.HELD_STATUSES).count()
    Session.objects.filter(pk=session.pk).update(capacity=taken + 1)
    first = services.enrol(session.pk, seated, by_staff=staff)
    for person in (elu, behind):
        services.enrol(session.pk, person, by_staff=staff)
    services.cancel(first.pk, seated)
    # Another full session where the élu is second on the waiting list ("2e sur la liste
    # d'attente", "Quitter la liste d'attente"), in the automatic mode.
    other = (Session.objects.scheduled().upcoming()
             .filter(cancellation_deadline__gt=now, requires_approval=False)
             .exclude(pk=session.pk).exclude(enrolments__user__in=[elu, seated, behind])
             .order_by("start").first())
    if other is not None:
        taken = other.enrolments.filter(status__in=Session.HELD_STATUSES).count()
        Session.objects.filter(pk=other.pk).update(capacity=taken + 1)
        for person in (seated, behind, elu):
            services.enrol(other.pk, person, by_staff=staff)
    offered = Enrolment.objects.get(session=session, user=elu)
    return session if offered.status == Enrolment.Status.OFFERED else None
