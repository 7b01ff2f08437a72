"""The Académie's part in keeping "Mon espace" (``accounts.space_cache``): whose page to
renew when an enrolment, an attendance, an attestation, a DIF request, a questionnaire
invitation, a mandate, a session, its documents or its trainers change, and everyone's
when a course page or an approved training body does (titles, hours, DIF eligibility).

A waiting-list rank changes with other people's actions: it is filled in on every request
(``fill_in_ranks``, the section's ``late``), never kept."""

import re

from django.db.models import Count, OuterRef, Q, Subquery

from accounts.space_cache import bump_everyone, bump_people, bump_person

RANK_MARK = "<!--space-rank:{}-->"
_RANK_RE = re.compile(r"<!--space-rank:(\d+)-->")
# Session fields "Mon espace" never shows: saving only these renews nobody's page (the
# seats taken are recounted on each enrolment; the enrolments themselves renew).
UNSHOWN_SESSION_FIELDS = {"capacity", "updated_at", "waitlist_mode", "requires_approval",
                          "enrolment_opens", "enrolment_closes"}


def _users_of_enrolments(enrolment_ids):
    from .models import Enrolment

    return Enrolment.objects.filter(pk__in=enrolment_ids).values_list("user_id", flat=True)


def _user_of(instance, field="enrolment"):
    """The user of ``instance.enrolment`` (read from the enrolment when it is loaded)."""
    descriptor = type(instance)._meta.get_field(field)
    if descriptor.is_cached(instance):
        related = getattr(instance, field)
        return [related.user_id] if related is not None else []
    return list(_users_of_enrolments([getattr(instance, f"{field}_id")]))


def _session_people(session_ids):
    """Everyone whose page shows these sessions: participants (any status) and trainers."""
    from .models import Enrolment, Session

    people = set(Enrolment.objects.filter(session_id__in=session_ids)
                 .values_list("user_id", flat=True))
    people.update(Session.trainer_accounts.through.objects.filter(
        session_id__in=session_ids).values_list("user_id", flat=True))
    return people


# --- receivers --------------------------------------------------------------------------------
def _enrolment_changed(sender, instance, **kwargs):
    bump_person(instance.user_id)


def _through_enrolment(sender, instance, **kwargs):
    """Attendance, attestation, DIF funding, questionnaire invitation."""
    bump_people(_user_of(instance))


def _profile_changed(sender, instance, **kwargs):
    bump_person(instance.user_id)


def _mandate_changed(sender, instance, **kwargs):
    from .models import OfficialProfile

    bump_people(OfficialProfile.objects.filter(pk=instance.profile_id)
                .values_list("user_id", flat=True))


def _session_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if update_fields is not None and set(update_fields) <= UNSHOWN_SESSION_FIELDS:
        return
    if instance.pk is not None:
        bump_people(_session_people([instance.pk]))


def _session_deleted(sender, instance, **kwargs):
    # Enrolments protect a session: only trainers may still have it on their page.
    bump_everyone()


def _document_changed(sender, instance, **kwargs):
    bump_people(_session_people([instance.session_id]))


def _trainers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``Session.trainer_accounts``, changed from either side."""
    if reverse:  # user.trained_sessions.…: that user's page only
        if action.startswith("post_"):
            bump_person(instance.pk)
        return
    if action == "pre_clear":  # who trained it is only known before the clear
        instance._space_cleared = list(instance.trainer_accounts.values_list("pk", flat=True))
    elif action.startswith("post_"):
        bump_people(set(pk_set or []) | set(getattr(instance, "_space_cleared", [])))


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .models import (
        Attendance,
        Attestation,
        CoursePage,
        Enrolment,
        Mandate,
        OfficialProfile,
        Session,
        SessionDocument,
        SurveyInvitation,
    )
    from .models.funding import DifFunding, TrainingBody

    def both(receiver, model, name):
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, weak=False,
                           dispatch_uid=f"space-{name}-{signal}")

    both(_enrolment_changed, Enrolment, "enrolment")
    for model in (Attendance, Attestation, DifFunding, SurveyInvitation):
        both(_through_enrolment, model, model._meta.model_name)
    both(_profile_changed, OfficialProfile, "profile")
    both(_mandate_changed, Mandate, "mandate")
    post_save.connect(_session_saved, sender=Session, dispatch_uid="space-session-saved")
    post_delete.connect(_session_deleted, sender=Session, dispatch_uid="space-session-deleted")
    both(_document_changed, SessionDocument, "session-document")
    m2m_changed.connect(_trainers_changed, sender=Session.trainer_accounts.through,
                        dispatch_uid="space-session-trainers")
    # A course's title, hours, address or DIF eligibility; a training body's approval.
    both(bump_everyone, CoursePage, "course")
    both(bump_everyone, TrainingBody, "training-body")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(bump_everyone, dispatch_uid=f"space-pages-{signal}")
    # The courses' links follow the site's root page.
    both(bump_everyone, Site, "site")


# --- the waiting-list ranks, on every request ---------------------------------------------
def rank_label(position):
    return f"{position}{'er' if position == 1 else 'e'} sur la liste d'attente"


def positions(enrolment_ids):
    """{enrolment id: place on its session's waiting list}, in one query (the rule of
    ``Enrolment.waitlist_position``)."""
    from .models import Enrolment

    if not enrolment_ids:
        return {}
    ahead = (Enrolment.objects.waitlist().filter(session_id=OuterRef("session_id"))
             .filter(Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
                     | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk")))
             .order_by().values("session_id").annotate(n=Count("pk")).values("n"))
    rows = (Enrolment.objects.filter(pk__in=enrolment_ids,
                                     status=Enrolment.Status.WAITLISTED)
            .annotate(ahead=Subquery(ahead)).values_list("pk", "ahead"))
    return {pk: (ahead or 0) + 1 for pk, ahead in rows}


def fill_in_ranks(request, html, enrolment_ids):
    found = positions(enrolment_ids)

    def label(match):
        position = found.get(int(match.group(1)))
        # No longer waiting (the page is being renewed): the plain status.
        return rank_label(position) if position else "Liste d'attente"

    return _RANK_RE.sub(label, html)
