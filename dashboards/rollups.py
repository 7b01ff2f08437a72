"""Totals the dashboards read instead of scanning the academy's attendance marks and the
deployment's contracts, places and communes: kept in the transaction of every write that
changes them, rebuilt after bulk loads. The activity rollups are ``advisors/rollups.py``.

- ``SessionTotals`` (one row per academy session): confirmed enrolments, half-days marked
  and present, DIF requests by status. A write of an enrolment, an attendance mark or a
  DIF request recounts its session's row (``refresh_sessions``).
- ``DeploymentTotal`` (per département, on the day ``as_of``), ``DeploymentChange`` (per
  département and day) and ``RecruitedAdvisor`` (per département and advisor): posts
  granted, occupied and pending, advisors active, in training and in small communes,
  ruptures, open service points and population. A figure on a day is the total plus the
  changes of the days between ``as_of`` and that day, so it stays right as days go by: a
  contract adds one to "active" on its first day and takes it back on the day after its
  last. When the date turns, ``roll`` moves the totals to today (fewer days to add). A write of a
  structure, application, amendment, contract, advisor's training, service point, its
  hours or its advisors, or of a commune recounts the départements it touches
  (``refresh_departments``).

Both recounts are exact whatever runs at the same time: the writer first locks the row it
recounts (``select_for_update``), then counts in new statements, which see every write
committed by a writer that held the lock before it; a writer that has not committed yet
will recount after it. Bulk writes (the national-scale generator, ``seed_demo``, the
benchmark) call ``rebuild()``; signals are connected by ``connect_signals()`` (dashboards'
``AppConfig.ready``), so the feature apps import nothing from here.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, F, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from .models import (
    DEPLOYMENT_COUNTERS,
    DeploymentChange,
    DeploymentTotal,
    RecruitedAdvisor,
    SessionTotals,
)

ALWAYS = datetime.date(1, 1, 1)
DAY = datetime.timedelta(days=1)
COUNTED = tuple(DEPLOYMENT_COUNTERS)  # what changes by day
DEPLOYMENT_FIELDS = (*COUNTED, "population")
SESSION_FIELDS = ("enrolments", "present", "marked", "dif_requested", "dif_granted",
                  "dif_refused")


# --- academy sessions -------------------------------------------------------------------------
def _count(queryset, group):
    """A subquery counting ``queryset``'s rows (0 when there is none)."""
    return Coalesce(Subquery(queryset.order_by().values(group).annotate(n=Count("pk"))
                             .values("n")[:1]), Value(0))


def _session_counts(session_id):
    from academy.models import Attendance, Enrolment
    from academy.models.funding import DifFunding

    enrolments = Enrolment.objects.filter(session_id=session_id)
    marks = Attendance.objects.filter(enrolment__session_id=session_id)
    funding = DifFunding.objects.filter(enrolment__session_id=session_id)
    group = "enrolment__session_id"
    return {
        "enrolments": _count(enrolments.filter(status=Enrolment.Status.CONFIRMED),
                             "session_id"),
        "present": _count(marks.filter(status=Attendance.Status.PRESENT), group),
        "marked": _count(marks, group),
        **{f"dif_{status}": _count(funding.filter(status=status), group)
           for status in ("requested", "granted", "refused")},
    }


def refresh_sessions(session_ids):
    """Recounts the rows of these sessions, each under its row's lock (in id order, so two
    writers never wait for each other)."""
    from academy.models import Session

    with transaction.atomic():
        for session_id in sorted({pk for pk in session_ids if pk is not None}):
            rows = SessionTotals.objects.select_for_update().filter(session_id=session_id)
            if not rows.exists():
                if not Session.objects.filter(pk=session_id).exists():
                    continue  # deleted with its session
                SessionTotals.objects.bulk_create([SessionTotals(session_id=session_id)],
                                                  ignore_conflicts=True)
                rows.exists()  # now locked
            rows.update(**_session_counts(session_id))


