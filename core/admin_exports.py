"""Wagtail admin listings exported through ``core.exports``: a declared export over a
queryset, and the mixins that make a listing's "Télécharger CSV / XLSX" buttons use it.

Wagtail's own export (``SpreadsheetExportMixin``) writes a ``,`` CSV without a byte-order mark
and leaves a text such as ``=HYPERLINK(…)`` live in the CSV; a listing that sets
``export_class`` never reaches it. In a viewset::

    class StructureViewSet(ExportingViewSetMixin, ModelViewSet):
        index_view_class = ...  # an IndexView with ExportingIndexViewMixin first
        export_class = StructuresExport  # a QuerysetExport subclass

The listing's filters, search and ordering still choose the rows: the export receives the
listing's queryset and only turns it into cells."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property

from .exports import Export


class QuerysetExport(Export):
    """One row per object, one column per ``columns`` entry ``{accessor: heading}``: a dotted
    path ("structure.commune.name", methods such as "get_status_display" are called) or a
    name of ``computed`` ``{name: function(obj)}``. Without a ``queryset`` parameter the rows
    are ``get_queryset()``."""

    model = None
    columns = {}
    computed = {}
    params = ("queryset",)

    def get_queryset(self):
        return self.model._default_manager.all()

    @cached_property
    def objects(self):
        return self.queryset if self.queryset is not None else self.get_queryset()

    def headers(self):
        return [str(heading) for heading in self.columns.values()]

    def rows(self):
        # In chunks: a national listing (activity reports) never sits in memory at once.
        for obj in self.objects.iterator(chunk_size=2000):
            yield [self.value(obj, accessor) for accessor in self.columns]

    def total(self):
        return self.objects.count()

    def value(self, obj, accessor):
        if accessor in self.computed:
            return self.computed[accessor](obj)
        return dotted_value(obj, accessor)


def dotted_value(obj, accessor):
    """The value at a dotted path; ``None`` when the path crosses an empty relation; methods
    are called and related managers read as their objects' names."""
    value = obj
    for part in accessor.split("."):
        try:
            value = getattr(value, part)
        except (AttributeError, ObjectDoesNotExist):
            return None
        if isinstance(value, models.Manager):
            value = [str(item) for item in value.all()]
        elif callable(value):
            value = value()
        if value is None:
            return None
    return value


class ExportingIndexViewMixin:
    """For a Wagtail ``IndexView``: the export buttons run ``export_class`` over the listing's
    queryset (filtered, searched, ordered) instead of Wagtail's writer."""

    export_class = None

    @cached_property
    def show_export_buttons(self):
        return self.export_class is not None

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if self.export_class is None or spreadsheet_format not in self.export_class.formats:
            raise Http404
        if not self.export_class.allowed(self.request.user):
            raise PermissionDenied
        export = self.export_class(self.request.user, queryset=queryset)
        return export.response(spreadsheet_format, streaming=True)


class ExportingViewSetMixin:
    """For a Wagtail ``ModelViewSet``: hands ``export_class`` to its index view (whose class
    must use ``ExportingIndexViewMixin``)."""

    export_class = None

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(export_class=self.export_class, **kwargs)
