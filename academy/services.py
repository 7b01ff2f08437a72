"""Enrolment rules. Every change of seats happens with the session row locked
(SELECT … FOR UPDATE on PostgreSQL), so confirmed enrolments never exceed capacity and a
freed seat goes to the first waitlisted person in the same transaction."""

from contextlib import nullcontext

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.roles import Role
from calendars import dates
from territories.models import SMALL_COMMUNE_POPULATION

from . import emails
from .models import AttendanceMode, Audience, Enrolment, Mandate, Session


class EnrolmentError(Exception):
    """A rule refused the action; the message is shown to the person as is."""


def _locked_session(session_id):
    # of=("self",): only the session's row; its course page (joined) is not locked, so
    # enrolments in the other sessions of a course never wait for this one.
    try:
        return (Session.objects.select_for_update(of=("self",)).select_related("course")
                .get(pk=session_id))
    except Session.DoesNotExist as error:
        raise EnrolmentError("Cette session n'existe pas.") from error


def _confirmed_count(session):
    # Open waiting-list offers hold their seat too (academy/offers.py).
    return session.enrolments.filter(status__in=Session.HELD_STATUSES).count()


def audience_refusal(course, user, mandates=None):
    """Why this person may not enrol in sessions of this course, or None. ``mandates``: the
    person's mandates when the caller has already read them."""
    if course.audience == Audience.ELECTED_OFFICIALS:
        if mandates is not None:
            has_mandate = bool(mandates)
        else:
            profile = getattr(user, "official_profile", None)
            has_mandate = profile is not None and profile.mandates.exists()
        if not has_mandate:
            return ("Cette formation est réservée aux élus locaux : renseignez au moins un "
                    "mandat dans votre profil.")
    if course.audience == Audience.ADVISORS:
        groups = Group.objects.filter(user=user, name__in=[Role.ADVISOR, Role.COORDINATOR])
        if not groups.exists():
            return "Cette formation est réservée aux conseillers numériques."
    return None


def priority_hint(session, user, mandates=None):
    """0–3: first mandate, a commune under 3,500 inhabitants, an authority in the session's
    département (its territory). Staff sort pending requests by it. ``mandates``: the
    person's mandates with their communes, when the caller has already read them."""
    if mandates is None:
        mandates = list(Mandate.objects.filter(profile__user=user)
                        .select_related("commune", "epci", "department"))
    score = 0
    if any(m.is_first_mandate for m in mandates):
        score += 1
    if any(m.commune and (m.commune.population or 0) < SMALL_COMMUNE_POPULATION
           for m in mandates):
        score += 1
    department_id = session.commune.department_id if session.commune_id else None
    if department_id and any(
        (m.commune and m.commune.department_id == department_id)
        or (m.department_id == department_id) for m in mandates
    ):
        score += 1
    return score


def enrolment_warnings(session, user):
    """What the person should know before enrolling, without being stopped: another
    session of the same course, or a session at the same time. [] when nothing clashes."""
    warnings = []
    now = timezone.now()
    # Values, not objects: this runs before every "S'inscrire", and finds nothing mostly.
    clashing = Enrolment.objects.clashing_with(session, user).values_list(
        "status", "session__start", "session__end", "session__course_id",
        "session__course__title")
    for status, start, end, course_id, title in clashing:
        when = dates.long_datetime(start, space=dates.NBSP)  # shown on a page
        if end < now and status != Enrolment.Status.CONFIRMED:
            continue  # an old request or waiting list that came to nothing
        if course_id == session.course_id:
            if end < now:
                warnings.append(f"Vous étiez déjà inscrit à cette formation, pour la session "
                                f"du {when}.")
            else:
                warnings.append(f"Vous êtes déjà inscrit à une autre session de cette "
                                f"formation, le {when}.")
        else:
            warnings.append(f"Cette session a lieu en même temps que « "
                            f"{title} » ({when}), à laquelle vous êtes inscrit.")
    return warnings


def _attendance_mode(session, requested, by_staff):
    if not session.is_hybrid:
        return session.default_attendance_mode()
    if requested in AttendanceMode.values:
        return requested
    if by_staff is None:
        raise EnrolmentError("Indiquez si vous suivrez la session sur place ou à distance.")
    return ""  # added by staff: the person's choice is not known


