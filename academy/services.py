"""Enrolment rules. Every change of seats happens with the session row locked
(SELECT … FOR UPDATE on PostgreSQL), so confirmed enrolments never exceed capacity and a
freed seat goes to the first waitlisted person in the same transaction."""

import functools
from contextlib import nullcontext

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.emails import enqueue
from accounts.models import OutgoingEmail
from accounts.roles import Role
from calendars import dates
from core.cache_versions import renewals_together
from core.prepared import Param, PreparedStatement
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
        # In the same transaction: committed with the enrolment, or not at all.
        emails.notify_later(enrolment, enrolment.status)
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
# The message that tells the person is saved in the same statement (the outbox's row, to be
# written by the worker that sends it: academy.emails.compose): committed with the
# enrolment, or not at all.
#
# It inserts nothing, and enrol() takes its usual way, when anything is out of the ordinary:
# the session cancelled, closed or not yet open, its place or link changed since it was
# read (hybrid or not), the person already having an enrolment in it (active, or cancelled
# and coming back), or no dashboards' row for the session (made with each new session; for
# one made before, the first confirmed enrolment makes it by a recount).
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
),
queued AS (
    INSERT INTO {outbox} ({outbox_columns}, {outbox_arguments})
    SELECT {outbox_values}, jsonb_build_object(
        'enrolment', i.id, 'kind', i.status,
        'position', CASE WHEN i.status = %s THEN d.waiting + 1 END)
    FROM inserted i, decided d
    RETURNING id
)
{count_totals}
SELECT i.id, i.status, i.waitlisted_at, d.waiting, q.id FROM inserted i, decided d, queued q
"""


# What "S'inscrire" needs to know before enrolling at once, in one read: the session and
# its course, the person's first mandate and how many they have, and whether another of
# their enrolments would be shown as a warning first (academy.views.enrol). Any row of
# Enrolment.objects.clashing_with counts here, where the page shows only some of them: when
# this finds one, the usual way decides.
AT_ONCE_FACTS_SQL = """
SELECT s.id, s.course_id, s.commune_id, s.remote_url, s.start, s."end",
       session_commune.department_id, page.title, page.live, course.audience,
       m.id, m.is_first_mandate, m.commune_id, m.department_id,
       mandate_commune.population, mandate_commune.department_id,
       (SELECT count(*) FROM {mandate} all_m JOIN {profile} p ON p.id = all_m.profile_id
        WHERE p.user_id = %s) AS mandates,
       EXISTS (SELECT 1 FROM {enrolment} e JOIN {session} other ON other.id = e.session_id
               WHERE e.user_id = %s AND e.status = ANY(%s)
                 AND other.status = %s AND other.id <> s.id
                 AND (other.course_id = s.course_id
                      OR (other.start < s."end" AND other."end" > s.start))) AS clashing
