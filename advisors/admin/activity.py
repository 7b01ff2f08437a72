"""Where advisors work and what they do, in the back office: service points and activity
reports (listings, filters, exports)."""

from ..models import ActivityReport, ServicePoint
from ..services import records
from .exports import ActivityReportsExport, ServicePointsExport
from .filters import admin_filterset, department_column
from .listing import ReadOnlyViewSet
from .records import CorrectingViewSet


class ServicePointViewSet(CorrectingViewSet):
    model = ServicePoint
    name = "advisors_service_points"
    icon = "site"
    menu_label = "Lieux d'activité"
    select_related = ("structure", "commune__department__region")
    list_display = ["name", "structure", "commune", department_column("commune"), "access",
                    "is_itinerant", "is_public"]
    filterset_class = admin_filterset(ServicePoint, ["access", "is_itinerant", "is_public"],
                                      commune="commune")
    search_fields = ["name", "structure__name", "commune__name", "address"]
    export_class = ServicePointsExport
    form_fields = list(records.SERVICE_POINT_FIELDS)
    correct = staticmethod(records.correct_service_point)


class ActivityReportViewSet(ReadOnlyViewSet):
    model = ActivityReport
    name = "advisors_activity_reports"
    icon = "list-ul"
    menu_label = "Comptes rendus d'activité"
    select_related = ("advisor", "structure", "commune__department__region")
    list_display = ["date", "advisor", "structure", "commune", "kind", "channel",
                    "participants", "duration"]
    filterset_class = admin_filterset(
        ActivityReport, ["kind", "channel", "duration"], commune="commune",
        dates={"periode": ("date", "Accompagnement entre")})
    search_fields = ["advisor__last_name", "advisor__email", "structure__name", "commune__name"]
    export_class = ActivityReportsExport
