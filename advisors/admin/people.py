"""Advisors and their contracts in the back office: listings, inspect views, and the
contract actions (validate, refuse, rupture, extensions)."""

from django.urls import path
from wagtail.admin.ui.tables import DateColumn

from ..models import Advisor, Contract, ContractExtension
from ..models.training import TRAINING_FIELDS
from ..services import records
from . import views
from .exports import AdvisorsExport, ContractsExport
from .filters import admin_filterset
from .listing import ReadOnlyViewSet, VisibleInspectView
from .policy import is_anct_admin
from .records import CorrectingViewSet


class AdvisorViewSet(CorrectingViewSet):
    model = Advisor
    name = "advisors_advisors"
    icon = "user"
    menu_label = "Conseillers"
    list_display = ["last_name", "first_name", "email", "phone", "is_coordinator",
                    "pix_level", "ccp1_obtained", DateColumn("created_at", label="Créé le")]
    filterset_class = admin_filterset(
        Advisor, ["is_coordinator", "ccp1_obtained"], commune="contracts__structure__commune",
        dates={"formation": ("training_start", "Formation commencée entre")}, distinct=True)
    search_fields = ["first_name", "last_name", "email"]
    export_class = AdvisorsExport
    inspect_view_fields = ["first_name", "last_name", "email", "phone", "user",
                           "is_coordinator", "training_start", "training_end", "training_hours",
                           "pix_level", "ccp1_obtained", "ccp1_obtained_on", "created_at"]
    # ANCT corrects an advisor's training data (the rest comes from their account).
    form_fields = list(TRAINING_FIELDS)
    correct = staticmethod(records.correct_training)


class ContractInspectView(VisibleInspectView):
    template_name = "advisors/admin/contract_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = views.contract_actions(self.object, self.request.user)
        context["extensions"] = self.object.extensions.all()
        context["can_decide_extensions"] = is_anct_admin(self.request.user)
        context["requested"] = ContractExtension.Status.REQUESTED
        return context


class ContractViewSet(ReadOnlyViewSet):
    model = Contract
    name = "advisors_contracts"
    icon = "doc-full-inverse"
    menu_label = "Contrats"
    inspect_view_class = ContractInspectView
    select_related = ("advisor", "structure__commune__department__region")
    list_display = ["advisor", "structure", "kind", "status", "start", "end",
                    "monthly_gross_salary", "rupture_status"]
    filterset_class = admin_filterset(
        Contract, ["status", "kind", "rupture_status"], commune="structure__commune",
        dates={"debut": ("start", "Début entre"), "fin": ("end", "Fin entre")})
    search_fields = ["advisor__first_name", "advisor__last_name", "advisor__email",
                     "structure__name", "structure__siret"]
    export_class = ContractsExport
    inspect_view_fields = ["advisor", "structure", "kind", "start", "end",
                           "monthly_gross_salary", "status", "refusal_reason", "validated_by",
                           "validated_at", "rupture_status", "rupture_reason", "rupture_date",
                           "rupture_requested_at", "rupture_validated_at", "created_by",
                           "created_at"]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("action/<int:pk>/<slug:action>/", views.contract_action, name="action"),
                path("extension/<int:pk>/", views.decide_extension, name="extension")]
