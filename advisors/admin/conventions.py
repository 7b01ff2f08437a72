"""Conventions and their amendments in the back office: listings, inspect views, and the
links to validating, renewing and deciding."""

from django.urls import path, reverse
from wagtail.admin.ui.tables import Column, DateColumn

from ..models import Amendment, Convention
from . import views
from .exports import AmendmentsExport, ConventionsExport
from .filters import admin_filterset, department_column
from .listing import ReadOnlyViewSet, VisibleInspectView
from .policy import is_anct_admin

VALIDABLE_CONVENTIONS = (Convention.Status.IN_PROGRESS, Convention.Status.INITIATED)


class ConventionInspectView(VisibleInspectView):
    template_name = "advisors/admin/convention_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["amendments"] = self.object.amendments.all()
        context["renewal"] = renewal = Convention.objects.filter(previous=self.object).first()
        context["renew_url"] = (
            reverse("advisors_conventions:renew", args=[self.object.pk])
            if renewal is None and self.object.status == Convention.Status.VALIDATED
            and is_anct_admin(self.request.user) else None)
        context["validate_url"] = (
            reverse("advisors_conventions:validate", args=[self.object.pk])
            if self.object.status in VALIDABLE_CONVENTIONS
            and is_anct_admin(self.request.user) else None)
        return context


class ConventionViewSet(ReadOnlyViewSet):
    model = Convention
    name = "advisors_conventions"
    icon = "doc-full"
    menu_label = "Conventions"
    inspect_view_class = ConventionInspectView
    inspect_view_fields = ["structure", "kind", "status", "previous", "posts", "start", "end",
                           "reason", "created_by", "created_at", "validated_by",
                           "validated_at"]
    select_related = ("structure__commune__department__region",)
    list_display = ["structure", "kind", "status", "posts", "start", "end",
                    department_column("structure.commune")]
    filterset_class = admin_filterset(
        Convention, ["kind", "status"], commune="structure__commune",
        dates={"debut": ("start", "Début entre"), "fin": ("end", "Fin entre")})
    search_fields = ["structure__name", "structure__siret"]
    export_class = ConventionsExport

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("validate/<int:pk>/", views.validate_convention, name="validate"),
                path("renew/<int:pk>/", views.initiate_renewal, name="renew")]


class AmendmentInspectView(VisibleInspectView):
    template_name = "advisors/admin/amendment_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["opinion"] = getattr(self.object, "opinion", None)
        context["decide_url"] = (
            reverse("advisors_amendments:decide", args=[self.object.pk])
            if self.object.status in Amendment.PENDING_STATUSES
            and is_anct_admin(self.request.user) else None)
        context["convention_url"] = reverse("advisors_conventions:inspect",
                                            args=[self.object.convention_id])
        return context


class AmendmentViewSet(ReadOnlyViewSet):
    model = Amendment
    name = "advisors_amendments"
    icon = "doc-full"
    menu_label = "Avenants"
    inspect_view_class = AmendmentInspectView
    select_related = ("convention__structure__commune__department__region",)
    list_display = [Column("structure", label="Structure", accessor="convention.structure"),
                    department_column("convention.structure.commune"), "kind", "posts",
                    "status", DateColumn("requested_at", label="Demandé le")]
    filterset_class = admin_filterset(
        Amendment, ["status", "kind"], commune="convention__structure__commune",
        dates={"demande": ("requested_at", "Demandé entre")})
    search_fields = ["convention__structure__name", "convention__structure__siret"]
    export_class = AmendmentsExport
    inspect_view_fields = ["convention", "kind", "posts", "reason", "status", "requested_by",
                           "requested_at", "decided_by", "decided_at", "decision_comment"]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("decide/<int:pk>/", views.decide_amendment, name="decide")]
