"""Activity reports (CRA), written by the advisor themselves."""

from django.db import transaction

from .. import rollups
from ..models import ActivityReport, Contract
from ..models.activity import AGE_BANDS, STATUS_BANDS
from .base import NotAllowed, WorkflowError, validate

FIELDS = {"date", "commune", "service_point", "channel", "kind", "participants", "themes",
          "duration", "redirected", "redirected_to",
          *(name for name, _ in AGE_BANDS), *(name for name, _ in STATUS_BANDS)}


def record_activity(advisor, data, actor):
    """Records one accompaniment for ``advisor``. ``data`` holds the report's fields (bands
    default to 0); the commune defaults to the service point's, the structure is the one
    employing the advisor on that day (else the service point's). At the service point,
    the commune is always the place's."""
    if actor is None or not actor.is_authenticated or advisor.user_id != actor.pk:
        raise NotAllowed("Seul le conseiller saisit ses comptes rendus d'activité.")
    unknown = set(data) - FIELDS
    if unknown:
        raise WorkflowError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    report = ActivityReport(advisor=advisor, **data)
    service_point = report.service_point if report.service_point_id else None
    if service_point is not None:
        if not service_point.advisors.filter(pk=advisor.pk).exists():
            raise WorkflowError("Vous ne travaillez pas dans ce lieu d'activité.")
        # At the service point, the commune is the place's, whatever else was sent.
        if not report.commune_id or report.channel == ActivityReport.Channel.SERVICE_POINT:
            report.commune = service_point.commune
    if report.date:
        contract = (Contract.objects.filter(advisor=advisor).active(report.date)
                    .only("structure_id").first())
        if contract is not None:
            report.structure_id = contract.structure_id
        elif service_point is not None:
            report.structure_id = service_point.structure_id
    with transaction.atomic():
        validate(report)
        report.save()
        rollups.add(report)  # the activity totals move with the report, or not at all
    return report
