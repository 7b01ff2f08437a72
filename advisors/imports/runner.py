"""One import, checked or kept: the whole file in one transaction, each row in its own
savepoint. The result is kept only when asked to (``commit``) and the whole file is valid,
or when ``valid_only`` says to keep the valid rows; otherwise everything is rolled back. A
dry run is therefore the same work as a real import, with the same counts and line-numbered
errors (the quota of posts across rows included)."""

from dataclasses import dataclass, field

from django.db import transaction

from .base import RowInvalid
from .reading import read_rows


@dataclass
class Report:
    kind: str
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)  # [(line, [messages])]
    written: bool = False

    @property
    def rejected(self):
        return len(self.errors)

    @property
    def valid(self):
        return self.created + self.updated

    @property
    def total(self):
        return self.valid + self.rejected


def run(importer, uploaded, actor, *, commit=False, valid_only=False) -> Report:
    """Reads and imports the file with ``importer`` (an Importer). Raises FileRefused for a
    file that cannot be read."""
    rows = read_rows(uploaded, importer.columns)
    report = Report(kind=importer.kind)
    first_line_of = {}
    with transaction.atomic():
        importer.prepare(rows)
        for line, row in rows:
            key = importer.key(row)
            if key is not None and key in first_line_of:
                report.errors.append((line, [f"Doublon de la ligne {first_line_of[key]} "
                                             f"({importer.key_label}) : ligne ignorée."]))
                continue
            if key is not None:
                first_line_of[key] = line
            try:
                with transaction.atomic():
                    created = importer.import_row(row, actor)
            except RowInvalid as error:
                report.errors.append((line, error.messages))
            else:
                report.created += created
                report.updated += not created
        report.written = bool(commit and report.valid and (valid_only or not report.errors))
        if not report.written:
            transaction.set_rollback(True)
    return report
