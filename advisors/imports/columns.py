"""What one column of an import file means. A column is a class (the shape of pretix's
``ImportColumn``): its ``identifier`` is the header in the file, ``label`` says in French what
to write there (shown on the "Importer" page), ``clean(value, previous_values)`` turns the
cell into a value or raises a French ``ValidationError``, ``assign(value, obj)`` puts the
value on the record. The importer prefixes each message with the identifier and the line.

The typed columns below (text, email, date, amount, integer, yes/no, choice) read cells the
same way in every importer; a new column usually subclasses one and sets four attributes."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from .reading import normalize_header


def text_of(value) -> str:
    """A cell as text (a date read from a spreadsheet as ISO 8601), stripped."""
    return value.isoformat() if isinstance(value, datetime.date) else str(value).strip()


class ImportColumn:
    identifier = ""  # the header, as ``normalize_header`` reads it: "code_insee"
    label = ""  # what to write in this column, in French
    required = False
    field = None  # the model field it fills; its model errors are reported under this column
    empty = None  # the value assigned when the cell is empty or refused
    do_not_call_in_templates = True  # the "Importer" page lists the column classes

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.name, cls.description = cls.identifier, cls.label  # what the page's template reads

    def normalize(self, value):
        """The cell as the column compares it (duplicate rows, lookups); no query."""
        return text_of(value)

    def prepare(self, values):
        """Loads what the file's cells of this column refer to, in a query or two."""

    def clean(self, value, previous_values):
        """The value to assign; ``previous_values`` holds the row's columns cleaned so far
        (``None`` or ``empty`` for those refused)."""
        return self.normalize(value)

    def assign(self, value, obj):
        if self.field:
            setattr(obj, self.field, value)


class RecordColumn(ImportColumn):
    """A cell naming a record already saved (``model`` by ``lookup_field``); the file's
    records are loaded at once. ``unknown`` is the French refusal, with ``{text}`` (the cell)
    or ``{key}`` (the cell as compared)."""

    model = None
    lookup_field = ""
    unknown = ""
    empty = None  # before the text columns' "" when both are inherited

    def prepare(self, values):
        keys = {self.normalize(value) for value in values}
        self.records = self.model.objects.in_bulk(keys, field_name=self.lookup_field)

    def clean(self, value, previous_values):
        key = self.normalize(value)
        if key not in self.records:
            raise ValidationError(self.unknown.format(text=text_of(value), key=key))
        return self.records[key]


class TextColumn(ImportColumn):
    empty = ""


class EmailColumn(TextColumn):
    """Emails identify people: compared and stored in lower case."""

    def normalize(self, value):
        return text_of(value).lower()


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y")


class DateColumn(ImportColumn):
    """A date cell of a spreadsheet, or JJ/MM/AAAA (also AAAA-MM-JJ, JJ-MM-AAAA, JJ/MM/AA)."""

    def normalize(self, value):
        if isinstance(value, datetime.date):
            return value
        text = text_of(value)
        if not text:
            return None
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValidationError(f"date invalide « {text} » (attendu JJ/MM/AAAA).")


class AmountColumn(ImportColumn):
    """Euros: "1 950,00", "1950.00 €"."""

    def normalize(self, value):
        text = text_of(value)
        digits = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        digits = digits.replace("€", "").replace(",", ".")
        if not digits:
            return None
        try:
            return Decimal(digits)
        except InvalidOperation as error:
            raise ValidationError(f"montant invalide « {text} ».") from error


class IntegerColumn(ImportColumn):
    def normalize(self, value):
        text = text_of(value)
        if not text:
            return None
        try:
            return int(text)
        except ValueError as error:
            raise ValidationError(f"nombre entier attendu, « {text} » reçu.") from error


YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
NO = {"non", "n", "no", "faux", "false", "0", ""}


class BooleanColumn(ImportColumn):
    """« oui » / « non » (also vrai, x, 1…); empty is « non »."""

    empty = False

    def normalize(self, value):
        text = text_of(value).lower()
        if text in YES:
            return True
        if text not in NO:
            raise ValidationError(f"« oui » ou « non » attendu, « {text} » reçu.")
        return False


class ChoiceColumn(ImportColumn):
    """One of ``choices`` (a Django ``TextChoices``) by its code or its French label, case
    and accents ignored, or by one of ``aliases`` (normalized header → value)."""

    choices = None
    aliases = {}
    empty = ""

    def normalize(self, value):
        text = text_of(value)
        known = dict(self.aliases)
        for code, label in self.choices.choices:
            known[normalize_header(code)] = code
            known[normalize_header(label)] = code
            known[normalize_header(str(label).split(" (")[0])] = code
        wanted = normalize_header(text)
        if wanted in known:
            return known[wanted]
        if text:
            raise ValidationError(f"valeur inconnue « {text} » (valeurs possibles : "
                                  f"{', '.join(self.choices.values)}).")
        return self.empty
