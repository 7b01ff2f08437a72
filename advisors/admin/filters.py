"""The listings' filters: choices and booleans of the model, département and région through
the path to a commune, date ranges checked (a real date, an end after the start), and
their errors said in French."""

import django_filters
from django import forms
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column

from territories.models import Department, Region


def admin_filterset(model, fields, *, commune=None, dates=None, distinct=False):
    """A WagtailFilterSet on ``fields`` (choices, booleans), plus département and région
    through the path to a commune, and date ranges ({name: (field, label)})."""
    attrs = {}
    if commune is not None:
        attrs["departement"] = django_filters.ModelChoiceFilter(
            field_name=f"{commune}__department", queryset=Department.objects.all(),
            label="Département", distinct=distinct)
        attrs["region"] = django_filters.ModelChoiceFilter(
            field_name=f"{commune}__department__region", queryset=Region.objects.all(),
            label="Région", distinct=distinct)
    for name, (field, label) in (dates or {}).items():
        attrs[name] = django_filters.DateFromToRangeFilter(
            field_name=field, label=label, widget=DateRangePickerWidget)
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": fields,
                                      "form": CheckedFilterForm})
    return type(f"{model.__name__}AdminFilterSet", (WagtailFilterSet,), attrs)


INVALID_DATE = "Saisissez une date valide, par exemple 15/09/2026."


class CheckedFilterForm(forms.Form):
    """The filters' form: French messages for a date that is not one, and a period whose
    end precedes its start is refused next to the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for sub in getattr(field, "fields", ()):
                if isinstance(sub, forms.DateField):
                    sub.error_messages["invalid"] = INVALID_DATE
            if isinstance(field, forms.MultiValueField):
                field.error_messages["invalid"] = INVALID_DATE

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, slice) and value.start and value.stop \
                    and value.start > value.stop:
                self.add_error(name, f"La fin de la période ({value.stop:%d/%m/%Y}) doit "
                                     f"suivre son début ({value.start:%d/%m/%Y}).")
        return data


def filter_errors(filterset):
    """The filters' errors as one French sentence: "Label : message"."""
    form = filterset.form
    return " ".join(
        f"{form.fields[name].label if name in form.fields else 'Filtres'} : "
        f"{' '.join(messages)}" for name, messages in form.errors.items())


def department_column(commune):
    """The département of the commune at that dotted path."""
    return Column("departement", label="Département", accessor=f"{commune}.department")