def rebuild_sessions():
    """Every session's row recounted from the enrolments, marks and DIF requests."""
    from academy.models import Attendance, Enrolment, Session
    from academy.models.funding import DifFunding

    counts = defaultdict(dict)
    for row in (Enrolment.objects.filter(status=Enrolment.Status.CONFIRMED).order_by()
                .values("session_id").annotate(n=Count("pk"))):
        counts[row["session_id"]]["enrolments"] = row["n"]
    for row in (Attendance.objects.order_by().values(session_id=F("enrolment__session_id"))
                .annotate(present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
                          marked=Count("pk"))):
        counts[row.pop("session_id")].update(row)
    for row in (DifFunding.objects.order_by().values(session_id=F("enrolment__session_id"))
                .annotate(**{f"dif_{status}": Count("pk", filter=Q(status=status))
                             for status in ("requested", "granted", "refused")})):
        counts[row.pop("session_id")].update(row)
    with transaction.atomic():
        SessionTotals.objects.all().delete()
        SessionTotals.objects.bulk_create(
            (SessionTotals(session_id=pk, **counts.get(pk, {}))
             for pk in Session.objects.values_list("pk", flat=True).iterator()),
            batch_size=5000)
    return len(counts)


# --- deployment -------------------------------------------------------------------------------
def _stop(contract):
    """The first day a contract no longer runs (its end's next day, or an effective
    rupture's day); None when it runs on."""
    from advisors.models import Contract

    days = []
    if contract["end"] is not None:
        days.append(contract["end"] + DAY)
    if contract["rupture_status"] == Contract.Rupture.VALIDATED and contract["rupture_date"]:
        days.append(contract["rupture_date"])
    return min(days) if days else None


def _department_rows(department_ids):
    """{département: {day: {field: change}}} and the recruited pairs, computed from the
    records of these départements, the definitions being those of
    ``dashboards.indicators.deployment`` (``Contract.holding_posts``, ``active``,
    ``ServicePoint.objects.public``)."""
    from advisors.models import Amendment, Application, Contract, OpeningRange, ServicePoint
    from territories.models import SMALL_COMMUNE_POPULATION, Commune

    days = {pk: defaultdict(lambda: defaultdict(int)) for pk in department_ids}
    recruited = set()

    def add(department, day, field, value=1):
        if department in days and value:
            days[department][day][field] += value

    for row in (Application.objects.filter(status=Application.Status.VALIDATED,
                                           structure__commune__department_id__in=department_ids)
                .order_by().values(unit=F("structure__commune__department_id"))
                .annotate(posts=Coalesce(Sum("posts_granted"), 0))):
        add(row["unit"], ALWAYS, "granted", row["posts"])
    for row in (Amendment.objects.filter(
            status=Amendment.Status.VALIDATED,
            convention__structure__commune__department_id__in=department_ids)
            .order_by().values(unit=F("convention__structure__commune__department_id"))
            .annotate(added=Coalesce(Sum("posts", filter=Q(kind=Amendment.Kind.ADD)), 0),
                      withdrawn=Coalesce(Sum("posts", filter=Q(kind=Amendment.Kind.WITHDRAW)),
                                         0))):
        add(row["unit"], ALWAYS, "granted", row["added"] - row["withdrawn"])
    for row in (Commune.objects.filter(department_id__in=department_ids).order_by()
                .values("department_id").annotate(population=Coalesce(Sum("population"), 0))):
        add(row["department_id"], ALWAYS, "population", row["population"])

    holding = set(Contract.HOLDING_STATUSES)
    for contract in (Contract.objects.filter(
            structure__commune__department_id__in=department_ids).order_by()
            .values("advisor_id", "status", "start", "end", "rupture_status", "rupture_date",
                    unit=F("structure__commune__department_id"),
                    population=F("structure__commune__population"),
                    training_start=F("advisor__training_start"),
                    training_end=F("advisor__training_end")).iterator()):
        unit, stop = contract["unit"], _stop(contract)
        if contract["status"] in holding:  # holds a post until it stops
            for field in ("occupied",) + (
                    ("pending",) if contract["status"] == Contract.Status.SUBMITTED else ()):
                add(unit, ALWAYS, field)
                if stop is not None:
                    add(unit, stop, field, -1)
        if contract["rupture_status"] == Contract.Rupture.VALIDATED and contract["rupture_date"]:
            add(unit, contract["rupture_date"], "ruptures")
        if contract["status"] != Contract.Status.VALIDATED:
            continue
        recruited.add((unit, contract["advisor_id"]))
        active = ["active"]
        if (contract["population"] is not None
                and contract["population"] < SMALL_COMMUNE_POPULATION):
            active.append("active_small_communes")
        if stop is None or contract["start"] < stop:
            for field in active:
                add(unit, contract["start"], field)
                if stop is not None:
                    add(unit, stop, field, -1)
        if contract["training_start"] and contract["training_end"]:
            until = contract["training_end"] + DAY
            if stop is not None:
                until = min(until, stop)
            if contract["training_start"] < until:
                add(unit, contract["training_start"], "in_training")
                add(unit, until, "in_training", -1)

    # Open service points: public, with hours and, once advisors are listed there, while
    # one of them holds a contract with the place's structure (``ServicePoint.public``).
    points = list(ServicePoint.objects.filter(
        commune__department_id__in=department_ids, is_public=True,
        pk__in=OpeningRange.objects.values("service_point_id")).order_by()
        .values("pk", "structure_id", unit=F("commune__department_id")))
    links = defaultdict(set)
    for point_id, advisor_id in (ServicePoint.advisors.through.objects.filter(
            servicepoint_id__in=[point["pk"] for point in points])
            .values_list("servicepoint_id", "advisor_id").iterator()):
        links[point_id].add(advisor_id)
    stops = defaultdict(list)  # (advisor, structure): stops of their holding contracts
    listed = {advisor for advisors in links.values() for advisor in advisors}
    for contract in (Contract.objects.filter(status__in=holding, advisor_id__in=listed)
                     .order_by().values("advisor_id", "structure_id", "end", "rupture_status",
                                        "rupture_date").iterator()):
        stops[(contract["advisor_id"], contract["structure_id"])].append(_stop(contract))
    for point in points:
        if not links.get(point["pk"]):
            add(point["unit"], ALWAYS, "service_points")
            continue
        ends = [stop for advisor in links[point["pk"]]
                for stop in stops.get((advisor, point["structure_id"]), [])]
        if not ends:
            continue  # listed advisors, none under contract: never shown
        add(point["unit"], ALWAYS, "service_points")
        if None not in ends:
            add(point["unit"], max(ends), "service_points", -1)
    return days, recruited


