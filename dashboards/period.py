"""The period a dashboard or an export covers (``?du=…&au=…``), by default the last twelve
months."""

import datetime

from django import forms
from django.http import HttpResponseBadRequest
from django.utils import timezone

from calendars.dates import long_date

INVALID_DATE = "Saisissez une date valide au format AAAA-MM-JJ, par exemple 2026-09-15."


class PeriodForm(forms.Form):
    du = forms.DateField(label="Du", required=False, error_messages={"invalid": INVALID_DATE},
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    au = forms.DateField(label="Au", required=False, error_messages={"invalid": INVALID_DATE},
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    # The programme's figures start in 2020; beyond these bounds the period's first and
    # next-day instants fall outside what datetimes can hold (a 500 before this check).
    EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)

    def clean(self):
        data = super().clean()
        for name in ("du", "au"):
            day = data.get(name)
            if day and not self.EARLIEST <= day <= self.LATEST:
                self.add_error(name, f"Choisissez une date entre le {long_date(self.EARLIEST)} "
                                     f"et le {long_date(self.LATEST)}.")
                data.pop(name, None)
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", f"La date de fin ({long_date(data['au'])}) doit suivre la date "
                                 f"de début ({long_date(data['du'])}).")
        return data

    def error_text(self):
        """Every error, as one French sentence per field (for a 400 answer)."""
        labels = {"du": "Du", "au": "Au"}
        return " ".join(f"{labels.get(name, 'Période')} : {' '.join(messages)}"
                        for name, messages in self.errors.items())


def default_period(today=None):
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    start = today.replace(day=1)
    for _ in range(11):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return start, today


def period_of(request, data=None):
    """The period form and the period it asks for; (form, None, None) when the form is
    wrong: no figure is computed from a period nobody asked for."""
    start, end = default_period()
    data = request.GET if data is None else data
    bound = any(data.get(name) is not None for name in ("du", "au"))
    form = PeriodForm(data if bound else None, initial={"du": start, "au": end})
    if not form.is_bound:
        return form, start, end
    if not form.is_valid():
        return form, None, None
    start = form.cleaned_data.get("du") or start
    end = form.cleaned_data.get("au") or end
    if start > end:  # one bound given, beyond the default other one
        form.add_error("au" if form.cleaned_data.get("au") else "du",
                       "La date de début doit précéder la date de fin.")
        return form, None, None
    return form, start, end


def bad_period(form):
    return HttpResponseBadRequest(
        f"Période incorrecte : {form.error_text()}".encode(),
        content_type="text/plain; charset=utf-8")
