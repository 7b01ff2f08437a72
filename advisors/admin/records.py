"""Correcting records in the back office: structures, service points and advisors' training
data get an edit view and a "Historique" view besides their listing and inspect view.

``CorrectingViewSet`` adds them to a ``ReadOnlyViewSet``; its edit view validates the form
(the model's own rules, next to the fields) and then calls the viewset's ``correct`` service
(``advisors.services.records``), which checks the right and the bounds and writes the change
to the record's history with the administrator; a refusal is shown next to the field it
names, and nothing typed is lost. The history lists Wagtail's log entries of the record,
dated in Europe/Paris."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.widgets.button import HeaderButton

from .. import dates
from ..services import NotAllowed, WorkflowError
from ..views.calls import show_refusal
from .listing import ReadOnlyViewSet, VisibleInspectView


class CorrectingInspectView(VisibleInspectView):
    """The inspect view, with "Modifier" and "Historique" in its header."""

    history_url_name = None

    @cached_property
    def header_buttons(self):
        buttons = []
        if self.edit_url_name:
            buttons.append(HeaderButton("Modifier", url=reverse(
                self.edit_url_name, args=[self.object.pk]), icon_name="edit"))
        if self.history_url_name:
            buttons.append(HeaderButton("Historique", url=reverse(
                self.history_url_name, args=[self.object.pk]), icon_name="history"))
        return buttons

    @cached_property
    def header_more_buttons(self):
        return []


class CorrectionEditView(EditView):
    """Saves through the viewset's service (``correct(instance, user, data)``) what the
    form changed."""

    correct = None
    success_message = "« %(object)s » corrigé : la modification figure dans l'historique."
    error_message = "La modification n'a pas été enregistrée : corrigez les champs signalés."

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def save_instance(self):
        data = {name: self.form.cleaned_data[name] for name in self.form.changed_data
                if name in self.form.cleaned_data}
        fresh = type(self.form.instance).objects.get(pk=self.form.instance.pk)
        if not data:
            return fresh
        return self.correct(fresh, self.request.user, data)

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except WorkflowError as error:
            show_refusal(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response

    def get_success_buttons(self):
        return []

    @cached_property
    def header_more_buttons(self):
        return []


class TimeColumn(Column):
    """A time written in full, Europe/Paris ("6 décembre 2026 à 11 h 05")."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return dates.long_datetime(value) if value else "—"


class CorrectionHistoryView(HistoryView):
    """The record's changes: what, who, when (French, Europe/Paris)."""

    page_title = "Historique"

    def get_base_object_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    @cached_property
    def columns(self):
        columns = list(super().columns)
        columns[-1] = TimeColumn("timestamp", label="Date", width="20%")
        return columns

    @cached_property
    def header_buttons(self):
        return [HeaderButton("Modifier", url=self.get_edit_url(self.object),
                             icon_name="edit")]


class CorrectingViewSet(ReadOnlyViewSet):
    """A read-only viewset whose records ANCT corrects (``form_fields``) through the
    ``correct`` service, with a history."""

    inspect_view_class = CorrectingInspectView
    edit_view_class = CorrectionEditView
    history_view_class = CorrectionHistoryView
    correct = None  # service(instance, user, data)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{
            "edit_url_name": self.get_url_name("edit"),
            "history_url_name": self.get_url_name("history"), **kwargs})

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(correct=type(self).correct, **kwargs)

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("edit/<int:pk>/", self.edit_view, name="edit"),
                path("history/<int:pk>/", self.history_view, name="history"),
                path("history-results/<int:pk>/", self.history_results_view,
                     name="history_results")]