def _as_of():
    """The day the départements' totals are kept at: the one of the rows already there (the
    last ``roll``), today for the first row."""
    from django.utils import timezone

    day = DeploymentTotal.objects.order_by("-as_of").values_list("as_of", flat=True).first()
    return day or timezone.localdate()


def _lock_departments(department_ids):
    """Locks each département's total (made when missing), in id order; {id: as_of}."""
    ids = sorted(department_ids)
    as_of = _as_of()
    DeploymentTotal.objects.bulk_create(
        [DeploymentTotal(department_id=pk, as_of=as_of) for pk in ids], ignore_conflicts=True)
    return dict(DeploymentTotal.objects.select_for_update().filter(department_id__in=ids)
                .order_by("department_id").values_list("department_id", "as_of"))


def refresh_departments(department_ids):
    """Recounts the deployment rows of these départements, under their locks."""
    from territories.models import Department

    ids = set(Department.objects.filter(pk__in={pk for pk in department_ids if pk})
              .values_list("pk", flat=True))
    if not ids:
        return
    with transaction.atomic():
        as_of = _lock_departments(ids)
        days, recruited = _department_rows(ids)
        DeploymentChange.objects.filter(department_id__in=ids).delete()
        for department, by_day in days.items():
            DeploymentTotal.objects.filter(department_id=department).update(
                **_total_on(by_day, as_of[department]))
        DeploymentChange.objects.bulk_create(_changes(days), batch_size=5000)
        RecruitedAdvisor.objects.filter(department_id__in=ids).delete()
        RecruitedAdvisor.objects.bulk_create(
            RecruitedAdvisor(department_id=unit, advisor_id=advisor)
            for unit, advisor in sorted(recruited))


