from django import forms

from ..models import OpeningRange, PlaceService, ServicePoint


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

    def filters(self):
        self.is_valid()  # a wrong value drops that filter only: the others still apply
        data = self.cleaned_data
        return {"service": data.get("service") or "", "access": data.get("access") or "",
                "open_now": bool(data.get("open_now")), "weekday": data.get("weekday")}
