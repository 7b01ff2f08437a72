"""Onboarding and profile of elected officials: mandates and employment status."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone

from territories import authorities

from .models import MANDATE_LEVELS, Mandate, MandateRole, OfficialProfile

EMPLOYEE_CHOICES = [("yes", "Oui, je suis salarié"), ("no", "Non"),
                    ("", "Je préfère ne pas répondre")]


class OfficialProfileForm(forms.ModelForm):
    is_employee = forms.TypedChoiceField(
        label="Êtes-vous salarié ?", choices=EMPLOYEE_CHOICES, required=False,
        coerce=lambda value: {"yes": True, "no": False}.get(value), empty_value=None,
        widget=forms.RadioSelect,
        help_text="Les élus salariés ont droit à un congé de formation de 18 jours par mandat.",
    )

    class Meta:
        model = OfficialProfile
        fields = ["is_employee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.instance.is_employee
        self.initial["is_employee"] = {True: "yes", False: "no"}.get(value, "")


class MandateForm(forms.ModelForm):
    authority = forms.CharField(
        label="Collectivité", max_length=200,
        help_text="Commune, intercommunalité, département ou région selon la fonction : "
                  "tapez le début du nom, par exemple « Beauvais (60) ».",
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-authority-input": ""}),
    )

    class Meta:
        model = Mandate
        fields = ["role", "authority", "started_on", "is_first_mandate"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"is_first_mandate": "C'est mon premier mandat"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Choisir une fonction")] + list(MandateRole.choices)
        self.fields["role"].widget.attrs["data-role-select"] = ""
        # The browser's date picker offers only the days the model accepts (Mandate.clean).
        self.fields["started_on"].widget.attrs.update(
            min=Mandate.EARLIEST_START.isoformat(), max=timezone.localdate().isoformat())
        self.fields["started_on"].help_text = (
            "La date de votre installation dans ce mandat.")
        if self.instance.pk and self.instance.authority is not None:
            self.initial["authority"] = str(self.instance.authority)

    def clean(self):
        data = super().clean()
        role, text = data.get("role"), data.get("authority")
        if role and text:
            try:
                self.resolved_authority = authorities.resolve(MANDATE_LEVELS[role], text)
            except ValidationError as error:
                self.add_error("authority", error)
        return data

    def save(self, commit=True):
        mandate = super().save(commit=False)
        mandate.set_authority(self.resolved_authority)
        if commit:
            mandate.save()
        return mandate


NO_MANDATE = "Indiquez au moins un mandat."


class BaseMandateFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms
                if f.has_changed() and not self._should_delete_form(f) and f.is_valid()]
        kept += [f for f in self.initial_forms
                 if not f.has_changed() and not self._should_delete_form(f)]
        if kept:
            return
        # Shown next to the first mandate's function, where the élu starts filling in (an
        # alert above the rows when every row is being deleted). Rows already in error
        # say what to fix on their own.
        open_forms = [f for f in self.forms if not self._should_delete_form(f)]
        if any(f.errors for f in open_forms):
            return
        if not open_forms:
            raise ValidationError(NO_MANDATE)
        open_forms[0].add_error("role", NO_MANDATE)


MandateFormSet = inlineformset_factory(
    OfficialProfile, Mandate, form=MandateForm, formset=BaseMandateFormSet,
    extra=1, can_delete=True, max_num=10,
)