def _total_on(by_day, as_of):
    """The figures on ``as_of`` from the changes by day."""
    total = dict.fromkeys(DEPLOYMENT_FIELDS, 0)
    for day, changes in by_day.items():
        if day <= as_of:
            for field, value in changes.items():
                total[field] += value
    return total


def _changes(days):
    for department, by_day in days.items():
        for day, changes in sorted(by_day.items()):
            if day != ALWAYS and any(changes.values()):
                yield DeploymentChange(department_id=department, day=day, **changes)


def rebuild_deployment(as_of=None):
    """Every département's deployment rows recomputed, kept at ``as_of`` (today)."""
    from django.utils import timezone

    from territories.models import Department

    as_of = as_of or timezone.localdate()
    ids = set(Department.objects.values_list("pk", flat=True))
    days, recruited = _department_rows(ids)
    with transaction.atomic():
        DeploymentChange.objects.all().delete()
        DeploymentTotal.objects.all().delete()
        RecruitedAdvisor.objects.all().delete()
        DeploymentTotal.objects.bulk_create(
            DeploymentTotal(department_id=department, as_of=as_of, **_total_on(by_day, as_of))
            for department, by_day in days.items())
        DeploymentChange.objects.bulk_create(_changes(days), batch_size=5000)
        RecruitedAdvisor.objects.bulk_create(
            (RecruitedAdvisor(department_id=unit, advisor_id=advisor)
             for unit, advisor in sorted(recruited)), batch_size=5000)
    return len(ids)


def roll(day=None, **_signal_arguments):
    """Moves every département's totals to ``day`` (today): adds the changes of the days
    between. Only makes reading cheaper (fewer days to add): a figure is the same before
    and after. Run when the date turns (``advisors.signals.contracts_turned``)."""
    from django.utils import timezone

    day = day or timezone.localdate()
    with transaction.atomic():
        anchors = dict(DeploymentTotal.objects.select_for_update().order_by("department_id")
                       .values_list("department_id", "as_of"))
        for as_of in set(anchors.values()):
            if as_of == day:
                continue
            ids = [pk for pk, value in anchors.items() if value == as_of]
            for department, changes in _changes_between(Q(department_id__in=ids), as_of, day,
                                                        "department_id").items():
                DeploymentTotal.objects.filter(department_id=department).update(
                    **{field: F(field) + value for field, value in changes.items()})
            DeploymentTotal.objects.filter(department_id__in=ids).update(as_of=day)


def _changes_between(department_filter, as_of, on, key=None):
    """The sum of the changes that lead from the figures on ``as_of`` to those on ``on``
    (``{unit: changes}``; unit None without ``key``)."""
    if as_of == on:
        return {}
    sign, first, last = (1, as_of, on) if as_of < on else (-1, on, as_of)
    rows = DeploymentChange.objects.filter(department_filter, day__gt=first,
                                           day__lte=last).order_by()
    sums = {field: Sum(field) for field in COUNTED}
    if key is None:
        found = [{"unit": None, **rows.aggregate(**sums)}]
    else:
        found = rows.values(unit=F(key)).annotate(**sums)
    return {row.pop("unit"): {field: sign * (value or 0) for field, value in row.items()}
            for row in found}


def _on_geography_imported(**_signal_arguments):
    with transaction.atomic():
        rebuild_deployment()
    from .cache import VERSION

    VERSION.bump()


def rebuild():
    """Every rollup of this module recomputed (after bulk writes, which send no signal).
    Idempotent. Returns (sessions with something counted, départements)."""
    with transaction.atomic():
        result = rebuild_sessions(), rebuild_deployment()
    from .cache import VERSION

    VERSION.bump()
    return result


# --- reading ----------------------------------------------------------------------------------
def deployment_totals(department_filter: Q, on) -> dict:
    """The deployment figures on day ``on`` over the départements of ``department_filter``
    (a Q on a row with ``department``): their totals, the changes of the few days between
    the day they are kept at and ``on``, the distinct advisors recruited. Three queries."""
    return deployment_grouped(department_filter, on, None).get(None) or _with_vacant(
        dict.fromkeys((*DEPLOYMENT_FIELDS, "recruited"), 0))


