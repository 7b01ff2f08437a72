"""What the advisors forms share: French messages, date widgets and bounds, the commune
field, and ``add_model_errors`` which shows a model's own rules next to the fields."""

from django import forms
from django.core.exceptions import ValidationError

from territories import authorities

from .. import bounds

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
REQUIRED = "Ce champ est obligatoire."
INVALID_DATE = "Saisissez une date valide, par exemple 15/09/2026."


def add_bound_errors(form, errors):
    """Puts ``bounds`` errors next to their fields (those not already in error)."""
    for name, messages in errors.items():
        if name in form.fields and name not in form.errors:
            for message in messages:
                form.add_error(name, message)


def bounded_dates(form, *names, years=bounds.YEARS_AHEAD):
    """The programme's date bounds on these date fields: min/max of the picker and a hint
    (up to ``years`` years ahead)."""
    latest = bounds.latest_date(years=years)
    for name in names:
        field = form.fields[name]
        field.widget.attrs.update({"min": bounds.EARLIEST_DATE.isoformat(),
                                   "max": latest.isoformat()})
        hint = bounds.hint(years=years)
        field.help_text = f"{field.help_text} {hint}".strip() if field.help_text else hint



def add_model_errors(form, instance):
    """The model's own rules (``instance.clean()``) on what the form holds: each message
    next to its field (those not already in error). The rule lives once, in the model."""
    try:
        instance.clean()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            add_bound_errors(form, error.message_dict)


class CommuneField(forms.CharField):
    """A commune typed as the autocomplete shows it ("Beauvais (60)"), a name or a postal
    code; resolved to one Commune (French message when none or several match)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Commune")
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", "Tapez le début du nom ou le code postal, par exemple "
                                       "« Beauvais (60) ».")
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "autocomplete": "off", "data-commune-input": ""}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return getattr(value, "label", value)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        return authorities.resolve("commune", text)


class BaseForm(forms.Form):
    required_message = REQUIRED
    # Groups of fields shown together ({id: field names}), for
    # ``advisors/includes/fieldset.html``.
    FIELDSETS = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.setdefault("required", REQUIRED)
            field.error_messages["required"] = REQUIRED
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = INVALID_DATE

    @property
    def fieldsets(self):
        """{id: [bound fields]} of ``FIELDSETS``, for the templates."""
        return {key: [self[name] for name in names] for key, names in self.FIELDSETS.items()}
