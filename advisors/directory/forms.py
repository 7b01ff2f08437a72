from django import forms

from ..models import OpeningRange, PlaceService, ServicePoint
from .queries import DEFAULT_RADIUS_KM, RADII_KM


class DirectoryForm(forms.Form):
    """The directory's search, read from the query string (GET)."""

    q = forms.CharField(
        label="Commune ou code postal", required=False, max_length=200,
        help_text="Par exemple « Beauvais » ou « 60000 ».",
        error_messages={"max_length": "Saisissez au plus 200 caractères : le nom d'une "
                                      "commune ou un code postal."},
        widget=forms.TextInput(attrs={"class": "fr-input", "autocomplete": "off",
                                      "data-directory-commune": "",
                                      "inputmode": "search"}))
    commune = forms.CharField(required=False, max_length=5, widget=forms.HiddenInput)
    service = forms.ChoiceField(label="Service", required=False,
                                choices=[("", "Tous les services"), *PlaceService.choices])
    access = forms.ChoiceField(label="Accès", required=False,
                               choices=[("", "Tous les accès"), *ServicePoint.Access.choices])
    open_now = forms.BooleanField(label="Ouvert maintenant", required=False)
    rayon_km = forms.TypedChoiceField(
        label="Distance", required=False, coerce=int, empty_value=None,
        choices=[(km, f"Moins de {km} km") for km in RADII_KM])
    # "Autour de moi": the browser's position, for this search only (never stored).
    lat = forms.FloatField(required=False, min_value=-90, max_value=90,
                           widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180,
                           widget=forms.HiddenInput)
    weekday = forms.TypedChoiceField(
        label="Ouvert le", required=False, coerce=int, empty_value=None,
        choices=[("", "N'importe quel jour"),
                 *[(value, label.lower()) for value, label in OpeningRange.Weekday.choices]])

    def full_clean(self):
        super().full_clean()
        if "q" in self.errors:  # DSFR error state, the message read with the field
            self.fields["q"].widget.attrs.update({
                "class": "fr-input fr-input--error", "aria-invalid": "true",
                "aria-describedby": f"{self['q'].auto_id}-errors"})

    def radius_km(self):
        """The radius chosen, the default one when none (or a wrong one) is."""
        self.is_valid()
        return self.cleaned_data.get("rayon_km") or DEFAULT_RADIUS_KM

    def position(self):
        """(latitude, longitude) sent by "Autour de moi", or None (also when out of
        bounds: the page then says so and searches by commune)."""
        self.is_valid()
        latitude, longitude = self.cleaned_data.get("lat"), self.cleaned_data.get("lon")
        if latitude is None or longitude is None or "lat" in self.errors \
                or "lon" in self.errors:
            return None
        return latitude, longitude

    def position_refused(self):
        """A position was sent but is unusable."""
        return bool(self.data.get("lat") or self.data.get("lon")) and self.position() is None

    def filters(self):
        self.is_valid()  # a wrong value drops that filter only: the others still apply
        data = self.cleaned_data
        return {"service": data.get("service") or "", "access": data.get("access") or "",
                "open_now": bool(data.get("open_now")), "weekday": data.get("weekday")}