FROM {session} s
JOIN {course} course ON course.page_ptr_id = s.course_id
JOIN {page} page ON page.id = s.course_id
LEFT JOIN {commune} session_commune ON session_commune.id = s.commune_id
LEFT JOIN LATERAL (
    SELECT first_m.* FROM {mandate} first_m JOIN {profile} p ON p.id = first_m.profile_id
    WHERE p.user_id = %s ORDER BY first_m.id LIMIT 1
) m ON true
LEFT JOIN {commune} mandate_commune ON mandate_commune.id = m.commune_id
WHERE s.id = %s
"""


@functools.cache
def _at_once_facts():
    from wagtail.models import Page

    from territories.models import Commune

    from .models import CoursePage, OfficialProfile

    quote = connection.ops.quote_name
    sql = AT_ONCE_FACTS_SQL.format(**{
        name: quote(model._meta.db_table) for name, model in (
            ("session", Session), ("course", CoursePage), ("page", Page),
            ("commune", Commune), ("mandate", Mandate), ("profile", OfficialProfile),
            ("enrolment", Enrolment))})
    user, session = Param("user", "bigint"), Param("session", "bigint")
    return PreparedStatement("academy_enrol_at_once_facts", sql, [
        user, user, list(Enrolment.ACTIVE_STATUSES), Session.Status.SCHEDULED, user, session])


def enrol_at_once(session_id, user):
    """"S'inscrire" when there is nothing to ask nor to tell first: a session of a live
    course, neither hybrid nor clashing with another enrolment of the person, who has
    exactly one mandate (a course for elected officials) or at most one (a course for
    everyone or for agents). Two messages to the database (the facts above,
    then the enrolment and its email: _enrol_in_one_round_trip), no other read.

    Returns the enrolment, or None when anything is otherwise (or not on PostgreSQL): the
    caller then takes its usual way, which reads everything and says why."""
    if connection.vendor != "postgresql" or not user.is_authenticated:
        return None
    from territories.models import Commune

    from .models import CoursePage

    try:
        session_pk = int(session_id)
    except (TypeError, ValueError):
        return None
    if not 0 < session_pk < 2**63:  # no such session; PostgreSQL would refuse the number
        return None
    statement = _at_once_facts()
    with connection.cursor() as cursor:
        cursor.execute(statement.execute_sql(connection),
                       statement.params(user=user.pk, session=session_pk))
        row = cursor.fetchone()
    if row is None:
        return None
    (pk, course_id, commune_id, remote_url, start, end, session_department, title, live,
     audience, mandate_id, first_mandate, mandate_commune, mandate_department, population,
     commune_department, mandates, clashing) = row
    # Whom the course is for decides what may be refused (audience_refusal) and asked (the
    # mandate, among several).
    allowed = (mandates == 1 if audience == Audience.ELECTED_OFFICIALS
               else audience in (Audience.ALL, Audience.AGENTS) and mandates <= 1)
    if not live or not allowed or clashing or (commune_id and remote_url):
        return None
    session = _read(Session, id=pk, course_id=course_id, commune_id=commune_id,
                    remote_url=remote_url, start=start, end=end)
    session.course = _read(CoursePage, page_ptr_id=course_id, id=course_id, title=title,
                           live=live, audience=audience)
    if commune_id:
        session.commune = _read(Commune, id=commune_id, department_id=session_department)
    mandate = mandate_id and _read(Mandate, id=mandate_id, is_first_mandate=first_mandate,
                                   commune_id=mandate_commune, department_id=mandate_department)
    if mandate and mandate_commune:
        mandate.commune = _read(Commune, id=mandate_commune, population=population,
                                department_id=commune_department)
    try:
        return _enrol_in_one_round_trip(session, user, "", mandate or None, priority_hint(
            session, user, [mandate] if mandate else []))
    except EnrolmentError:  # the same person twice at the same instant: said the usual way
        return None


def _read(model, **values):
    """An instance of ``model`` as read from the database with only these fields (the others
    are read if asked for, as with ``only()``)."""
    fields = [f for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, [f.attname for f in fields],
                         [values[f.attname] for f in fields])


def _session_totals():
    """The dashboards' table of per-session totals (kept in the transaction of each
    enrolment), or None without the dashboards app. Looked up, not imported: the academy
    does not depend on the dashboards."""
    if not apps.is_installed("dashboards"):
        return None
    return apps.get_model("dashboards", "SessionTotals")


def _fields_to_insert(model, skip):
    """The concrete fields of ``model`` an insert names, but the primary key and ``skip``."""
    return [f for f in model._meta.concrete_fields
            if not f.primary_key and f.attname not in skip]


ENROLMENT_SET_IN_SQL = ("status", "waitlisted_at")
OUTBOX_SET_IN_SQL = ("composer_arguments",)
# The columns whose values change from one enrolment to the next (the parameters of each
# call); every other column is written with its default, once, when the statement is
# prepared. The two rows' timestamps are one instant.
ENROLMENT_PARAMS = {"session_id": "session", "user_id": "user", "priority": "priority",
                    "attendance_mode": "mode", "mandate_id": "mandate", "created_at": "now",
                    "updated_at": "now"}
OUTBOX_PARAMS = {"key": "key", "to": "to", "created_at": "now", "updated_at": "now"}


def _row_slots(model, skip, params):
    """The values of an insert of ``model`` (its fields but the primary key and ``skip``):
    a Param for the columns named in ``params``, the column's default for the others."""
    slots = []
    for field in _fields_to_insert(model, skip):
        if field.attname in params:
            slots.append(Param(params[field.attname], _db_type(field)))
        elif field.has_default() and callable(field.default) or getattr(
                field, "auto_now", False) or getattr(field, "auto_now_add", False):
            raise ValueError(f"{field}: a value of each row, to be given in the params")
        else:
            slots.append(field.get_db_prep_save(field.get_default(), connection))
    return slots


