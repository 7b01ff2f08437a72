"""Issuing and revoking the verifiable attestations (``models.Attestation``).

An enrolment with hours attended has at most one valid attestation: the first download
issues it, later downloads reuse it (same reference). Any change of that enrolment's
attendance (a half-day added, changed or removed, from the grid, the admin or code)
revokes it, with the date; the next download issues a new one with a new reference."""

from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.urls import reverse
from django.utils import timezone

from .models import Attendance, Attestation

DEFAULT_RATE_LIMIT = "30/m/ip"  # verification page views per client address


def holder_name(user, initials=False):
    """"Aline Martin", or "A. M." when the holder chose initials."""
    parts = [user.first_name.strip(), user.last_name.strip()]
    if initials:
        return " ".join(f"{part[0].upper()}." for part in parts if part)
    return " ".join(part for part in parts if part)


def verification_url(attestation, request=None):
    from django.conf import settings

    path = reverse("attestation_check", args=[attestation.reference])
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def current_attestation(enrolment):
    """The enrolment's valid attestation, issued now if it has none."""
    existing = enrolment.attestations.valid().first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Attestation.objects.create(
                enrolment=enrolment, show_initials=_initials_choice(enrolment),
                **_what_it_states(enrolment))
    except IntegrityError:  # issued meanwhile by a simultaneous download
        return enrolment.attestations.valid().get()


def set_initials(enrolment, show_initials):
    attestation = current_attestation(enrolment)
    attestation.show_initials = show_initials
    attestation.save(update_fields=["show_initials"])
    return attestation


def revoke(enrolment_id, when=None):
    return Attestation.objects.valid().filter(enrolment_id=enrolment_id).update(
        revoked_at=when or timezone.now())


def _initials_choice(enrolment):
    """The holder's latest choice, on any of their attestations; full name at first."""
    latest = (Attestation.objects.filter(enrolment__user_id=enrolment.user_id)
              .order_by("-issued_at", "-pk").values_list("show_initials", flat=True).first())
    return bool(latest)


def _what_it_states(enrolment):
    from .documents import half_day_label

    session = enrolment.session
    slots = session.half_days()
    per_slot = round(session.planned_hours() / len(slots), 1) if slots else 0
    present = {(a.day, a.period) for a in enrolment.attendances.all()
               if a.status == Attendance.Status.PRESENT}
    from calendars import dates

    return {
        "course_title": session.course.title,
        "session_dates": dates.date_span(session.start, session.end),
        "half_days": [{"label": half_day_label(day, period), "hours": per_slot}
                      for day, period in slots if (day, period) in present],
        "hours": enrolment.hours_attended(),
        "planned_hours": session.planned_hours(),
    }


# --- a correction of the attendance revokes ------------------------------------------------

def _note_change(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.pk is None:
        instance._attestation_changed = True
        return
    before = Attendance.objects.filter(pk=instance.pk).values_list(
        "status", "day", "period").first()
    instance._attestation_changed = before != (instance.status, instance.day, instance.period)


def _revoke_after_save(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "_attestation_changed", True):
        revoke(instance.enrolment_id)


def _revoke_after_delete(sender, instance, **kwargs):
    revoke(instance.enrolment_id)


def connect():
    pre_save.connect(_note_change, sender=Attendance, dispatch_uid="attestation_note")
    post_save.connect(_revoke_after_save, sender=Attendance, dispatch_uid="attestation_save")
    post_delete.connect(_revoke_after_delete, sender=Attendance,
                        dispatch_uid="attestation_delete")
