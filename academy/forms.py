from django import forms

from territories.models import Department, Region

from .models import Audience, Format, Theme


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
            (t.slug, t.name) for t in Theme.objects.all()
        ]
        self.fields["region"].choices = [("", "Toutes les régions")] + [
            (r.code, r.name) for r in Region.objects.all()
        ]
        self.fields["department"].choices = [("", "Tous les départements")] + [
            (d.code, f"{d.code} — {d.name}") for d in Department.objects.all()
        ]

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