def deployment_grouped(department_filter: Q, on, key, recruited=True) -> dict:
    """``{unit: figures}`` with ``key`` a path from a row such as ``department_id`` or
    ``department__region_id`` (None: one unit, None, for the whole filter). Three queries
    (one more for each other day some totals are kept at, none in the usual case)."""
    result = defaultdict(lambda: dict.fromkeys((*DEPLOYMENT_FIELDS, "recruited"), 0))
    totals = DeploymentTotal.objects.filter(department_filter).order_by()
    sums = {field: Sum(field) for field in DEPLOYMENT_FIELDS}
    rows = (totals.values("as_of").annotate(**sums) if key is None
            else totals.values("as_of", unit=F(key)).annotate(**sums))
    days = set()
    for row in rows:
        days.add(row.pop("as_of"))
        into = result[row.pop("unit", None)]
        for field, value in row.items():
            into[field] += value or 0
    for as_of in days:
        scope = department_filter if len(days) == 1 else (
            department_filter & Q(department__deployment_total__as_of=as_of))
        for unit, changes in _changes_between(scope, as_of, on, key).items():
            into = result[unit]
            for field, value in changes.items():
                into[field] += value
    pairs = RecruitedAdvisor.objects.filter(department_filter).order_by()
    if not recruited:
        pass  # not asked for (the map): no distinct count
    elif key is None:
        result[None]["recruited"] = pairs.aggregate(n=Count("advisor_id", distinct=True))["n"]
    else:
        for row in pairs.values(unit=F(key)).annotate(
                recruited=Count("advisor_id", distinct=True)):
            result[row["unit"]]["recruited"] = row["recruited"]
    return {unit: _with_vacant(figures) for unit, figures in result.items()}


def _with_vacant(figures):
    figures["vacant"] = max(figures["granted"] - figures["occupied"], 0)
    return figures


def session_figures(held: Q):
    """Sessions held (``held``: a condition on Session), summed with their totals: the
    totals and the rows by département (code, name). One query, grouped by département
    (remote sessions, without a commune, in a group of their own), the totals being the
    sum of its groups."""
    from academy.models import Session

    sums = {"sessions": Count("pk"),
            **{name: Coalesce(Sum(f"dashboard_totals__{name}"), 0) for name in SESSION_FIELDS}}
    groups = list(
        Session.objects.filter(held).order_by()
        .values(code=F("commune__department__code"), name=F("commune__department__name"))
        .annotate(**sums).order_by("code"))
    totals = dict.fromkeys(sums, 0)
    for row in groups:
        for name in sums:
            totals[name] += row[name]
    return totals, [row for row in groups if row["code"] is not None]


# --- keeping them -----------------------------------------------------------------------------
def _session_of_enrolment(enrolment_id):
    from academy.models import Enrolment

    return Enrolment.objects.filter(pk=enrolment_id).values_list("session_id", flat=True).first()


def _add_one(session_filter: Q, **counters):
    """A new row counted by an increment (one statement, which waits for the row's lock as a
    recount does): exact, since the row was not counted before. False when the session has
    no row yet (then it is recounted)."""
    return SessionTotals.objects.filter(session_filter).update(
        **{name: F(name) + 1 for name, value in counters.items() if value}) > 0


def _on_enrolment_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if created:
        # A new enrolment has no mark nor DIF request yet: only a confirmed one counts, and
        # in a rush of enrolments one statement is all it adds under the session's lock.
        if instance.status == instance.Status.CONFIRMED and not _add_one(
                Q(session_id=instance.session_id), enrolments=True):
            refresh_sessions([instance.session_id])
        return
    if update_fields is not None and not {"status", "session", "session_id"} & set(update_fields):
        return
    refresh_sessions([instance.session_id, getattr(instance, "_totals_session_before", None)])


