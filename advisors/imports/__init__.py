"""Imports of structures, advisors and contracts from a CSV or XLSX file (one kind per file),
for the back office's "Importer" page (``advisors.admin.importing``).

- ``reading``: the file to numbered rows, or a French ``FileRefused``;
- ``columns``: ``ImportColumn`` (identifier, French label, ``clean``, ``assign``) and the
  typed columns (text, date, amount, yes/no, choice…);
- ``base``: ``Importer``, a model and its declared columns: required cells, each column's
  ``clean``, then the model's own checks, errors per line;
- ``runner``: ``run``, the dry run (the whole import rolled back), all-or-nothing by default,
  or only the valid rows;
- ``structures``, ``advisors``, ``contracts``: the three importers and their columns.

Keys: structures by SIRET, advisors by email, contracts by (advisor's email, structure's
SIRET, start date): a second import of the same file updates, never duplicates."""

from . import runner
from .advisors import AdvisorImporter
from .base import Importer, RowInvalid
from .columns import ImportColumn
from .contracts import ContractImporter
from .reading import MAX_FILE_SIZE, MAX_XLSX_EXPANDED_SIZE, FileRefused, read_rows
from .runner import Report
from .structures import StructureImporter

IMPORTERS = {importer.kind: importer for importer in
             (StructureImporter, AdvisorImporter, ContractImporter)}


def run(kind, uploaded, actor, *, commit=False, valid_only=False) -> Report:
    """Reads and imports the file as ``kind`` (a key of IMPORTERS). Raises FileRefused for a
    file that cannot be read."""
    return runner.run(IMPORTERS[kind](), uploaded, actor, commit=commit, valid_only=valid_only)


__all__ = ["IMPORTERS", "MAX_FILE_SIZE", "MAX_XLSX_EXPANDED_SIZE", "AdvisorImporter",
           "ContractImporter", "FileRefused", "ImportColumn", "Importer", "Report", "RowInvalid",
           "StructureImporter", "read_rows", "run"]