def _counted_mandate(mandates, mandate):
    """The mandate the training will count under: the one chosen, which must be the
    person's own, or their only one."""
    if mandate is not None:
        if mandate.pk not in {m.pk for m in mandates}:
            raise EnrolmentError("Ce mandat n'est pas l'un des vôtres.")
        return mandate
    return mandates[0] if len(mandates) == 1 else None


def enrol(session_id, user, *, by_staff=None, attendance_mode="", mandate=None,
          mandates=None):
    """Enrols the person: confirmed, pending (approval mode) or waitlisted when full.

    ``attendance_mode`` ("on_site" or "remote") is required from the person for a hybrid
    session; ``mandate``, one of theirs, is the mandate the training's hours count under
    (their only mandate when not given). Staff adding someone manually skip the enrolment
    window and the audience check.

    ``session_id`` may be the session itself as the caller read it (with its course and
    commune), and ``mandates`` the person's mandates with their communes: fewer queries.

    In a rush every enrolment of a session waits for the one before it (the session's row
    lock), so the lock is held for as little as possible: what concerns the person (their
    mandates, audience, priority) is read before it; under it, only the rules that depend
    on the session's row, the person's existing enrolment, the seats count and the insert;
    the email (rendered with its calendar invitation) is queued once the enrolment is
    committed: in the caller's transaction when there is one, so a rollback still sends
    nothing."""
    if isinstance(session_id, Session):
        known = session_id
    else:
        known = (Session.objects.select_related("course", "commune__department")
                 .filter(pk=session_id).first())
        if known is None:
            raise EnrolmentError("Cette session n'existe pas.")
    if mandates is None:
        mandates = list(Mandate.objects.filter(profile__user=user)
                        .select_related("commune", "epci", "department"))
    if by_staff is None and (refusal := audience_refusal(known.course, user, mandates)):
        raise EnrolmentError(refusal)
    counted = _counted_mandate(mandates, mandate)
    priority = priority_hint(known, user, mandates)
    if by_staff is None and connection.vendor == "postgresql":
        enrolment = _enrol_in_one_round_trip(known, user, attendance_mode, counted, priority)
        if enrolment is not None:
            return enrolment

    with transaction.atomic():
        session = (Session.objects.select_for_update().filter(pk=known.pk).first())
        if session is None:
            raise EnrolmentError("Cette session n'existe pas.")
        session.course = known.course  # the same page; read above, not locked
        if session.commune_id == known.commune_id:
            session.commune = known.commune
        if session.is_cancelled:
            raise EnrolmentError("Cette session a été annulée.")
        now = timezone.now()
        if by_staff is None:
            if now < session.enrolment_opens:
                raise EnrolmentError(
                    "Les inscriptions ne sont pas encore ouvertes pour cette session.")
            if now >= session.enrolment_closes:
                raise EnrolmentError("Les inscriptions à cette session sont closes.")
        elif now >= session.end:
            raise EnrolmentError("Cette session est terminée.")
        mode = _attendance_mode(session, attendance_mode, by_staff)

        # One statement after the lock (so it sees every enrolment committed before it):
        # the seats held, the waiting list up to now, and this person's enrolment if any.
        seen = session.enrolments.aggregate(
            held=Count("pk", filter=Q(status__in=Session.HELD_STATUSES)),
            waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITLISTED,
                                         waitlisted_at__lte=now)),
            mine=Max("pk", filter=Q(user=user)),
        )
        enrolment = Enrolment.objects.get(pk=seen["mine"]) if seen["mine"] else None
        if enrolment and enrolment.is_active:
            raise EnrolmentError("Vous êtes déjà inscrit à cette session."
                                 if by_staff is None else
                                 "Cette personne est déjà inscrite à cette session.")
        if enrolment:  # coming back after a cancellation: a newer invitation
            enrolment.invitation_sequence += 1
        enrolment = enrolment or Enrolment(session=session, user=user)
        enrolment.session = session
        enrolment.priority = priority
        enrolment.waitlisted_at = None
        enrolment.attendance_mode = mode
        enrolment.mandate = counted
        if session.requires_approval and by_staff is None:
            enrolment.status = Enrolment.Status.PENDING
        elif seen["held"] < session.capacity:
            enrolment.status = Enrolment.Status.CONFIRMED
        else:
            enrolment.status = Enrolment.Status.WAITLISTED
            enrolment.waitlisted_at = now
            # Its rank, as waitlist_position() would count it now: everyone on the list
            # came before (under this lock) with an earlier or equal time and a smaller id.
            enrolment.position_when_enrolled = seen["waiting"] + 1
        try:
            # No savepoint of its own: a failed insert rolls this whole block back.
            enrolment.save()
        except IntegrityError as error:  # the same person, twice at the same instant
            raise EnrolmentError("Vous êtes déjà inscrit à cette session.") from error
    emails.notify(enrolment, enrolment.status)
    return enrolment


