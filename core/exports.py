"""Exports declared once: a class says what it is, who may run it and which rows it yields;
this module writes them as CSV, XLSX or JSON, safely and the way French Excel reads them.

Adding an export
----------------
Write a subclass of ``Export`` in ``<app>/exports.py`` (or ``<app>/admin/exports.py``)::

    class SessionEnrolmentsExport(Export):
        identifier = "academy.session_enrolments"     # unique; registers the class
        verbose_name = "Inscriptions à une session"   # French label
        permission = "academy.change_session"         # or override allowed(user)
        params = ("session",)                         # keyword arguments it is built with

        def headers(self):
            return ["Nom", "Prénom", "Inscrit le"]

        def rows(self):                               # plain Python values, one list a row
            for e in self.session.enrolments.all():
                yield [e.user.last_name, e.user.first_name, e.created_at]

        def get_filename(self):                       # without extension
            return f"inscriptions-session-{self.session.pk}"

and serve it from a view with ``export_response(request, SessionEnrolmentsExport, fmt,
session=session)`` (403 if ``allowed`` refuses, 404 for an unknown format), or build it in a
Celery task with ``export.write(fmt, file)`` after ``Export(..., progress=callback)``: the
callback receives a percentage every ``progress_every`` rows when ``total()`` is known.
Yield plain values, never formatted text: the writers convert them. ``tests/core/
test_export_injection.py`` finds the new class through the registry and checks it.

What the writers do (one place, tested in ``tests/core/test_exports.py``):

* CSV: UTF-8 with a byte-order mark and ``;`` between cells (what French Excel expects, or
  accents and columns come out wrong); datetimes in Europe/Paris as "06/12/2026 14:05", dates
  as "06/12/2026", times as "14:05"; decimals with a comma ("12,5": French Excel reads it as a
  number, "12.5" as text); booleans "Oui" / "Non"; lists joined with ", "; ``None`` empty.
* XLSX (openpyxl): typed cells: numbers as numbers, dates and datetimes as real dates (local
  naive datetimes) with a French date format; strings are always stored as text, never as a
  formula; characters XML cannot hold are dropped.
* JSON: a list of objects keyed by the headers, ISO dates (local time).
* Formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading ``'`` in CSV, and is a quote-prefixed text cell in XLSX, so that a
  name such as ``=HYPERLINK("http://x")`` is shown, never run.
"""

import codecs
import csv
import datetime
import decimal
import importlib
import importlib.util
import io
import json
import re
from urllib.parse import quote

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CSV = "csv"
XLSX = "xlsx"
JSON = "json"
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    JSON: "application/json",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
TIME_FORMAT = "HH:MM"

EXPORTS = {}  # identifier -> Export subclass, filled when the classes are defined


