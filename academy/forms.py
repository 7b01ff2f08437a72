import datetime

from django import forms
from django.utils import timezone

from calendars.dates import long_date
from territories.models import Department, Region

from .models import AttendanceMode, Audience, CourseTheme, Format, Mandate

# Date filters of the catalogue: from the start of the Académie's sessions to ten years
# ahead; anything further is a typo (year 1, year 9999) and is said so next to the field.
EARLIEST_FILTER_DATE = datetime.date(2020, 1, 1)
FILTER_YEARS_AHEAD = 10


def latest_filter_date(today=None):
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + FILTER_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + FILTER_YEARS_AHEAD, day=28)


class CatalogFilterForm(forms.Form):
    """The catalogue's filters: all optional, combinable, carried in the URL (GET)."""

    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    theme = forms.ChoiceField(label="Thème", required=False)
    format = forms.ChoiceField(
        label="Format", required=False, choices=[("", "Tous les formats"), *Format.choices]
    )
    audience = forms.ChoiceField(
        label="Public", required=False, choices=[("", "Tous les publics"), *Audience.choices]
    )
    region = forms.ChoiceField(label="Région", required=False)
    department = forms.ChoiceField(label="Département", required=False)
    date_from = forms.DateField(
        label="À partir du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Jusqu'au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    available = forms.BooleanField(label="Places disponibles uniquement", required=False)

    SESSION_FILTERS = ("region", "department", "date_from", "date_to", "available")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Tous les thèmes")] + [
            (t.slug, t.name) for t in CourseTheme.objects.all()
        ]
        self.fields["region"].choices = [("", "Toutes les régions")] + [
            (r.code, r.name) for r in Region.objects.all()
        ]
        self.fields["department"].choices = [("", "Tous les départements")] + [
            (d.code, f"{d.code} — {d.name}") for d in Department.objects.all()
        ]

    def _bounded(self, name):
        day = self.cleaned_data.get(name)
        latest = latest_filter_date()
        if day and not EARLIEST_FILTER_DATE <= day <= latest:
            raise forms.ValidationError(
                f"Choisissez une date entre le {long_date(EARLIEST_FILTER_DATE)} et le "
                f"{long_date(latest)} : vérifiez l'année saisie.")
        return day

    def clean_date_from(self):
        return self._bounded("date_from")

    def clean_date_to(self):
        return self._bounded("date_to")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "La date de fin doit suivre la date de début.")
        return data

    @property
    def filters(self):
        """Valid, non-empty filter values (invalid ones are ignored, with their error shown)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}

    @property
    def active(self):
        return bool(self.filters)


class EnrolmentForm(forms.Form):
    """What an enrolment asks the person, only when there is a choice: on site or remote for
    a hybrid session, and the mandate the hours count under for an élu with several."""

    def __init__(self, session, mandates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        if session.is_hybrid:
            place = ", ".join(p for p in [session.address, session.place_label] if p)
            self.fields["attendance_mode"] = forms.ChoiceField(
                label="Comment suivrez-vous cette session ?",
                choices=[(AttendanceMode.ON_SITE, f"Sur place : {place}"),
                         (AttendanceMode.REMOTE, "À distance, par visioconférence")],
                widget=forms.RadioSelect,
                help_text="Le lien de la visioconférence sera dans « Mon espace » et dans "
                          "vos courriels.",
                error_messages={"required": "Choisissez « Sur place » ou « À distance »."},
            )
        if len(mandates) > 1:
            self.fields["mandate"] = forms.ModelChoiceField(
                label="Au titre de quel mandat suivez-vous cette formation ?",
                queryset=Mandate.objects.filter(pk__in=[m.pk for m in mandates]).select_related(
                    "commune__department", "epci", "department", "region"),
                widget=forms.RadioSelect, empty_label=None,
                help_text="Les heures de formation sont comptées une seule fois, au titre du "
                          "mandat choisi.",
                error_messages={"required": "Choisissez l'un de vos mandats.",
                                "invalid_choice": "Choisissez l'un de vos mandats."},
            )
