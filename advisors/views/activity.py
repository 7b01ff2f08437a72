"""Advisors: "Saisir un accompagnement" (activity report), quick to fill on a phone, and the
list of their recent reports."""

from collections import Counter
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from calendars.dates import long_date

from .. import services
from ..forms import ActivityReportForm
from ..models import ActivityReport, ActivityTheme, ServicePoint
from ..models.activity import FIRST_REPORT_DATE
from .calls import perform
from .common import own_advisor, paginate

NOT_ADVISOR = "Cette page est réservée aux conseillers numériques."


def _advisor_or_403(user):
    advisor = own_advisor(user)
    if advisor is None:
        raise PermissionDenied(NOT_ADVISOR)
    return advisor


def _defaults(request, advisor, service_points):
    """Today, the last place the advisor used (else their first service point) and the
    commune that goes with it: the place's at the service point, else that of their last
    report; an individual accompaniment of one person. "Enregistrer et saisir un autre"
    passes the date, place and channel on."""
    reports = ActivityReport.objects.filter(advisor=advisor).select_related(
        "commune__department")
    last = reports.first()
    by_pk = {sp.pk: sp for sp in service_points}
    last_at_place = (ActivityReport.objects.filter(advisor=advisor,
                                                   service_point__in=list(by_pk))
                     .only("service_point_id").first() if by_pk else None)
    place = (by_pk[last_at_place.service_point_id] if last_at_place is not None
             else service_points[0] if service_points else None)
    S = ActivityReport.Channel
    channel = last.channel if last is not None else (S.SERVICE_POINT if place else S.OTHER_PLACE)
    if channel == S.SERVICE_POINT and place is None:
        channel = S.OTHER_PLACE
    asked = request.GET.get("service_point", "")
    if asked.isdigit() and len(asked) < 19 and int(asked) in by_pk:  # int() of 100,000 digits fails
        place = by_pk[int(asked)]
    channel = request.GET.get("channel") or channel
    if channel == S.SERVICE_POINT and place is not None:
        commune = place.commune  # never a commune other than the place's
    else:
        commune = last.commune if last is not None else (place.commune if place else None)
    initial = {
        "date": timezone.localdate(), "kind": ActivityReport.Kind.INDIVIDUAL,
        "participants": 1, "channel": channel,
        "service_point": place.pk if place else None,
        "commune": commune.label if commune else "",
        "duration": ActivityReport.Duration.UNDER_60,
    }
    for name in ("date", "kind", "duration"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    if request.GET.get("commune") and channel != S.SERVICE_POINT:
        initial["commune"] = request.GET["commune"]
    return initial


def _frequent_themes(advisor, count=4):
    """The themes this advisor chose most in their last 100 reports, completed in the list's
    order: shown first, the others folded away."""
    used = Counter(theme for themes in ActivityReport.objects.filter(advisor=advisor)
                   .values_list("themes", flat=True)[:100] for theme in themes or [])
    ranked = [code for code, _n in used.most_common() if code in ActivityTheme.values]
    ranked += [code for code in [*COMMON_THEMES, *ActivityTheme.values] if code not in ranked]
    return ranked[:count]


# The themes most asked for nationally: shown first to an advisor without history.
COMMON_THEMES = [ActivityTheme.SMARTPHONE, ActivityTheme.ONLINE_PROCEDURES, ActivityTheme.EMAIL,
                 ActivityTheme.EQUIPMENT, ActivityTheme.INTERNET, ActivityTheme.SECURITY]


@login_required
def report_create(request):
    advisor = _advisor_or_403(request.user)
    service_points = list(ServicePoint.objects.filter(advisors=advisor)
                          .select_related("commune__department").order_by("name", "pk"))
    form = ActivityReportForm(request.POST or None, service_points=service_points,
                              initial=_defaults(request, advisor, service_points),
                              frequent_themes=_frequent_themes(advisor))
    done = perform(request, form,
                   lambda data: services.record_activity(advisor, form.data_for_service(),
                                                         request.user),
                   lambda report: f"Accompagnement du {long_date(report.date)} enregistré.")
    if done and "another" in request.POST:
        report = done.result
        keep = {"date": report.date.isoformat(), "channel": report.channel,
                "commune": report.commune.label, "kind": report.kind,
                "duration": report.duration}
        if report.service_point_id:
            keep["service_point"] = report.service_point_id
        return redirect(f"{reverse('advisors:report_create')}?{urlencode(keep)}")
    if done:
        return redirect("advisors:reports")
    return render(request, "advisors/report_form.html", {
        "form": form, "first_date": FIRST_REPORT_DATE, "today": timezone.localdate(),
    })


@login_required
def report_list(request):
    advisor = _advisor_or_403(request.user)
    reports = (ActivityReport.objects.editable_by(request.user).filter(advisor=advisor)
               .select_related("commune", "service_point"))
    return render(request, "advisors/reports.html", {"reports": paginate(request, reports)})
