"""Applications in the back office: listing, inspect view with the history and the
préfet's opinion, and the links to the committee's decision and the other transitions."""

from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets.button import Button

from ..models import Application
from ..services import allowed_transitions
from . import coordination, views
from .exports import ApplicationsExport, opinion_label
from .filters import admin_filterset, department_column
from .listing import ReadOnlyViewSet, VisibleInspectView
from .policy import is_anct_admin


class ApplicationInspectView(VisibleInspectView):
    template_name = "advisors/admin/application_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = self.object.events.select_related("actor")
        context["opinion"] = getattr(self.object, "opinion", None)
        context["coordinated"] = (self.object.coordinated_advisors.all()
                                  if self.object.is_coordinator_post else None)
        context["can_decide"] = self.object.is_open and is_anct_admin(self.request.user)
        context["decide_url"] = reverse("advisors_applications:decide", args=[self.object.pk])
        context["transition_url"] = (reverse("advisors_applications:transition",
                                             args=[self.object.pk]) if self.transitions
                                     else None)
        return context

    def get_header_more_buttons(self):
        buttons = super().get_header_more_buttons()
        if self.object.is_open and is_anct_admin(self.request.user):
            buttons.append(Button(
                "Enregistrer la décision du comité", icon_name="tick",
                url=reverse("advisors_applications:decide", args=[self.object.pk])))
        if self.object.is_coordinator_post and is_anct_admin(self.request.user):
            buttons.append(Button(
                "Modifier le périmètre de coordination", icon_name="group",
                url=reverse("advisors_applications:coordination_scope", args=[self.object.pk])))
        if self.transitions:
            buttons.append(Button(
                "Changer le statut (annulée, doublon…)", icon_name="edit",
                url=reverse("advisors_applications:transition", args=[self.object.pk])))
        return buttons

    @cached_property
    def transitions(self):
        if not is_anct_admin(self.request.user):
            return []
        return allowed_transitions(self.object, self.request.user)


class ApplicationViewSet(ReadOnlyViewSet):
    model = Application
    name = "advisors_applications"
    icon = "form"
    menu_label = "Candidatures"
    inspect_view_class = ApplicationInspectView
    select_related = ("structure__commune__department__region", "opinion")
    list_display = ["structure", department_column("structure.commune"), "kind", "status",
                    "posts_requested", "posts_granted",
                    Column("opinion_label", label="Avis du préfet", accessor=opinion_label),
                    "decision_number", DateColumn("created_at", label="Déposée le")]
    filterset_class = admin_filterset(
        Application, ["status", "kind"], commune="structure__commune",
        dates={"deposee": ("created_at", "Déposée entre"),
               "decidee": ("decided_on", "Décidée entre")})
    search_fields = ["structure__name", "structure__siret", "decision_number"]
    export_class = ApplicationsExport
    inspect_view_fields = ["structure", "kind", "status", "posts_requested", "posts_granted",
                           "coordination_scope", "coordinated_department",
                           "coordinated_region", "coordinator_contract", "motivation",
                           "desired_start", "decision_number", "decided_on",
                           "created_by", "created_at"]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("decide/<int:pk>/", views.decide_application, name="decide"),
                path("transition/<int:pk>/", views.transition_application,
                     name="transition"),
                path("coordination/<int:pk>/", coordination.edit_coordination_scope,
                     name="coordination_scope")]