class Export:
    """One export: subclasses set ``identifier`` and ``verbose_name`` and write ``headers()``
    and ``rows()`` (see the module docstring). A subclass without ``identifier`` is a base for
    others and is not registered."""

    identifier = None
    verbose_name = ""
    permission = None  # "app.codename" checked by allowed(); None: override allowed()
    params = ()  # names of the keyword arguments the export is built with
    formats = (CSV, XLSX)
    sheet_title = "Données"
    progress_every = 500
    # French Excel's CSV dialect; a file read by other programs (an open-data schema) may
    # set "," and no byte-order mark: formulas are made inert all the same.
    csv_delimiter = ";"
    csv_bom = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        identifier = cls.__dict__.get("identifier")
        if identifier:
            known = EXPORTS.get(identifier)
            if known is not None and known.__qualname__ != cls.__qualname__:
                raise ValueError(f"Two exports named {identifier!r}: {known} and {cls}")
            EXPORTS[identifier] = cls

    def __init__(self, user=None, *, progress=None, **params):
        unknown = set(params) - set(self.params)
        if unknown:
            raise TypeError(f"{type(self).__name__} takes no {', '.join(sorted(unknown))}")
        self.user = user
        self.progress = progress
        for name in self.params:
            setattr(self, name, params.get(name))

    # --- what a subclass writes ----------------------------------------------------------
    @classmethod
    def allowed(cls, user):
        """Whether ``user`` may run this export (default: holds ``permission``)."""
        return bool(cls.permission and user is not None and user.is_authenticated
                    and user.has_perm(cls.permission))

    def headers(self):
        raise NotImplementedError

    def rows(self):
        raise NotImplementedError

    def total(self):
        """The number of rows, if cheap to know; it turns rows into progress."""
        return None

    def get_filename(self):
        """The file name without extension (the date of the day is added)."""
        return self.identifier.replace(".", "-").replace("_", "-")

    # --- what the base class does --------------------------------------------------------
    def filename(self, fmt):
        return f"{self.get_filename()}-{timezone.localdate():%Y%m%d}.{fmt}"

    def iter_rows(self):
        """The headers, then every row; reports progress on the way."""
        yield list(self.headers())
        total = self.progress and self.total()
        done = 0
        for row in self.rows():
            yield row
            done += 1
            if total and done % self.progress_every == 0:
                self.progress(min(99, done * 100 // total))
        if self.progress:
            self.progress(100)

    def csv_cell(self, value):
        """One CSV cell (``csv_value``: French Excel's); formulas must stay inert."""
        return csv_value(value)

    def csv_chunks(self):
        """The CSV as encoded chunks (the BOM first), one a row: for streaming."""
        line = _Line()
        writer = csv.writer(line, delimiter=self.csv_delimiter, lineterminator="\r\n")
        if self.csv_bom:
            yield codecs.BOM_UTF8
        for row in self.iter_rows():
            writer.writerow([self.csv_cell(value) for value in row])
            yield line.take().encode("utf-8")

    def write(self, fmt, output):
        """Writes the export in ``fmt`` to the binary file ``output``."""
        if fmt == CSV:
            for chunk in self.csv_chunks():
                output.write(chunk)
        elif fmt == XLSX:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(self.sheet_title[:31])
            for row in self.iter_rows():
                sheet.append([xlsx_cell(sheet, value) for value in row])
            workbook.save(output)
        elif fmt == JSON:
            rows = self.iter_rows()
            keys = next(rows)
            data = [{str(key): json_value(value) for key, value in zip(keys, row, strict=True)}
                    for row in rows]
            output.write(json.dumps(data, cls=DjangoJSONEncoder,
                                    ensure_ascii=False).encode("utf-8"))
        else:
            raise ValueError(f"Unknown export format {fmt!r}")

    def render(self, fmt):
        """``(filename, content_type, bytes)``, e.g. for a file kept by a Celery job."""
        buffer = io.BytesIO()
        self.write(fmt, buffer)
        return self.filename(fmt), CONTENT_TYPES[fmt], buffer.getvalue()

    def response(self, fmt, *, streaming=False):
        """The download: a plain response, or a streamed one (the CSV row by row, the others
        built first) for a long export or a caller that reads ``streaming_content``."""
        if fmt not in self.formats:
            raise Http404(f"Format {fmt} non proposé pour cet export.")
        if streaming and fmt == CSV:
            response = StreamingHttpResponse(self.csv_chunks(),
                                             content_type=CONTENT_TYPES[CSV])
            filename = self.filename(fmt)
        else:
            filename, content_type, data = self.render(fmt)
            response = (FileResponse(io.BytesIO(data), content_type=content_type)
                        if streaming else HttpResponse(data, content_type=content_type))
        response["Content-Disposition"] = content_disposition(filename)
        return response


def export_response(request, export_class, fmt, *, streaming=False, **params):
    """A view's answer: 403 unless the export allows ``request.user``, 404 for a format the
    export does not offer, else the download."""
    if not export_class.allowed(request.user):
        raise PermissionDenied
    if fmt not in export_class.formats:
        raise Http404(f"Format {fmt} non proposé pour cet export.")
    return export_class(request.user, **params).response(fmt, streaming=streaming)


def get_export(identifier):
    discover()
    return EXPORTS[identifier]


def discover():
    """Imports every app's ``exports`` module and, for an app whose ``admin`` is a package,
    its ``admin/exports`` module, so that ``EXPORTS`` lists them all (the registry test and
    the job runner call it)."""
    autodiscover_modules("exports")
    for config in apps.get_app_configs():
        admin = importlib.util.find_spec(f"{config.name}.admin") if _is_package(
            config.module) else None
        # Only an admin package: an app's admin.py module is Django admin's business.
        if admin is not None and admin.submodule_search_locations is not None \
                and importlib.util.find_spec(f"{config.name}.admin.exports") is not None:
            importlib.import_module(f"{config.name}.admin.exports")
    return EXPORTS


def _is_package(module):
    return hasattr(module, "__path__")


# --- cells --------------------------------------------------------------------------------
def neutralise(text):
    """A text a spreadsheet would run as a formula, made inert with a leading ``'``."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def local_naive(value):
    """An aware datetime in Europe/Paris (the project's time zone), without tzinfo."""
    if timezone.is_aware(value):
        value = timezone.localtime(value, timezone.get_default_timezone())
        return value.replace(tzinfo=None)
    return value


def plain(value):
    """Values every format writes alike: text for booleans, lists, lazy strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, (int, float, decimal.Decimal, datetime.date, datetime.time, str)):
        return value
    return str(value)


def csv_value(value):
    value = plain(value)
    if isinstance(value, datetime.datetime):
        return f"{local_naive(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    if isinstance(value, (float, decimal.Decimal)):
        return str(value).replace(".", ",")
    if isinstance(value, str):
        return neutralise(value)
    return value


def xlsx_cell(sheet, value):
    value = plain(value)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(sheet, value=None)
        cell.value = text
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
        return cell
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=local_naive(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, datetime.time):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = TIME_FORMAT
        return cell
    return value


def json_value(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, datetime.datetime):
        return local_naive(value).isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return plain(value)


def content_disposition(filename, attachment=True):
    """``attachment; filename="ascii"; filename*=UTF-8''…`` (RFC 6266): every browser gets the
    accents right and old ones an ASCII name."""
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "_", filename)
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class _Line:
    """A file that keeps what the csv writer wrote until it is taken."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def take(self):
        text, self.parts = "".join(self.parts), []
        return text
