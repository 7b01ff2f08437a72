"""Activity reports (CRA), written, corrected and deleted by the advisor themselves."""

from django.db import transaction
from django.utils import timezone

from calendars.dates import long_date

from .. import rollups
from ..models import ActivityReport, Contract
from ..models.activity import (
    AGE_BANDS,
    CORRECTION_RULE,
    STATUS_BANDS,
    correction_deadline,
    first_correctable_date,
    too_old_message,
)
from .base import NotAllowed, WorkflowError, locked, validate

FIELDS = {"date", "commune", "service_point", "channel", "kind", "participants", "themes",
          "duration", "title", "tags", "redirected", "redirected_to",
          *(name for name, _ in AGE_BANDS), *(name for name, _ in STATUS_BANDS)}


def record_activity(advisor, data, actor, recorded_on=None):
    """Records one accompaniment for ``advisor``. ``data`` holds the report's fields (bands
    default to 0); the commune defaults to the service point's, the structure is the one
    employing the advisor on that day (else the service point's). At the service point,
    the commune is always the place's. Its date may not precede the previous month of the
    day it is recorded (``recorded_on``, today by default): older months are published."""
    _require_author(advisor, actor, "Seul le conseiller saisit ses comptes rendus d'activité.")
    report = ActivityReport(advisor=advisor)
    _fill(report, data)
    earliest = first_correctable_date(recorded_on or timezone.localdate())
    if report.date and report.date < earliest:
        raise WorkflowError(too_old_message(earliest), {"date": [too_old_message(earliest)]})
    if report.kind not in ActivityReport.Kind.current():
        raise WorkflowError("Ce type d'accompagnement n'est plus proposé.", {"kind": [
            "Choisissez « Accompagnement individuel » ou « Atelier collectif »."]})
    with transaction.atomic():
        validate(report)
        report.save()
        rollups.add(report)  # the activity totals move with the report, or not at all
    return report


def correct_activity(report, data, actor):
    """Replaces the fields of ``report`` by ``data`` (as for ``record_activity``), inside its
    correction window; the new date must be inside the window too. The totals lose the
    report as it was and gain it as it is, in the same transaction."""
    _require_author(report.advisor, actor, "Seul le conseiller qui l'a saisi modifie ce "
                                           "compte rendu.")
    with transaction.atomic():
        before = locked(ActivityReport, report.pk)
        _require_open(before)
        for name in FIELDS:  # what the form does not send goes back to its default
            field = ActivityReport._meta.get_field(name)
            setattr(report, field.attname, field.get_default())
        _fill(report, data)
        if report.date and not report.can_be_corrected():
            raise WorkflowError(CORRECTION_RULE, {"date": [
                "Cette date est sortie de la période de correction (jusqu'à la fin du mois "
                "qui suit la date de l'accompagnement)."]})
        validate(report)
        rollups.remove(before)
        report.save()
        rollups.add(report)
    return report


def delete_activity(report, actor):
    """Deletes ``report`` inside its correction window, and takes it out of the totals in
    the same transaction."""
    _require_author(report.advisor, actor, "Seul le conseiller qui l'a saisi supprime ce "
                                           "compte rendu.")
    with transaction.atomic():
        before = locked(ActivityReport, report.pk)
        _require_open(before)
        rollups.remove(before)
        before.delete()
    return before


def _require_author(advisor, actor, message):
    if actor is None or not actor.is_authenticated or advisor.user_id != actor.pk:
        raise NotAllowed(message)


def _require_open(report):
    if not report.can_be_corrected(timezone.localdate()):
        raise WorkflowError(
            f"La période de correction de ce compte rendu s'est terminée le "
            f"{long_date(correction_deadline(report.date))}. {CORRECTION_RULE}")


def _fill(report, data):
    """Sets ``data`` on ``report`` with what every report needs: the commune of the service
    point at the service point, the structure employing the advisor on that day (else the
    service point's)."""
    advisor = report.advisor
    unknown = set(data) - FIELDS
    if unknown:
        raise WorkflowError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    for name, value in data.items():
        setattr(report, name, value)
    service_point = report.service_point if report.service_point_id else None
    if service_point is not None:
        if not service_point.advisors.filter(pk=advisor.pk).exists():
            raise WorkflowError("Vous ne travaillez pas dans ce lieu d'activité.")
        # At the service point, the commune is the place's, whatever else was sent.
        if not report.commune_id or report.channel == ActivityReport.Channel.SERVICE_POINT:
            report.commune = service_point.commune
    report.structure_id = None
    if report.date:
        contract = (Contract.objects.filter(advisor=advisor).active(report.date)
                    .only("structure_id").first())
        if contract is not None:
            report.structure_id = contract.structure_id
        elif service_point is not None:
            report.structure_id = service_point.structure_id
