"""The read-only listing every record of the back office shares: a listing of what the user
may see (``visible_to``) with filters, search and an export declared in ``exports.py``, an
inspect view, and columns that read the French way (Oui / Non, phone numbers, euros)."""

import datetime

from django.contrib import messages
from django.db import models as django_models
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from core.admin_exports import ExportingIndexViewMixin, ExportingViewSetMixin

from .. import dates, formats
from .filters import filter_errors


class VisibleIndexView(ExportingIndexViewMixin, IndexView):
    """A listing of what the user may see (``visible_to``), with the related rows its
    columns read; its CSV / XLSX buttons run the viewset's ``export_class`` over the
    filtered rows."""

    select_related = ()
    annotate_posts = False

    def filters_refused(self):
        """The filters were given but are wrong (not a date, a reversed period…)."""
        return self.filters is not None and self.filters.is_bound and not \
            self.filters.is_valid()

    def get(self, request, *args, **kwargs):
        if self.filters_refused():
            text = filter_errors(self.filters)
            if self.is_export:
                return HttpResponseBadRequest(
                    f"Filtres incorrects : {text}".encode(),
                    content_type="text/plain; charset=utf-8")
            if not self.results_only:
                messages.error(request, f"Filtres incorrects, aucune ligne affichée : {text}")
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        if self.filters_refused():  # no row from filters nobody meant
            return queryset.none()
        return super().filter_queryset(queryset)

    def get_base_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.annotate_posts:
            queryset = queryset.with_posts()
        return queryset

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        # A yes/no field reads "Oui" / "Non" (Wagtail would print True / False).
        if column_class is Column and _is_boolean_field(self.model, field_name):
            column_class = YesNoColumn
        if column_class is Column and field_name in FIELD_FORMATS:
            column = super()._get_custom_column(field_name, column_class, **kwargs)
            return FormattedColumn(column.name, label=column.label, sort_key=column.sort_key,
                                   display=FIELD_FORMATS[field_name])
        return super()._get_custom_column(field_name, column_class, **kwargs)


def yes_no(value):
    """``True`` / ``False`` the way an administrator reads them."""
    return "Oui" if value else "Non"


class YesNoColumn(Column):
    """A boolean column that reads "Oui" / "Non" (empty when unknown)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return "—" if value is None else yes_no(value)


# Fields shown the way people write them: "03 44 00 00 00", "2 150,00 €".
FIELD_FORMATS = {"phone": formats.french_phone, "contact_phone": formats.french_phone,
                 "monthly_gross_salary": formats.euros}


class FormattedColumn(Column):
    """A column whose value goes through ``display`` (phone numbers, amounts)."""

    def __init__(self, name, display, **kwargs):
        super().__init__(name, **kwargs)
        self.display = display

    def get_value(self, instance):
        value = super().get_value(instance)
        return self.display(value) if value not in (None, "") else "—"


def _is_boolean_field(model, field_name):
    try:
        field = model._meta.get_field(field_name)
    except Exception:  # a method, a property or a related path: not a plain yes/no field
        return False
    return isinstance(field, django_models.BooleanField)


class VisibleInspectView(InspectView):
    """An inspect view that answers 404 for what the user may not see."""

    select_related = ()

    def get_object(self, queryset=None):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return get_object_or_404(queryset, pk=self.pk)

    def get_field_display_value(self, field_name, field):
        value = getattr(self.object, field_name, None)
        # Times in Europe/Paris, the French way (Wagtail's display shows them in UTC).
        if isinstance(value, datetime.datetime):
            return dates.long_datetime(value)
        if isinstance(value, datetime.date):
            return dates.long_date(value)
        if isinstance(value, bool):
            return yes_no(value)
        if field_name in FIELD_FORMATS and value not in (None, ""):
            return FIELD_FORMATS[field_name](value)
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value

    def get_header_title(self):
        # "Inspecter : Mathieu Benali", with the space French typography puts before a colon
        # (Wagtail joins them with a bare colon).
        title, subtitle = self.get_page_title(), self.get_page_subtitle()
        return f"{title}\u00a0: {subtitle}" if subtitle else title


class ReadOnlyViewSet(ExportingViewSetMixin, ModelViewSet):
    """Listing, filters, search, export and inspect view; no add, edit, copy or delete
    button (the policy grants only "view"). ``export_class`` (from ``exports.py``) writes
    the listing's CSV and XLSX."""

    index_view_class = VisibleIndexView
    inspect_view_class = VisibleInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_per_page = 50
    select_related = ()
    annotate_posts = False

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit, delete, history or usage view: links to them are never built.
        return super().get_common_view_kwargs(**{
            "add_url_name": None, "edit_url_name": None, "delete_url_name": None,
            "history_url_name": None, "usage_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [path("", self.index_view, name="index"),
                path("results/", self.index_results_view, name="index_results"),
                path("inspect/<int:pk>/", self.inspect_view, name="inspect")]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(select_related=self.select_related,
                                             annotate_posts=self.annotate_posts, **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(select_related=self.select_related, **kwargs)
