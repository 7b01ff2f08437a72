"""Training declarations in the back office: the advisors' declarations (dates, hours, Pix
level, CCP1), "À valider" first, which an ANCT administrator validates (the values become the
advisor's training data) or refuses with a reason the advisor reads on "Ma formation"."""

from django import forms
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from wagtail.admin.ui.tables import Column

from .. import dates
from ..models import TrainingRecord
from ..services import records
from .filters import admin_filterset
from .listing import ReadOnlyViewSet, VisibleInspectView
from .policy import is_anct_admin
from .views import _action_page, _require_admin, perform


class RefuseTrainingForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus", widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif du refus."},
        help_text="Le conseiller le lit sur sa page « Ma formation ».")


def _record(request, pk):
    return get_object_or_404(TrainingRecord.objects.visible_to(request.user)
                             .select_related("advisor"), pk=pk)


def _summary(record):
    lines = [f"Statut : {record.get_status_display()}.",
             f"Formation du {dates.long_date(record.training_start)}"
             + (f" au {dates.long_date(record.training_end)}" if record.training_end else "")
             + f", {record.training_hours} heures.",
             "Niveau Pix : " + (str(record.pix_level) if record.pix_level is not None
                                else "non renseigné") + ".",
             "CCP1 : " + ("obtenu" + (f" le {dates.long_date(record.ccp1_obtained_on)}"
                                      if record.ccp1_obtained_on else "")
                          if record.ccp1_obtained else "non obtenu") + "."]
    return lines


def validate_training(request, pk):
    _require_admin(request)
    record = _record(request, pk)
    inspect_url = reverse("advisors_training_records:inspect", args=[record.pk])
    if request.method == "POST":
        perform(request, None, lambda data: records.validate_training(record, request.user),
                f"Formation de {record.advisor} validée : elle figure dans son dossier.")
        return redirect(inspect_url)
    return _action_page(
        request, form=None, label="Valider la formation", icon="tick", subject=record,
        back_url=inspect_url, back_label="Revenir à la déclaration",
        summary=_summary(record), index_url=reverse("advisors_training_records:index"),
        index_label="Formations déclarées")


def refuse_training(request, pk):
    _require_admin(request)
    record = _record(request, pk)
    inspect_url = reverse("advisors_training_records:inspect", args=[record.pk])
    form = RefuseTrainingForm(request.POST or None)
    if perform(request, form,
               lambda data: records.refuse_training(record, request.user, data["reason"]),
               f"Formation de {record.advisor} refusée : le conseiller voit le motif."):
        return redirect(inspect_url)
    return _action_page(
        request, form=form, label="Refuser la formation", icon="cross", subject=record,
        back_url=inspect_url, back_label="Revenir à la déclaration",
        summary=_summary(record), index_url=reverse("advisors_training_records:index"),
        index_label="Formations déclarées")


class TrainingRecordInspectView(VisibleInspectView):
    template_name = "advisors/admin/training_record_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        context["can_decide"] = (is_anct_admin(self.request.user)
                                 and record.status == TrainingRecord.Status.SUBMITTED)
        context["validate_url"] = reverse("advisors_training_records:validate",
                                          args=[record.pk])
        context["refuse_url"] = reverse("advisors_training_records:refuse", args=[record.pk])
        context["advisor_url"] = reverse("advisors_advisors:inspect",
                                         args=[record.advisor_id])
        return context


class SubmittedColumn(Column):
    def get_value(self, instance):
        return dates.long_datetime(instance.submitted_at)


class TrainingRecordViewSet(ReadOnlyViewSet):
    model = TrainingRecord
    name = "advisors_training_records"
    icon = "tick-inverse"
    menu_label = "Formations déclarées"
    inspect_view_class = TrainingRecordInspectView
    select_related = ("advisor",)
    list_display = ["advisor", SubmittedColumn("submitted_at", label="Déclarée le"),
                    "status", "training_start", "training_hours", "pix_level",
                    "ccp1_obtained"]
    filterset_class = admin_filterset(TrainingRecord, ["status", "ccp1_obtained"])
    search_fields = ["advisor__first_name", "advisor__last_name", "advisor__email"]
    inspect_view_fields = ["advisor", "status", "training_start", "training_end",
                           "training_hours", "pix_level", "ccp1_obtained",
                           "ccp1_obtained_on", "submitted_by", "submitted_at",
                           "refusal_reason", "decided_by", "decided_at"]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("validate/<int:pk>/", validate_training, name="validate"),
                path("refuse/<int:pk>/", refuse_training, name="refuse")]
