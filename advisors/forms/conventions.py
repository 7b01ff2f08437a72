"""Conventions and amendments: the period of a convention (initial or renewal), declining a
renewal, asking for an amendment."""

from django import forms

from .. import bounds
from ..models import Amendment, Convention
from ..models.applications import MAX_POSTS_REQUESTED
from .common import DATE, BaseForm, add_bound_errors, add_model_errors, bounded_dates


class ConventionForm(BaseForm):
    """The period of a convention (initial or renewal) and, optionally, its posts."""

    start = forms.DateField(label="Début de la convention", widget=DATE)
    end = forms.DateField(label="Fin de la convention", widget=DATE)
    posts = forms.IntegerField(
        label="Postes conventionnés", required=False, min_value=1,
        help_text="Les postes attribués à la structure si vide.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded_dates(self, "start", "end")

    def clean(self):
        data = super().clean()
        add_bound_errors(self, bounds.convention_errors(data.get("start"), data.get("end")))
        add_model_errors(self, Convention(start=data.get("start"), end=data.get("end")))
        return data


class ReasonForm(BaseForm):
    reason = forms.CharField(label="Motif", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class AmendmentForm(BaseForm):
    kind = forms.ChoiceField(label="Type d'avenant", widget=forms.RadioSelect,
                             choices=Amendment.Kind.choices)
    posts = forms.IntegerField(label="Nombre de postes", min_value=1,
                               max_value=MAX_POSTS_REQUESTED)
    reason = forms.CharField(label="Motif de l'avenant", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = ("Choisissez un ajout ou un retrait "
                                                          "de postes.")
