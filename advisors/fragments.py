"""Rendered parts of the programme's personal pages kept in the cache: a structure's page,
an advisor's reports, the records of the people followed at a structure, a préfet's
applications. Each part is kept under the versions of what it shows, renewed in the writing
transaction (at once, and again when it commits, so that a part rendered meanwhile from the
data as it was before the commit is never read back), under the day (what changes with the
date alone: a contract that has ended, a report no longer correctable), and under the
version of the person who reads it (their roles), so that nobody is ever served what was
rendered for someone else. Who may open the page is still checked on every request, by
the view, before a part is read.

The versions (``bump``): ``structure:<pk>`` (the structure, its applications, amendments,
conventions, contracts, their extensions, the advisors under contract),
``advisor:<pk>`` (their reports), ``followed:<structure pk>`` (its beneficiaries and
their visits), ``applications`` (every application, opinion and amendment: the préfets'
lists), ``places`` (service points, named in reports), ``user:<pk>`` (their groups,
flags, assignment and managed structures), and ``all``, renewed by bulk writes and by the
daily turn of contracts, which no model signal tells."""

import hashlib
import uuid

from django.core.cache import cache
from django.utils import timezone

from core import personal_pages
from core.cache_versions import VERSION_TIMEOUT, renew_now_and_at_commit, write_versions

PART_TIMEOUT = 24 * 3600
VERSION_KEY = "advisors:fragment-version:{}"


def _renew(names):
    write_versions({VERSION_KEY.format(name): uuid.uuid4().hex for name in names})


def bump(*names):
    """What the parts under these versions show changed: never read them back."""
    names = {name for name in names if name and not name.endswith(":None")}
    if not names:
        return
    renew_now_and_at_commit(lambda: _renew(names))


def versions(names):
    """The current versions of ``names`` (in that order), or None if the cache does not
    answer (the part is then rendered, not kept)."""
    keys = [VERSION_KEY.format(name) for name in ("all", *names)]
    found = cache.get_many(keys)
    if len(found) < len(keys):
        for key in keys:
            if key not in found:
                cache.add(key, uuid.uuid4().hex, VERSION_TIMEOUT)
        found = cache.get_many(keys)
        if len(found) < len(keys):
            return None
    return [found[key] for key in keys]


def depend(request, *names):
    """The whole page may be kept for this session (``core.personal_pages``) while these
    versions, the reader's and ``all`` hold: called before the view reads what they cover
    (who may open the page first of all)."""
    personal_pages.depend(request, *(VERSION_KEY.format(name) for name in
                                     ("all", f"user:{request.user.pk}", *names)))


def reader_keys(user_id):
    """The versions of who a person is in the programme (roles' records, assignment,
    managed structures), for pages kept whole elsewhere (their notices' choices)."""
    return [VERSION_KEY.format("all"), VERSION_KEY.format(f"user:{user_id}")]


def kept(part, user, names, params, render):
    """``render()`` (a string) once per ``part``, reader ``user``, versions ``names`` (plus
    the reader's and ``all``), ``params`` (the request's query, say) and day."""
    names = [*names, f"user:{user.pk}"]
    current = versions(names)
    if current is None:
        return render()
    digest = hashlib.sha256(repr((part, user.pk, names, current, params,
                                  timezone.localdate().isoformat())).encode()).hexdigest()
    key = f"advisors:fragment:{part}:{digest[:32]}"
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, value, PART_TIMEOUT)
    return value


# --- what renews which version --------------------------------------------------------------
def _structures_of_advisor(advisor_id):
    from .models import Contract

    return set(Contract.objects.filter(advisor_id=advisor_id)
               .values_list("structure_id", flat=True))


def _beneficiary_structures_of_report(report_pk):
    from .models import Beneficiary

    return set(Beneficiary.objects.filter(reports=report_pk)
               .values_list("structure_id", flat=True))


def _structure(sender, instance, **kwargs):
    bump(f"structure:{instance.pk}", f"followed:{instance.pk}", "applications")


def _of_structure(sender, instance, **kwargs):
    """Application, Convention: rows with a ``structure_id``."""
    bump(f"structure:{instance.structure_id}", "applications")


def _contract(sender, instance, **kwargs):
    """Who is under contract: the structure's page, the préfets' lists, and the advisor's
    own pages (their reports are theirs while they may write them)."""
    from .models import Advisor

    user_id = (Advisor.objects.filter(pk=instance.advisor_id)
               .values_list("user_id", flat=True).first())
    bump(f"structure:{instance.structure_id}", f"followed:{instance.structure_id}",
         "applications", f"advisor:{instance.advisor_id}", f"user:{user_id}")


def _amendment(sender, instance, **kwargs):
    from .models import Convention

    structure_id = (Convention.objects.filter(pk=instance.convention_id)
                    .values_list("structure_id", flat=True).first())
    bump(f"structure:{structure_id}", "applications")


def _opinion(sender, instance, **kwargs):
    bump("applications")


def _extension(sender, instance, **kwargs):
    from .models import Contract

    structure_id = (Contract.objects.filter(pk=instance.contract_id)
                    .values_list("structure_id", flat=True).first())
    bump(f"structure:{structure_id}")


def _advisor(sender, instance, **kwargs):
    bump(f"advisor:{instance.pk}", f"user:{instance.user_id}",
         *(f"structure:{pk}" for pk in _structures_of_advisor(instance.pk)))


