"""Coordinators: the advisors they coordinate and their recent activity, read-only."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from ..models import ActivityReport, Advisor, Application, ServicePoint
from .common import paginate

RECENT_DAYS = 30


def _coordinated(user):
    """The advisors this coordinator follows (``AdvisorQuerySet.coordinated_by``)."""
    return Advisor.objects.coordinated_by(user)


@login_required
def coordinated_list(request):
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    recent = Q(activity_reports__date__gte=since)
    advisors = _coordinated(request.user).annotate(
        recent_reports=Count("activity_reports", filter=recent),
        recent_participants=Sum("activity_reports__participants", filter=recent),
        last_report=Max("activity_reports__date"),
    ).order_by("last_name", "first_name", "pk")
    posts = (Application.objects.held_by(request.user)
             .select_related("structure", "coordinated_department", "coordinated_region"))
    return render(request, "advisors/coordination.html", {
        "advisors": paginate(request, advisors), "days": RECENT_DAYS, "posts": posts,
    })


@login_required
def coordinated_detail(request, pk):
    advisor = get_object_or_404(_coordinated(request.user), pk=pk)
    reports = (ActivityReport.objects.visible_to(request.user).filter(advisor=advisor)
               .select_related("commune", "service_point"))
    places = (ServicePoint.objects.visible_to(request.user).filter(advisors=advisor)
              .select_related("commune").order_by("name"))
    return render(request, "advisors/coordinated_advisor.html", {
        "advisor": advisor,
        "contract": advisor.current_contract(),
        "trainings": list(advisor.academy_trainings()),
        "reports": paginate(request, reports, "comptes-rendus", 20),
        "places": paginate(request, places, "lieux", 10),
    })
