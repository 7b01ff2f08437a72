"""An importer: a model, its list of columns, the columns that identify a record (``lookup``)
and how a row becomes a saved record. Each run works on its own column objects, so lookups
prepared for one file never leak into another request."""

from django.core.exceptions import ValidationError

from .columns import text_of


class RowInvalid(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class Importer:
    kind = ""  # the choice on the "Importer" page
    label = ""
    key_label = ""  # what makes two rows the same record, in French
    model = None
    columns = ()  # ImportColumn classes, in the order of the documented header
    lookup = ()  # identifiers of the columns that find an existing record

    def __init__(self):
        self.columns = [column() for column in type(self).columns]
        self.field_columns = {column.field: column.identifier
                              for column in self.columns if column.field}

    def prepare(self, rows):
        """Loads what the rows refer to in a few queries."""
        for column in self.columns:
            column.prepare([row.get(column.identifier, "") for _, row in rows])

    def key(self, row):
        """What identifies the row's record, to refuse a second row for it; None when a part
        is missing or unreadable (the row's own errors will say so)."""
        parts = []
        for column in self.columns:
            if column.identifier in self.lookup:
                try:
                    parts.append(column.normalize(row.get(column.identifier, "")))
                except ValidationError:
                    return None
        return tuple(parts) if all(parts) else None

    def import_row(self, row, actor) -> bool:
        """Writes one row; True when it created a record, False when it updated one.
        Raises RowInvalid with every French message of the row."""
        missing = {column.identifier for column in self.columns
                   if column.required and not text_of(row.get(column.identifier, ""))}
        values, errors, refused = {}, [], []
        for column in self.columns:
            if column.identifier in missing:  # said once, with the other cells' errors
                errors.append(f"{column.identifier} : champ obligatoire manquant.")
                values[column.identifier] = column.empty
                refused.append(column)
                continue
            try:
                values[column.identifier] = column.clean(row.get(column.identifier, ""), values)
            except ValidationError as error:
                errors += [f"{column.identifier} : {message}" for message in error.messages]
                values[column.identifier] = column.empty
                refused.append(column)
        if missing:  # never written: the model's own checks still name the other bad cells
            record = self.new_record()
            for column in self.columns:
                column.assign(values[column.identifier], record)
            try:
                record.full_clean(exclude=[column.field for column in refused if column.field],
                                  validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                errors += self.messages_of(error)
            raise RowInvalid(errors)
        return self.write(values, errors, refused, actor)

    def new_record(self):
        """A record for a row that finds none (an importer may preset fields on it)."""
        return self.model()

    def find(self, values):
        """The record these values identify, or None."""
        return self.model.objects.filter(**{
            column.field: values[column.identifier]
            for column in self.columns if column.identifier in self.lookup}).first()

    def write(self, values, errors, refused, actor) -> bool:
        """The existing record (or a new one) gets every value, then the model's own checks
        run on all but the refused columns' fields; saved only when nothing was refused."""
        record = self.find(values) or self.new_record()
        created = record.pk is None
        for column in self.columns:
            column.assign(values[column.identifier], record)
        try:
            record.full_clean(exclude=[column.field for column in refused if column.field])
        except ValidationError as error:
            errors += self.messages_of(error)
        if errors:
            raise RowInvalid(errors)
        record.save()
        return created

    def messages_of(self, error):
        """"column : message" for each message of a model's ValidationError."""
        if not hasattr(error, "error_dict"):
            return list(error.messages)
        return self.messages_by_field(error.message_dict)

    def messages_by_field(self, messages_by_field):
        found = []
        for field_name, messages in messages_by_field.items():
            column = self.field_columns.get(field_name)
            found += [f"{column} : {message}" if column else message for message in messages]
        return found
