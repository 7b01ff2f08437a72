"""Advisors: "Saisir un accompagnement" (activity report), quick to fill on a phone, the
list of their recent reports, and correcting one: edit, duplicate, delete (inside the
correction window of ``ActivityReport.can_be_corrected``)."""

from collections import Counter
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from calendars.dates import long_date

from .. import fragments, services
from ..forms import ActivityReportForm
from ..models import AGE_BANDS, STATUS_BANDS, ActivityReport, ActivityTheme, ServicePoint
from ..models.activity import CORRECTION_RULE, FIRST_REPORT_DATE
from ..models.places import staffing_links
from ..services.activity import correct_activity, delete_activity
from .beneficiaries import linking, report_beneficiary_choices
from .calls import perform
from .common import own_advisor, paginate

NOT_ADVISOR = "Cette page est réservée aux conseillers numériques."
NOT_AUTHOR = "Seul le conseiller qui a saisi ce compte rendu peut le modifier ou le supprimer."


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


def _own_report(request, pk):
    """The author's report; 403 for a report the person may see but did not write (a
    coordinator's advisor's), 404 for the others."""
    advisor = _advisor_or_403(request.user)
    report = (ActivityReport.objects.visible_to(request.user)
              .select_related("advisor", "commune", "service_point").filter(pk=pk).first())
    if report is None:
        raise Http404
    if report.advisor_id != advisor.pk:
        raise PermissionDenied(NOT_AUTHOR)
    return advisor, report


def _service_points(advisor, keep=None):
    """The places the advisor works at under a running contract with their structure (an
    advisor who left offers them no more), and ``keep``: the place of the report being
    corrected."""
    staffed = staffing_links().filter(advisor_id=advisor.pk).values("servicepoint_id")
    return list(ServicePoint.objects.filter(Q(pk__in=staffed) | Q(pk=keep))
                .select_related("commune__department").order_by("name", "pk"))


def _copied(report, service_points):
    """A report's fields as a form's initial data (its service point only if the advisor
    still works there)."""
    initial = {name: getattr(report, name) for name in COPIED}
    initial["commune"] = report.commune.label
    if report.service_point_id not in {sp.pk for sp in service_points}:
        initial["service_point"] = None
        if report.channel == ActivityReport.Channel.SERVICE_POINT:
            initial["channel"] = ActivityReport.Channel.OTHER_PLACE
    else:
        initial["service_point"] = report.service_point_id
    initial["beneficiaries"] = list(report.beneficiaries.values_list("pk", flat=True))
    return initial


COPIED = ("date", "kind", "title", "tags", "channel", "participants", "themes", "duration",
          "redirected",
          "redirected_to", *(name for name, _ in AGE_BANDS), *(name for name, _ in STATUS_BANDS))


def _new_report_page(request, advisor, service_points, initial, source=None):
    """"Saisir un accompagnement", blank (today's defaults) or copied from ``source``."""
    form = ActivityReportForm(request.POST or None, service_points=service_points,
                              initial=initial, frequent_themes=_frequent_themes(advisor),
                              beneficiaries=report_beneficiary_choices(request.user))
    done = perform(request, form,
                   linking(form, request.user, lambda data: services.record_activity(
                       advisor, form.data_for_service(), request.user)),
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
        "source": source,
    })


@login_required
def report_create(request):
    advisor = _advisor_or_403(request.user)
    service_points = _service_points(advisor)
    initial = _defaults(request, advisor, service_points)
    asked = request.GET.get("beneficiaire", "")  # "Saisir un accompagnement" of a record
    if asked.isdigit() and len(asked) < 19:
        initial["beneficiaries"] = [int(asked)]
    return _new_report_page(request, advisor, service_points, initial)


@login_required
def report_duplicate(request, pk):
    """"Même chose que la dernière fois": a new report prefilled from one of the advisor's
    reports (any, even one no longer correctable), dated today."""
    advisor, report = _own_report(request, pk)
    service_points = _service_points(advisor)
    initial = _copied(report, service_points) | {"date": timezone.localdate()}
    if report.kind not in ActivityReport.Kind.current():  # a "demande ponctuelle" of before
        initial["kind"] = ActivityReport.Kind.INDIVIDUAL
    return _new_report_page(request, advisor, service_points, initial, source=report)


def _locked_page(request, report):
    return render(request, "advisors/report_delete.html", {
        "report": report, "locked": True, "rule": CORRECTION_RULE})


@login_required
def report_edit(request, pk):
    advisor, report = _own_report(request, pk)
    if not report.can_be_corrected():
        return _locked_page(request, report)
    service_points = _service_points(advisor, keep=report.service_point_id)
    form = ActivityReportForm(request.POST or None, service_points=service_points,
                              initial=_copied(report, service_points),
                              frequent_themes=_frequent_themes(advisor),
                              legacy_kind=report.kind,
                              beneficiaries=report_beneficiary_choices(request.user, report))
    done = perform(request, form,
                   linking(form, request.user, lambda data: correct_activity(
                       report, form.data_for_service(), request.user)),
                   lambda result: f"Accompagnement du {long_date(result.date)} modifié.")
    if done:
        return redirect("advisors:reports")
    return render(request, "advisors/report_form.html", {
        "form": form, "first_date": FIRST_REPORT_DATE, "today": timezone.localdate(),
        "editing": report, "deadline": report.correction_deadline(),
    })


@login_required
def report_delete(request, pk):
    """A confirmation page, then the deletion (POST)."""
    _advisor, report = _own_report(request, pk)
    if not report.can_be_corrected():
        return _locked_page(request, report)
    done = perform(request, None, lambda data: delete_activity(report, request.user),
                   lambda result: f"Accompagnement du {long_date(result.date)} supprimé.")
    if done or request.method == "POST":
        return redirect("advisors:reports")
    return render(request, "advisors/report_delete.html", {
        "report": report, "locked": False, "deadline": report.correction_deadline()})


@login_required
def report_list(request):
    """The advisor's reports, newest first: rendered once per version of their reports,
    of the places, reader and day (``advisors.fragments``)."""
    fragments.depend(request)  # who is an advisor: the reader's version
    advisor = _advisor_or_403(request.user)
    fragments.depend(request, f"advisor:{advisor.pk}", "places")
    body = fragments.kept("reports", request.user, [f"advisor:{advisor.pk}", "places"],
                          sorted(request.GET.lists()),
                          lambda: _report_list_body(request, advisor))
    return render(request, "advisors/reports.html",
                  {"body": mark_safe(body)})  # noqa: S308 (our own template)


def _report_list_body(request, advisor):
    reports = (ActivityReport.objects.editable_by(request.user).filter(advisor=advisor)
               .select_related("commune", "service_point"))
    page = paginate(request, reports)
    today = timezone.localdate()
    for report in page:
        report.correctable = report.can_be_corrected(today)
    return render_to_string("advisors/includes/reports_body.html",
                            {"reports": page, "rule": CORRECTION_RULE}, request=request)