# The person's own enrolment on PostgreSQL, in one message to the server (below): the
# session's row locked, the seats counted, the enrolment inserted and the dashboards' total
# of the session counted, then committed, without coming back to Python in between. In a
# rush every enrolment of the session waits for this lock: held for a round trip of
# Python (a query, the GIL taken back among the worker's threads, the next query), it
# was held ten times longer than the server needs.
#
# Two statements, not one: the first waits for the lock; the second starts after it and so
# sees every enrolment committed by those who held it before (under READ COMMITTED, one
# statement sees the data as it was when the statement began, before its wait). The
# statements of one message are one transaction; inside a caller's transaction they are
# part of it (and the lock is kept until it ends).
#
# It inserts nothing, and enrol() takes its usual way, when anything is out of the ordinary:
# the session cancelled, closed or not yet open, its place or link changed since it was
# read (hybrid or not), the person already having an enrolment in it (active, or cancelled
# and coming back), or no dashboards' row yet for the session (the first confirmed
# enrolment creates it by a recount).
ONE_ROUND_TRIP_SQL = """
SELECT 1 FROM {session} WHERE id = %s FOR UPDATE;
WITH clock AS (SELECT clock_timestamp() AS now),
open_session AS (
    SELECT s.id, s.capacity, s.requires_approval FROM {session} s, clock
    WHERE s.id = %s AND s.status = %s
      AND s.enrolment_opens <= clock.now AND clock.now < s.enrolment_closes
      AND (s.commune_id IS NOT NULL AND s.remote_url <> '') = %s
      {totals_exist}
),
seen AS (
    SELECT count(*) FILTER (WHERE e.status IN ({held})) AS held,
           count(*) FILTER (WHERE e.status = %s AND e.waitlisted_at <= clock.now) AS waiting,
           count(*) FILTER (WHERE e.user_id = %s) AS mine
    FROM {enrolment} e, clock WHERE e.session_id = %s
),
decided AS (
    SELECT CASE WHEN o.requires_approval THEN %s
                WHEN seen.held < o.capacity THEN %s ELSE %s END AS status,
           seen.waiting, clock.now
    FROM open_session o, seen, clock WHERE seen.mine = 0
),
inserted AS (
    INSERT INTO {enrolment} ({columns}, status, waitlisted_at)
    SELECT {values}, d.status, CASE WHEN d.status = %s THEN d.now END FROM decided d
    RETURNING id, status, waitlisted_at
)
{count_totals}
SELECT i.id, i.status, i.waitlisted_at, d.waiting FROM inserted i, decided d
"""


def _session_totals():
    """The dashboards' table of per-session totals (kept in the transaction of each
    enrolment), or None without the dashboards app. Looked up, not imported: the academy
    does not depend on the dashboards."""
    if not apps.is_installed("dashboards"):
        return None
    return apps.get_model("dashboards", "SessionTotals")