def _report_saved(sender, instance, **kwargs):
    bump(f"advisor:{instance.advisor_id}",
         *(f"followed:{pk}" for pk in _beneficiary_structures_of_report(instance.pk)))


def _report_deleting(sender, instance, **kwargs):
    # Its links to beneficiaries go with it (no m2m signal): their last visit changes.
    instance._fragment_followed = _beneficiary_structures_of_report(instance.pk)


def _report_deleted(sender, instance, **kwargs):
    bump(f"advisor:{instance.advisor_id}",
         *(f"followed:{pk}" for pk in getattr(instance, "_fragment_followed", ())))


def _report_links(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``Beneficiary.reports`` changed, from either side (``report.beneficiaries.set`` is
    the reverse side): the beneficiaries' structures and the reports' advisors."""
    from .models import ActivityReport, Beneficiary

    if action != "pre_clear" and not action.startswith("post_"):
        return
    if reverse:  # instance: a report, pk_set: beneficiaries
        if action == "pre_clear":
            instance._fragment_cleared = set(
                instance.beneficiaries.values_list("structure_id", flat=True))
            return
        structures = set(Beneficiary.objects.filter(pk__in=pk_set or [])
                         .values_list("structure_id", flat=True))
        advisors = {instance.advisor_id}
    else:  # instance: a beneficiary, pk_set: reports
        if action == "pre_clear":
            instance._fragment_cleared = set(
                instance.reports.values_list("advisor_id", flat=True))
            return
        structures = {instance.structure_id}
        advisors = set(ActivityReport.objects.filter(pk__in=pk_set or [])
                       .values_list("advisor_id", flat=True))
    cleared = getattr(instance, "_fragment_cleared", set())
    if reverse:
        structures |= cleared
    else:
        advisors |= cleared
    bump(*(f"followed:{pk}" for pk in structures), *(f"advisor:{pk}" for pk in advisors))


def _beneficiary(sender, instance, **kwargs):
    bump(f"followed:{instance.structure_id}")


def _place(sender, instance, **kwargs):
    bump("places")


def _user(sender, instance, **kwargs):
    bump(f"user:{instance.pk}")


def _user_groups(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_") and action != "pre_clear":
        return
    if reverse:  # group.user_set.…
        if action == "pre_clear":
            instance._fragment_users = list(instance.user_set.values_list("pk", flat=True))
            return
        users = set(pk_set or []) | set(getattr(instance, "_fragment_users", []))
        bump(*(f"user:{pk}" for pk in users))
    elif action.startswith("post_"):
        bump(f"user:{instance.pk}")


def _managers(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_") and action != "pre_clear":
        return
    if reverse:  # user.managed_structures.…
        if action == "pre_clear":
            instance._fragment_structures = list(
                instance.managed_structures.values_list("pk", flat=True))
            return
        bump(f"user:{instance.pk}", *(f"structure:{pk}" for pk in
                                       set(pk_set or [])
                                       | set(getattr(instance, "_fragment_structures", []))))
        return
    if action == "pre_clear":
        instance._fragment_managers = list(instance.managers.values_list("pk", flat=True))
        return
    users = set(pk_set or []) | set(getattr(instance, "_fragment_managers", []))
    bump(f"structure:{instance.pk}", *(f"user:{pk}" for pk in users))


def _assignment(sender, instance, **kwargs):
    bump(f"user:{instance.user_id}", "applications")


def _everything(**kwargs):
    bump("all")


def connect_signals():
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    from . import signals
    from .models import (
        ActivityReport,
        Advisor,
        Amendment,
        Application,
        Beneficiary,
        Contract,
        ContractExtension,
        Convention,
        PrefectAssignment,
        PrefectOpinion,
        ServicePoint,
        Structure,
    )

    User = get_user_model()
    receivers = [(Structure, _structure), (Application, _of_structure),
                 (Convention, _of_structure), (Contract, _contract),
                 (Amendment, _amendment), (PrefectOpinion, _opinion),
                 (ContractExtension, _extension), (Advisor, _advisor),
                 (Beneficiary, _beneficiary), (ServicePoint, _place),
                 (PrefectAssignment, _assignment), (User, _user)]
    for model, receiver in receivers:
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, weak=False,
                           dispatch_uid=f"advisors-fragments:{model._meta.label}:{signal}")
    post_save.connect(_report_saved, sender=ActivityReport, weak=False,
                      dispatch_uid="advisors-fragments:report-saved")
    pre_delete.connect(_report_deleting, sender=ActivityReport, weak=False,
                       dispatch_uid="advisors-fragments:report-deleting")
    post_delete.connect(_report_deleted, sender=ActivityReport, weak=False,
                        dispatch_uid="advisors-fragments:report-deleted")
    m2m_changed.connect(_report_links, sender=Beneficiary.reports.through,
                        weak=False, dispatch_uid="advisors-fragments:report-links")
    m2m_changed.connect(_user_groups, sender=User.groups.through, weak=False,
                        dispatch_uid="advisors-fragments:user-groups")
    m2m_changed.connect(_managers, sender=Structure.managers.through, weak=False,
                        dispatch_uid="advisors-fragments:managers")
    signals.records_bulk_changed.connect(_everything, weak=False,
                                         dispatch_uid="advisors-fragments:bulk")
    signals.contracts_turned.connect(_everything, weak=False,
                                     dispatch_uid="advisors-fragments:contracts-turned")
