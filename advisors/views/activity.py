"""Advisors: "Saisir un accompagnement" (activity report), quick to fill on a phone, and the
list of their recent reports."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from .. import services
from ..forms import ActivityReportForm, add_workflow_error
from ..models import ActivityReport, ServicePoint
from ..models.activity import FIRST_REPORT_DATE
from .common import form_errors, own_advisor, paginate

NOT_ADVISOR = "Cette page est réservée aux conseillers numériques."


def _advisor_or_403(user):
    advisor = own_advisor(user)
    if advisor is None:
        raise PermissionDenied(NOT_ADVISOR)
    return advisor


def _defaults(request, advisor, service_points):
    """Today, the advisor's usual service point and commune (those of their last report,
    else their first service point), an individual accompaniment of one person. "Enregistrer
    et saisir un autre" passes the date, place and channel on."""
    last = (ActivityReport.objects.filter(advisor=advisor)
            .select_related("commune__department").first())
    by_pk = {sp.pk: sp for sp in service_points}
    place = None
    if last is not None and last.service_point_id in by_pk:
        place = by_pk[last.service_point_id]
    elif service_points:
        place = service_points[0]
    commune = last.commune if last is not None else (place.commune if place else None)
    channel = (ActivityReport.Channel.SERVICE_POINT if place
               else ActivityReport.Channel.OTHER_PLACE)
    initial = {
        "date": timezone.localdate(), "kind": ActivityReport.Kind.INDIVIDUAL,
        "participants": 1, "channel": last.channel if last is not None else channel,
        "service_point": place.pk if place else None,
        "commune": commune.label if commune else "",
        "duration": ActivityReport.Duration.UNDER_60,
    }
    for name in ("date", "service_point", "commune", "channel", "kind", "duration"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    return initial


@login_required
def report_create(request):
    advisor = _advisor_or_403(request.user)
    service_points = list(ServicePoint.objects.filter(advisors=advisor)
                          .select_related("commune__department").order_by("name", "pk"))
    form = ActivityReportForm(request.POST or None, service_points=service_points,
                              initial=_defaults(request, advisor, service_points))
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.record_activity(advisor, form.data_for_service(),
                                                  request.user)
            except services.NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except services.WorkflowError as error:
                add_workflow_error(form, error)
            else:
                messages.success(request, f"Accompagnement du {report.date:%d/%m/%Y} "
                                          "enregistré.")
                if "another" in request.POST:
                    keep = {"date": report.date.isoformat(), "channel": report.channel,
                            "commune": report.commune.label, "kind": report.kind,
                            "duration": report.duration}
                    if report.service_point_id:
                        keep["service_point"] = report.service_point_id
                    return redirect(f"{reverse('advisors:report_create')}?{urlencode(keep)}")
                return redirect("advisors:reports")
        form_errors(request)
    return render(request, "advisors/report_form.html", {
        "form": form, "first_date": FIRST_REPORT_DATE, "today": timezone.localdate(),
    })


@login_required
def report_list(request):
    advisor = _advisor_or_403(request.user)
    reports = (ActivityReport.objects.editable_by(request.user).filter(advisor=advisor)
               .select_related("commune", "service_point"))
    return render(request, "advisors/reports.html", {"reports": paginate(request, reports)})