def _enrol_in_one_round_trip(known, user, attendance_mode, counted, priority):
    """The enrolment, or None when it is left to enrol()'s usual way (see above)."""
    try:
        mode = _attendance_mode(known, attendance_mode, None)
    except EnrolmentError:
        return None  # the usual way says it, after the rules that come first
    enrolment = Enrolment(session=known, user=user, priority=priority, attendance_mode=mode,
                          mandate=counted)
    quote = connection.ops.quote_name
    columns, values = [], []
    for field in Enrolment._meta.concrete_fields:
        if field.primary_key or field.attname in ("status", "waitlisted_at"):
            continue
        columns.append(quote(field.column))
        values.append(field.get_db_prep_save(field.pre_save(enrolment, add=True), connection))
    totals = _session_totals()
    session_table, enrolment_table = quote(Session._meta.db_table), quote(
        Enrolment._meta.db_table)
    totals_exist = count_totals = ""
    if totals is not None:
        table = quote(totals._meta.db_table)
        key = quote(totals._meta.get_field("session").column)
        counter = quote(totals._meta.get_field("enrolments").column)
        totals_exist = f"AND EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.id)"
        count_totals = (f", counted AS (UPDATE {table} SET {counter} = {counter} + 1 "
                        f"WHERE {key} = %s AND EXISTS (SELECT 1 FROM inserted "
                        f"WHERE status = %s) RETURNING 1)")
    sql = ONE_ROUND_TRIP_SQL.format(
        session=session_table, enrolment=enrolment_table, totals_exist=totals_exist,
        count_totals=count_totals, held=", ".join(["%s"] * len(Session.HELD_STATUSES)),
        columns=", ".join(columns),
        values=", ".join(["%s"] * len(values)))
    Status = Enrolment.Status
    params = [known.pk, known.pk, Session.Status.SCHEDULED, known.is_hybrid,
              *Session.HELD_STATUSES, Status.WAITLISTED, user.pk, known.pk,
              Status.PENDING, Status.CONFIRMED, Status.WAITLISTED, *values, Status.WAITLISTED]
    if totals is not None:
        params += [known.pk, Status.CONFIRMED]
    try:
        # Inside a caller's transaction, a savepoint: a failed insert undoes only this.
        with (transaction.atomic() if connection.in_atomic_block else nullcontext()), \
                connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.nextset()  # past the lock's row
            row = cursor.fetchone()
    except IntegrityError as error:  # the same person, twice at the same instant
        raise EnrolmentError("Vous êtes déjà inscrit à cette session.") from error
    if row is None:
        return None
    enrolment.pk, enrolment.status, enrolment.waitlisted_at, waiting = row
    enrolment._state.adding, enrolment._state.db = False, connection.alias
    if enrolment.status == Status.WAITLISTED:
        enrolment.position_when_enrolled = waiting + 1
    # The signal of a save, for its other receivers ("Mon espace", the versions of the kept
    # pages, dashboards and open data: renewed now and at the commit). raw=True: the row is
    # written as it is, nothing else to update; the dashboards' receiver leaves the count
    # to the statement above (tests/academy/test_enrolment_one_round_trip.py lists the
    # receivers: a new one must be checked against this way of saving).
    post_save.send(sender=Enrolment, instance=enrolment, created=True, raw=True,
                   using=connection.alias, update_fields=None)
    emails.notify(enrolment, enrolment.status)
    return enrolment


def fill_from_waitlist(session):
    """Promotes waitlisted people into free seats, first come first served.

    Must run inside the transaction that freed the seats, with the session locked."""
    if session.waitlist_mode == Session.WaitlistMode.OFFER:  # offered, not confirmed
        from . import offers
        return offers.offer_free_seats(session)
    free = session.capacity - _confirmed_count(session)
    promoted = []
    if free <= 0 or session.is_cancelled:
        return promoted
    for enrolment in session.enrolments.waitlist()[:free]:
        enrolment.status = Enrolment.Status.CONFIRMED
        enrolment.waitlisted_at = None
        enrolment.save(update_fields=["status", "waitlisted_at", "updated_at"])
        emails.notify(enrolment, "promoted")
        promoted.append(enrolment)
    return promoted