def _on_session_created(sender, instance, created, raw=False, **kwargs):
    """A new session has its (empty) row at once: the first enrolments of a rush are then
    counted by an increment like the others (academy.services enrols in one statement only
    where the row exists), instead of each waiting for a recount."""
    if created and not raw:
        SessionTotals.objects.bulk_create([SessionTotals(session_id=instance.pk)],
                                          ignore_conflicts=True)


def _on_enrolment_changing(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"session", "session_id"} & set(update_fields):
        return
    before = sender.objects.filter(pk=instance.pk).values_list("session_id", flat=True).first()
    instance._totals_session_before = before if before != instance.session_id else None


def _on_enrolment_deleted(sender, instance, **kwargs):
    refresh_sessions([instance.session_id])


def _on_mark_or_funding(sender, instance, raw=False, update_fields=None, **kwargs):
    """An attendance mark or a DIF request saved or deleted: its session is recounted."""
    if raw:
        return
    if update_fields is not None and not {"status", "enrolment", "enrolment_id"} & set(
            update_fields):
        return
    field = sender._meta.get_field("enrolment")
    cached_session = (instance.enrolment.session_id if field.is_cached(instance) else None)
    if kwargs.get("created"):  # counted by an increment (not a DIF row without a request)
        from academy.models import Enrolment

        session = (Q(session_id=cached_session) if cached_session else Q(
            session_id=Subquery(Enrolment.objects.filter(pk=instance.enrolment_id)
                                .values("session_id")[:1])))
        if sender._meta.label == "academy.Attendance":
            counters = {"marked": True, "present": instance.status == "present"}
        else:
            counters = {f"dif_{instance.status}": instance.status in (
                "requested", "granted", "refused")}
            if not any(counters.values()):
                return
        if _add_one(session, **counters):
            return
    session_id = cached_session or _session_of_enrolment(instance.enrolment_id)
    refresh_sessions([session_id])


# Which départements a record counts in, by model: a path from the model to the
# département's id, read before and after the write.
DEPARTMENT_PATHS = {
    "advisors.Structure": "commune__department_id",
    "advisors.Application": "structure__commune__department_id",
    "advisors.Amendment": "convention__structure__commune__department_id",
    "advisors.Contract": "structure__commune__department_id",
    "advisors.ServicePoint": "commune__department_id",
    "advisors.OpeningRange": "service_point__commune__department_id",
    "territories.Commune": "department_id",
}
# Fields whose change alone moves no figure: a save changing only others recounts nothing.
COUNTED_FIELDS = {
    "advisors.Structure": ("commune_id",),
    "advisors.Application": ("status", "posts_granted", "structure_id"),
    "advisors.Amendment": ("status", "kind", "posts", "convention_id"),
    "advisors.Contract": ("status", "start", "end", "rupture_status", "rupture_date",
                          "structure_id", "advisor_id"),
    "advisors.ServicePoint": ("commune_id", "is_public", "structure_id"),
    "advisors.OpeningRange": ("service_point_id",),  # its hours count in no figure
    "territories.Commune": ("department_id", "population"),
    "advisors.Advisor": ("training_start", "training_end"),
}


def _departments_of(model, pks):
    path = DEPARTMENT_PATHS[model._meta.label]
    return set(model._base_manager.filter(pk__in=pks).values_list(path, flat=True))


def _counted_values(model, instance):
    return tuple(getattr(instance, name) for name in COUNTED_FIELDS[model._meta.label])


def _before_write(sender, instance, raw=False, **kwargs):
    """Remembers the départements the record counts in before the write (and, for the
    models of ``COUNTED_FIELDS``, the values that matter)."""
    if raw or instance.pk is None or instance._state.adding:
        return
    label = sender._meta.label
    if label in COUNTED_FIELDS:
        names = COUNTED_FIELDS[label]
        instance._deployment_before = sender._base_manager.filter(pk=instance.pk).values_list(
            *names).first()
    if label in DEPARTMENT_PATHS:
        instance._deployment_departments = _departments_of(sender, [instance.pk])


