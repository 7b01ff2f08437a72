"""Service points: the place, its weekly hours and exceptional closures."""

from django import forms
from django.core.exceptions import ValidationError

from .. import bounds
from ..formats import french_phone
from ..geo import distance_between
from ..models import OpeningRange, PlaceService, ServicePoint
from ..validators import normalize_phone, validate_phone
from .common import DATE, TIME, BaseForm, CommuneField, add_bound_errors, bounded_dates


class DegreesField(forms.FloatField):
    """Decimal degrees, with a comma or a point ("49,4301" as French people write it)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


class ServicePointForm(BaseForm):
    structure = forms.TypedChoiceField(label="Structure", coerce=int)
    name = forms.CharField(label="Nom du lieu", max_length=255,
                           help_text="Par exemple « Médiathèque François-Mitterrand ».")
    address = forms.CharField(label="Adresse", max_length=255, required=False,
                              help_text="Obligatoire sauf pour une permanence itinérante.")
    commune = CommuneField()
    is_itinerant = forms.BooleanField(label="Permanence itinérante", required=False)
    access = forms.ChoiceField(label="Accès", choices=ServicePoint.Access.choices,
                               widget=forms.RadioSelect)
    services = forms.MultipleChoiceField(label="Services proposés", choices=PlaceService.choices,
                                         widget=forms.CheckboxSelectMultiple)
    phone = forms.CharField(label="Téléphone", max_length=20, required=False,
                            validators=[validate_phone],
                            widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(label="Courriel", required=False,
                             error_messages={"invalid": "Saisissez une adresse électronique "
                                                        "valide."})
    website = forms.URLField(label="Site internet", required=False,
                             error_messages={"invalid": "Saisissez une adresse web valide, "
                                                        "commençant par https://."})
    booking_url = forms.URLField(label="Lien de prise de rendez-vous", required=False,
                                 error_messages={"invalid": "Saisissez une adresse web valide, "
                                                            "commençant par https://."})
    is_public = forms.BooleanField(label="Afficher ce lieu sur la carte publique",
                                   required=False, initial=True)
    # Filled from the address (Base Adresse Nationale); the person may correct them by moving
    # the marker of the map above them, or by typing (the keyboard's way to move it).
    latitude = DegreesField(
        label="Latitude", required=False, min_value=-90, max_value=90,
        help_text="En degrés décimaux, par exemple 49,4301. Laissez vide pour la position "
                  "de l'adresse.",
        error_messages={"invalid": "Saisissez une latitude en degrés décimaux, par exemple "
                                   "49,4301.",
                        "min_value": "La latitude est comprise entre -90 et 90.",
                        "max_value": "La latitude est comprise entre -90 et 90."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                      "data-position-latitude": ""}))
    longitude = DegreesField(
        label="Longitude", required=False, min_value=-180, max_value=180,
        help_text="En degrés décimaux, par exemple 2,0823 (négative à l'ouest de Greenwich).",
        error_messages={"invalid": "Saisissez une longitude en degrés décimaux, par exemple "
                                   "2,0823.",
                        "min_value": "La longitude est comprise entre -180 et 180.",
                        "max_value": "La longitude est comprise entre -180 et 180."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                      "data-position-longitude": ""}))
    # A marker farther than this from the commune's centre is surely misplaced.
    MAX_KM_FROM_COMMUNE = 60

    DATA_FIELDS = ("name", "address", "commune", "is_itinerant", "access", "services", "phone",
                   "email", "website", "booking_url", "is_public", "latitude", "longitude")

    def __init__(self, *args, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].error_messages["required"] = ("Choisissez au moins un service "
                                                              "proposé.")
        self.fields["structure"].choices = [(s.pk, s.name) for s in structures]
        self.structures = {s.pk: s for s in structures}
        if len(structures) <= 1:  # nothing to choose
            del self.fields["structure"]
        if self.initial.get("phone"):  # "03 44 00 00 00", as people write it
            self.initial["phone"] = french_phone(self.initial["phone"])

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if not data.get("is_itinerant") and not (data.get("address") or "").strip() \
                and "address" not in self.errors:
            self.add_error("address", "Indiquez l'adresse du lieu (sauf permanence itinérante).")
        self._check_position(data)
        return data

    def _check_position(self, data):
        if "latitude" in self.errors or "longitude" in self.errors:
            return
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            missing = "latitude" if latitude is None else "longitude"
            self.add_error(missing, "Indiquez la latitude et la longitude, ou aucune des deux.")
            return
        commune = data.get("commune")
        if latitude is None or commune is None or commune.latitude is None:
            return
        km = distance_between(latitude, longitude, commune.latitude, commune.longitude)
        if km > self.MAX_KM_FROM_COMMUNE:
            self.add_error("latitude", (
                f"Cette position est à {km:.0f} km de {commune.name} : vérifiez la latitude "
                "et la longitude, ou laissez-les vides pour la position de l'adresse."))
            # Either may be the wrong one: both fields are marked and say why.
            self.add_error("longitude", (
                f"Cette position est à {km:.0f} km de {commune.name} : vérifiez aussi la "
                "longitude."))

    def data_for_service(self):
        return {name: self.cleaned_data[name] for name in self.DATA_FIELDS}

    def chosen_structure(self):
        if "structure" in self.fields:
            return self.structures[self.cleaned_data["structure"]]
        return next(iter(self.structures.values()))

    @classmethod
    def initial_from(cls, service_point):
        initial = {name: getattr(service_point, name) for name in cls.DATA_FIELDS}
        initial["structure"] = service_point.structure_id
        return initial


class OpeningHoursForm(BaseForm):
    """The weekly grid: Monday–Sunday × morning/afternoon, each with opening and closing
    times. A half-day left empty is closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, day_label in OpeningRange.Weekday.choices:
            for period, period_label in OpeningRange.Period.choices:
                for end, end_label in (("opens", "ouverture"), ("closes", "fermeture")):
                    self.fields[self.name(weekday, period, end)] = forms.TimeField(
                        label=f"{day_label} {period_label.lower()} : {end_label}",
                        required=False, widget=TIME,
                        error_messages={"invalid": "Saisissez une heure, par exemple 09:00."})

    @staticmethod
    def name(weekday, period, end):
        return f"h{weekday}_{period}_{end}"

    @classmethod
    def initial_from(cls, ranges):
        initial = {}
        for item in ranges:
            initial[cls.name(item.weekday, item.period, "opens")] = item.opens
            initial[cls.name(item.weekday, item.period, "closes")] = item.closes
        return initial

    def days(self):
        """For the template: [(day label, weekday, [(period label, opens, closes)])]."""
        return [
            (day_label, weekday, [(period_label, self[self.name(weekday, period, "opens")],
                                   self[self.name(weekday, period, "closes")])
                                  for period, period_label in OpeningRange.Period.choices])
            for weekday, day_label in OpeningRange.Weekday.choices
        ]

    def clean(self):
        data = super().clean()
        self.ranges = []
        for weekday, _day in OpeningRange.Weekday.choices:
            for period, _ in OpeningRange.Period.choices:
                opens_name = self.name(weekday, period, "opens")
                closes_name = self.name(weekday, period, "closes")
                if opens_name in self.errors or closes_name in self.errors:
                    continue
                opens, closes = data.get(opens_name), data.get(closes_name)
                if not opens and not closes:
                    continue
                if not opens or not closes:
                    missing = opens_name if not opens else closes_name
                    self.add_error(missing, "Indiquez l'heure d'ouverture et l'heure de "
                                            "fermeture, ou aucune des deux.")
                    continue
                row = OpeningRange(weekday=weekday, period=period, opens=opens, closes=closes)
                try:
                    row.clean()
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        for message in messages:
                            self.add_error(self.name(weekday, period, field), message)
                    continue
                self.ranges.append({"weekday": weekday, "period": period, "opens": opens,
                                    "closes": closes})
        return data

    def day_errors(self, weekday):
        return [error for period, _ in OpeningRange.Period.choices
                for end in ("opens", "closes")
                for error in self.errors.get(self.name(weekday, period, end), [])]


class ClosureForm(BaseForm):
    start = forms.DateField(label="Premier jour de fermeture", widget=DATE)
    end = forms.DateField(label="Dernier jour de fermeture", widget=DATE, required=False,
                          help_text="Laissez vide pour une fermeture d'un jour.")
    reason = forms.CharField(label="Motif", max_length=255, required=False,
                             help_text="Par exemple « Congés d'été ».")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounded_dates(self, "start", "end", years=bounds.CLOSURE_YEARS_AHEAD)

    def clean(self):
        data = super().clean()
        add_bound_errors(self, bounds.closure_errors(data.get("start"), data.get("end")))
        return data