def cancel(enrolment_id, user):
    """The person cancels their own enrolment, until the session's cancellation deadline."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_related("session").filter(pk=enrolment_id).first()
        if enrolment is None or enrolment.user_id != user.pk:
            raise PermissionDenied
        session = _locked_session(enrolment.session_id)
        enrolment.refresh_from_db()
        if not enrolment.is_active:
            raise EnrolmentError("Cette inscription est déjà annulée.")
        if timezone.now() > session.cancellable_until:
            contact = session.contact_email or "l'équipe de l'Académie des territoires"
            raise EnrolmentError(
                "La date limite d'annulation est passée : pour vous désister, écrivez à "
                f"{contact}."
            )
        held_seat = enrolment.status == Enrolment.Status.CONFIRMED
        held_offer = enrolment.status == Enrolment.Status.OFFERED
        enrolment.status = Enrolment.Status.CANCELLED
        enrolment.waitlisted_at = None
        enrolment.invitation_sequence += 1
        enrolment.save(update_fields=["status", "waitlisted_at", "invitation_sequence",
                                      "updated_at"])
        emails.notify(enrolment, "cancelled", invitation="CANCEL" if held_seat else None)
        if held_seat or held_offer:
            fill_from_waitlist(session)
        return enrolment


def change_capacity(session_id, capacity):
    """New capacity; never below the confirmed enrolments; extra seats go to the waitlist."""
    with transaction.atomic():
        session = _locked_session(session_id)
        confirmed = _confirmed_count(session)
        if capacity < confirmed:
            raise EnrolmentError(
                f"La capacité ne peut pas être inférieure au nombre d'inscrits confirmés "
                f"({confirmed})."
            )
        session.capacity = capacity
        session.save(update_fields=["capacity", "updated_at"])
        return fill_from_waitlist(session)


def _staff_decision(enrolment_id, expected, action):
    with transaction.atomic():
        enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
        if enrolment is None:
            raise EnrolmentError("Cette inscription n'existe pas.")
        session = _locked_session(enrolment.session_id)
        enrolment.refresh_from_db()
        if enrolment.status not in expected:
            raise EnrolmentError(
                f"Impossible : l'inscription est « {enrolment.get_status_display()} »."
            )
        return action(session, enrolment)


def accept(enrolment_id):
    """Staff accept a pending request: confirmed if a seat is free, else waitlisted."""
    def action(session, enrolment):
        if _confirmed_count(session) < session.capacity:
            enrolment.status = Enrolment.Status.CONFIRMED
            kind = "accepted"
        else:
            enrolment.status = Enrolment.Status.WAITLISTED
            enrolment.waitlisted_at = timezone.now()
            kind = "waitlisted"
        enrolment.save()
        emails.notify(enrolment, kind)
        return enrolment
    return _staff_decision(enrolment_id, [Enrolment.Status.PENDING], action)


def refuse(enrolment_id):
    def action(session, enrolment):
        enrolment.status = Enrolment.Status.REFUSED
        enrolment.save()
        emails.notify(enrolment, "refused")
        return enrolment
    return _staff_decision(enrolment_id, [Enrolment.Status.PENDING], action)


def move_up(enrolment_id):
    """Staff give a free seat to this waitlisted person, ahead of the queue."""
    def action(session, enrolment):
        if _confirmed_count(session) >= session.capacity:
            raise EnrolmentError(
                "La session est complète : augmentez la capacité ou attendez un désistement."
            )
        enrolment.status = Enrolment.Status.CONFIRMED
        enrolment.waitlisted_at = None
        enrolment.save()
        emails.notify(enrolment, "promoted")
        return enrolment
    return _staff_decision(enrolment_id, [Enrolment.Status.WAITLISTED], action)


def cancel_session(session_id, reason=""):
    """Cancels the session and every active enrolment; each person is told, with the
    ``reason`` and the course's other sessions (academy.notices)."""
    from . import notices

    with transaction.atomic():
        session = _locked_session(session_id)
        if session.is_cancelled:
            raise EnrolmentError("Cette session est déjà annulée.")
        session.status = Session.Status.CANCELLED
        session.save(update_fields=["status", "updated_at"])
        affected = list(session.enrolments.active().select_related("user"))
        for enrolment in affected:
            held_seat = enrolment.status == Enrolment.Status.CONFIRMED
            enrolment.status = Enrolment.Status.CANCELLED_BY_ORGANISER
            enrolment.waitlisted_at = None
            enrolment.save(update_fields=["status", "waitlisted_at", "updated_at"])
            notices.session_cancelled(enrolment, reason,
                                      invitation="CANCEL" if held_seat else None)
        return affected


def record_attendance(session, marks, by=None):
    """marks: {(enrolment_id, date, period): status or ""} from the ANCT's attendance grid.
    A changed or new mark is recorded as an ANCT correction by ``by``; an unchanged one keeps
    how it was recorded (QR code, trainer)."""
    from .models import Attendance

    valid_slots = set(session.half_days())
    enrolment_ids = set(session.enrolments.holding_seats().values_list("pk", flat=True))
    current = {(e, d, p): status for e, d, p, status in Attendance.objects.filter(
        enrolment__session=session).values_list("enrolment_id", "day", "period", "status")}
    with transaction.atomic():
        for (enrolment_id, day, period), status in marks.items():
            if enrolment_id not in enrolment_ids or (day, period) not in valid_slots:
                continue
            if current.get((enrolment_id, day, period), "") == status:
                continue  # unchanged: keeps how it was recorded
            if status:
                Attendance.objects.update_or_create(
                    enrolment_id=enrolment_id, day=day, period=period,
                    defaults={"status": status, "mode": Attendance.Mode.ANCT,
                              "recorded_by": by, "recorded_at": timezone.now(),
                              "arrived_at": None, "left_at": None},
                )
            else:
                Attendance.objects.filter(enrolment_id=enrolment_id, day=day,
                                          period=period).delete()