def _after_write(sender, instance, raw=False, **kwargs):
    if raw:
        return
    label = sender._meta.label
    deleted = kwargs.get("signal") is post_delete
    if label in COUNTED_FIELDS and not kwargs.get("created") and not deleted:
        before = getattr(instance, "_deployment_before", None)
        if before is not None and tuple(before) == _counted_values(sender, instance):
            return  # nothing counted changed
    departments = set(getattr(instance, "_deployment_departments", set()))
    if label == "advisors.Advisor":
        from advisors.models import Contract

        departments |= set(Contract.objects.filter(advisor_id=instance.pk).values_list(
            "structure__commune__department_id", flat=True))
    elif not deleted:
        departments |= _departments_of(sender, [instance.pk])
    refresh_departments(departments)


def _on_advisors_listed(sender, instance, action, reverse, pk_set, **kwargs):
    """An advisor listed at a place or taken off it (``ServicePoint.advisors``)."""
    from advisors.models import ServicePoint

    if action == "pre_clear":
        points = ([instance.pk] if not reverse else
                  list(ServicePoint.advisors.through.objects.filter(advisor_id=instance.pk)
                       .values_list("servicepoint_id", flat=True)))
        instance._deployment_departments = _departments_of(ServicePoint, points)
        return
    if action == "post_clear":
        refresh_departments(getattr(instance, "_deployment_departments", set()))
    elif action in ("post_add", "post_remove"):
        points = list(pk_set or []) if reverse else [instance.pk]
        refresh_departments(_departments_of(ServicePoint, points))


def _on_bulk_change(sender, model=None, service_point=None, **kwargs):
    """``advisors.signals.records_bulk_changed``: opening hours replaced at once recount their
    place's département; positions (geocoding) count in no figure; anything else bulk
    written rebuilds the deployment rows."""
    from advisors.models import OpeningRange, ServicePoint, Structure

    if model in (ServicePoint, Structure):
        return  # positions written by the geocoder: no figure depends on them
    if model is OpeningRange and service_point is not None:
        refresh_departments(_departments_of(ServicePoint, [service_point.pk]))
        return
    rebuild_deployment()


def connect_signals():
    from academy.models import Attendance, Enrolment, Session
    from academy.models.funding import DifFunding
    from advisors import signals
    from advisors.models import (
        Advisor,
        Amendment,
        Application,
        Contract,
        OpeningRange,
        ServicePoint,
        Structure,
    )
    from territories.models import Commune

    uid = "dashboards-rollups"
    post_save.connect(_on_session_created, sender=Session, dispatch_uid=f"{uid}-s1")
    pre_save.connect(_on_enrolment_changing, sender=Enrolment, dispatch_uid=f"{uid}-e0")
    post_save.connect(_on_enrolment_saved, sender=Enrolment, dispatch_uid=f"{uid}-e1")
    post_delete.connect(_on_enrolment_deleted, sender=Enrolment, dispatch_uid=f"{uid}-e2")
    for model in (Attendance, DifFunding):
        for signal in (post_save, post_delete):
            signal.connect(_on_mark_or_funding, sender=model,
                           dispatch_uid=f"{uid}-{model._meta.label}-{id(signal)}")
    for model in (Structure, Application, Amendment, Contract, ServicePoint, OpeningRange,
                  Commune, Advisor):
        for signal in (pre_save, pre_delete):
            signal.connect(_before_write, sender=model,
                           dispatch_uid=f"{uid}-{model._meta.label}-{id(signal)}")
        for signal in (post_save, post_delete):
            signal.connect(_after_write, sender=model,
                           dispatch_uid=f"{uid}-{model._meta.label}-{id(signal)}")
    m2m_changed.connect(_on_advisors_listed, sender=ServicePoint.advisors.through,
                        dispatch_uid=f"{uid}-listed")
    signals.records_bulk_changed.connect(_on_bulk_change, dispatch_uid=f"{uid}-bulk")
    # The date turned: the totals move to today (cheaper reading; figures unchanged).
    signals.contracts_turned.connect(roll, dispatch_uid=f"{uid}-roll")
    # An import of the geography (bulk, no signal per commune): populations and
    # départements recounted.
    from territories.signals import geography_imported

    geography_imported.connect(_on_geography_imported, dispatch_uid=f"{uid}-geography")