@functools.cache
def _one_round_trip():
    """(the session's lock, the prepared statement that follows it): see ONE_ROUND_TRIP_SQL."""
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in _fields_to_insert(Enrolment, ENROLMENT_SET_IN_SQL)]
    outbox_fields = _fields_to_insert(OutgoingEmail, OUTBOX_SET_IN_SQL)
    totals = _session_totals()
    session_table = quote(Session._meta.db_table)
    totals_exist = count_totals = ""
    if totals is not None:
        table = quote(totals._meta.db_table)
        key = quote(totals._meta.get_field("session").column)
        counter = quote(totals._meta.get_field("enrolments").column)
        totals_exist = f"AND EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.id)"
        count_totals = (f", counted AS (UPDATE {table} SET {counter} = {counter} + 1 "
                        f"WHERE {key} = %s AND EXISTS (SELECT 1 FROM inserted "
                        f"WHERE status = %s) RETURNING 1)")
    lock, statement = ONE_ROUND_TRIP_SQL.split(";", 1)
    statement = statement.format(
        session=session_table, enrolment=quote(Enrolment._meta.db_table),
        totals_exist=totals_exist, count_totals=count_totals,
        held=", ".join(["%s"] * len(Session.HELD_STATUSES)), columns=", ".join(columns),
        values=", ".join(["%s"] * len(columns)),
        outbox=quote(OutgoingEmail._meta.db_table),
        outbox_columns=", ".join(quote(f.column) for f in outbox_fields),
        outbox_arguments=quote(OutgoingEmail._meta.get_field("composer_arguments").column),
        outbox_values=", ".join(["%s"] * len(outbox_fields)))
    Status = Enrolment.Status
    session, user = Param("session", "bigint"), Param("user", "bigint")
    outbox_slots = _row_slots(OutgoingEmail, OUTBOX_SET_IN_SQL, OUTBOX_PARAMS)
    composer = [f.attname for f in outbox_fields].index("composer")
    outbox_slots[composer] = emails.COMPOSER
    slots = [
        session, Session.Status.SCHEDULED, Param("hybrid", "boolean"), *Session.HELD_STATUSES,
        Status.WAITLISTED, user, session, Status.PENDING, Status.CONFIRMED, Status.WAITLISTED,
        *_row_slots(Enrolment, ENROLMENT_SET_IN_SQL, ENROLMENT_PARAMS), Status.WAITLISTED,
        *outbox_slots, Status.WAITLISTED,
        *([session, Status.CONFIRMED] if totals is not None else [])]
    return (lock.format(session=session_table) + ";",
            PreparedStatement("academy_enrol_one_round_trip", statement, slots))


def _db_type(field):
    """The column's type, as a prepared statement's parameter (a foreign key: its target's)."""
    kind = field.db_type(connection)
    if kind is None:
        raise ValueError(f"{field}: no column type")
    return kind


def _enrol_in_one_round_trip(known, user, attendance_mode, counted, priority):
    """The enrolment, or None when it is left to enrol()'s usual way (see above)."""
    try:
        mode = _attendance_mode(known, attendance_mode, None)
    except EnrolmentError:
        return None  # the usual way says it, after the rules that come first
    enrolment = Enrolment(session=known, user=user, priority=priority, attendance_mode=mode,
                          mandate=counted)
    lock, statement = _one_round_trip()
    Status = Enrolment.Status
    field = OutgoingEmail._meta.get_field
    params = [known.pk, *statement.params(
        session=known.pk, hybrid=known.is_hybrid, user=user.pk, priority=priority,
        mode=mode, mandate=counted.pk if counted else None, now=timezone.now(),
        key=field("key").get_default(),
        to=field("to").get_db_prep_save([user.email], connection))]
    try:
        # Inside a caller's transaction, a savepoint: a failed insert undoes only this.
        with (transaction.atomic() if connection.in_atomic_block else nullcontext()):
            sql = f"{lock} {statement.execute_sql(connection)}"
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.nextset()  # past the lock's row
                row = cursor.fetchone()
    except IntegrityError as error:  # the same person, twice at the same instant
        raise EnrolmentError("Vous êtes déjà inscrit à cette session.") from error
    if row is None:
        return None
    enrolment.pk, enrolment.status, enrolment.waitlisted_at, waiting, outgoing_id = row
    enrolment._state.adding, enrolment._state.db = False, connection.alias
    if enrolment.status == Status.WAITLISTED:
        enrolment.position_when_enrolled = waiting + 1
    # The signal of a save, for its other receivers ("Mon espace", the versions of the kept
    # pages, dashboards and open data: renewed now and at the commit). raw=True: the row is
    # written as it is, nothing else to update; the dashboards' receiver leaves the count
    # to the statement above (tests/academy/test_enrolment_one_round_trip.py lists the
    # receivers: a new one must be checked against this way of saving).
    with renewals_together():
        post_save.send(sender=Enrolment, instance=enrolment, created=True, raw=True,
                       using=connection.alias, update_fields=None)
    transaction.on_commit(lambda: enqueue(outgoing_id))
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
