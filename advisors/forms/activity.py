"""Activity reports: "Saisir un accompagnement", quick to fill on a phone."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from ..models import AGE_BANDS, STATUS_BANDS, ActivityReport, ActivityTheme
from ..models.activity import (
    MAX_PARTICIPANTS,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    first_correctable_date,
    too_old_message,
)
from .beneficiaries import add_beneficiary_field
from .common import DATE, BaseForm, CommuneField

UNKNOWN_BANDS = ("age_unknown", "status_unknown")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _band_field(label):
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_PARTICIPANTS, initial=0, required=False,
        error_messages={"min_value": "Saisissez un nombre positif.",
                        "max_value": f"Au plus {MAX_PARTICIPANTS}.",
                        "invalid": "Saisissez un nombre entier."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0,
                                        "class": "fr-input"}))


class ActivityReportForm(BaseForm):
    date = forms.DateField(label="Date", widget=DATE)
    kind = forms.ChoiceField(label="Type d'accompagnement", widget=forms.RadioSelect)
    title = forms.CharField(label="Titre de l'atelier", max_length=200, required=False,
                            help_text="Pour un atelier collectif, par exemple « Premiers pas "
                                      "sur smartphone ».")
    channel = forms.ChoiceField(label="Canal", choices=ActivityReport.Channel.choices)
    service_point = forms.TypedChoiceField(label="Lieu d'activité", coerce=int, required=False,
                                           empty_value=None)
    commune = CommuneField(help_text="La commune où a eu lieu l'accompagnement.")
    participants = forms.IntegerField(
        label="Nombre de participants", min_value=1, max_value=MAX_PARTICIPANTS,
        error_messages={
            "min_value": f"Le nombre de participants est compris entre 1 et {MAX_PARTICIPANTS}.",
            "max_value": f"Le nombre de participants est compris entre 1 et {MAX_PARTICIPANTS}.",
            "invalid": "Saisissez un nombre entier."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1,
                                        "max": MAX_PARTICIPANTS}))
    themes = forms.MultipleChoiceField(label="Thèmes", choices=ActivityTheme.choices,
                                       widget=forms.CheckboxSelectMultiple)
    duration = forms.ChoiceField(label="Durée", choices=ActivityReport.Duration.choices,
                                 widget=forms.RadioSelect)
    tags = forms.CharField(
        label="Étiquettes", required=False, max_length=MAX_TAGS * (MAX_TAG_LENGTH + 2),
        help_text=f"Facultatif : au plus {MAX_TAGS} mots ou expressions séparés par des "
                  "virgules, pour retrouver vos accompagnements (par exemple « Pass "
                  "numérique, quartier Nord »).")
    redirected = forms.BooleanField(label="Personne réorientée", required=False)
    redirected_to = forms.CharField(label="Réorientée vers", max_length=255, required=False,
                                    help_text="Par exemple « France Services de Beauvais ».")

    def __init__(self, *args, service_points=(), frequent_themes=(), legacy_kind=None,
                 beneficiaries=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A report counts in published statistics once its correction window has closed:
        # none may be added before the previous month.
        self.earliest_date = first_correctable_date(timezone.localdate())
        self.fields["date"].widget.attrs.update({
            "min": self.earliest_date.isoformat(), "max": timezone.localdate().isoformat()})
        add_beneficiary_field(self, beneficiaries)  # linked by the view, not the service
        # New reports take the kinds of the 2025 national model; a report of an older kind
        # keeps its own when corrected.
        kinds = ActivityReport.Kind.current()
        if legacy_kind and legacy_kind not in kinds:
            kinds = [*kinds, ActivityReport.Kind(legacy_kind)]
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
        if isinstance(self.initial.get("tags"), list):
            self.initial["tags"] = ", ".join(self.initial["tags"])
        # The "not given" bands are not asked: whoever is left out of a breakdown counts there.
        for name, label in [*AGE_BANDS, *STATUS_BANDS]:
            if name not in UNKNOWN_BANDS:
                self.fields[name] = _band_field(label.capitalize())
        self.fields["themes"].error_messages["required"] = "Choisissez au moins un thème."
        self.service_points = {sp.pk: sp for sp in service_points}
        self.fields["service_point"].choices = [("", "Aucun")] + [
            (sp.pk, str(sp)) for sp in service_points]
        # At the service point, the commune is the place's: asked only elsewhere.
        self.fields["commune"].required = False
        self.fields["commune"].help_text = (
            "Où a eu lieu l'accompagnement, s'il n'a pas eu lieu au lieu d'activité (au lieu "
            "d'activité, sa commune est reprise).")
        self.frequent_themes = list(frequent_themes)

    def theme_options(self):
        """For the template: (the advisor's frequent themes, the others), as bound
        checkboxes; any checked theme stays in view."""
        options = list(self["themes"])
        checked = {str(value) for value in (self["themes"].value() or [])}
        first = [o for o in options if o.data["value"] in self.frequent_themes
                 or o.data["value"] in checked]
        return first, [o for o in options if o not in first]

    def place_summary(self):
        """"Médiathèque (Beauvais (60))" or the channel and commune: the folded place
        section's title."""
        channel = self["channel"].value()
        point = self.service_points.get(_int(self["service_point"].value()))
        if channel == ActivityReport.Channel.SERVICE_POINT and point is not None:
            return f"{point.name}, {point.commune.label}"
        label = dict(ActivityReport.Channel.choices).get(channel, "")
        commune = self["commune"].value()
        commune = getattr(commune, "label", commune)
        return f"{label}, {commune}" if commune else label

    def band_groups(self):
        """For the template: (legend, bound fields, id, errors of any of its fields) of the
        age and status bands."""
        groups = [("Âge des participants", [self[n] for n, _ in AGE_BANDS
                                            if n not in UNKNOWN_BANDS], "ages"),
                  ("Participants par situation", [self[n] for n, _ in STATUS_BANDS
                                                  if n not in UNKNOWN_BANDS], "situations")]
        return [(legend, fields, group_id,
                 list(dict.fromkeys(error for field in fields for error in field.errors)))
                for legend, fields, group_id in groups]

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise ValidationError("La date de l'accompagnement ne peut pas être dans le futur.")
        if value < datetime.date(2020, 1, 1):
            raise ValidationError("La date de l'accompagnement ne peut pas précéder 2020.")
        if value < self.earliest_date:
            raise ValidationError(too_old_message(self.earliest_date))
        return value

    def clean_tags(self):
        tags = list(dict.fromkeys(
            " ".join(tag.split()) for tag in self.cleaned_data["tags"].split(",") if tag.strip()))
        if len(tags) > MAX_TAGS:
            raise ValidationError(f"Au plus {MAX_TAGS} étiquettes.")
        if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            raise ValidationError(f"Chaque étiquette compte au plus {MAX_TAG_LENGTH} caractères.")
        return tags

    def clean_service_point(self):
        pk = self.cleaned_data["service_point"]
        return self.service_points.get(pk) if pk else None

    def clean(self):
        data = super().clean()
        for name, _ in [*AGE_BANDS, *STATUS_BANDS]:
            if data.get(name) is None and name not in self.errors:
                data[name] = 0
        if (data.get("kind") == ActivityReport.Kind.WORKSHOP and "title" not in self.errors
                and not (data.get("title") or "").strip()):
            self.add_error("title", "Donnez un titre à l'atelier.")
        participants = data.get("participants")
        if participants:
            if data.get("kind") == ActivityReport.Kind.INDIVIDUAL and participants != 1:
                self.add_error("participants",
                               "Un accompagnement individuel concerne une personne.")
            # The breakdowns are optional: whoever is not placed in a band is "non
            # renseigné(e)", so changing the number of participants never asks for them.
            for bands, unknown, label in [(AGE_BANDS, "age_unknown", "tranches d'âge"),
                                          (STATUS_BANDS, "status_unknown", "situations")]:
                if any(name in self.errors for name, _ in bands):
                    continue
                known = sum(data.get(name) or 0 for name, _ in bands if name != unknown)
                if known > participants:
                    self.add_error(bands[0][0], (
                        f"La répartition par {label} ({known}) dépasse le nombre de "
                        f"participants ({participants})."))
                else:
                    data[unknown] = participants - known
        at_point = data.get("channel") == ActivityReport.Channel.SERVICE_POINT
        if not at_point:  # its list is hidden for the other channels: never kept unseen
            data["service_point"] = None
        if at_point and not data.get("service_point") and "service_point" not in self.errors:
            self.add_error("service_point", "Indiquez le lieu d'activité.")
        elif at_point and data.get("service_point"):
            data["commune"] = data["service_point"].commune
        elif not data.get("commune") and "commune" not in self.errors:
            self.add_error("commune", "Indiquez la commune où a eu lieu l'accompagnement.")
        if data.get("redirected") and not (data.get("redirected_to") or "").strip():
            self.add_error("redirected_to", "Indiquez vers qui la personne a été réorientée.")
        return data

    def data_for_service(self):
        data = dict(self.cleaned_data)
        data.pop("beneficiaries", None)
        if data.get("kind") != ActivityReport.Kind.WORKSHOP:
            data["title"] = ""
        return data
