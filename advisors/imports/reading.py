"""From an uploaded file to numbered rows: CSV (UTF-8 or Windows-1252, ``;``, ``,`` or tab)
or the first sheet of an XLSX, 5 MB at most. ``read_rows`` refuses what it cannot read with a
French ``FileRefused``: wrong type, too large, unreadable, missing columns, no data."""

import csv
import datetime
import io
import unicodedata
import zipfile

MAX_FILE_SIZE = 5 * 1024 * 1024
# An XLSX is a zip: what it expands to is bounded too, so that a small file cannot make the
# server unpack gigabytes (a "zip bomb").
MAX_XLSX_EXPANDED_SIZE = 50 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")


class FileRefused(Exception):
    """The file cannot be read as an import of this kind; the message is French."""


def normalize_header(value) -> str:
    """"Code INSEE" → "code_insee", "Prénom" → "prenom"."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return "_".join(text.strip().lower().replace("-", " ").replace("'", " ").split())


def _cell(value):
    """Cells as text, except dates kept as dates; 12.0 from a spreadsheet is "12"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes):
    if b"\x00" in data[:4096]:
        raise FileRefused("Ce fichier n'est pas un fichier CSV lisible.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused("Ce fichier n'est pas un fichier CSV lisible : enregistrez-le en "
                          "texte UTF-8 depuis votre tableur.")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count) if first_line else ";"
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    unreadable = FileRefused("Ce fichier XLSX est illisible : enregistrez-le à nouveau depuis "
                             "votre tableur, au format Excel (.xlsx).")
    if not data.startswith(b"PK\x03\x04"):  # every XLSX is a zip archive
        raise unreadable
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise unreadable from error
    if expanded > MAX_XLSX_EXPANDED_SIZE:
        raise FileRefused("Ce classeur est trop volumineux une fois décompressé : découpez-le "
                          "en plusieurs fichiers.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise unreadable from error
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_rows(uploaded, columns):
    """[(line number, {identifier: value})] of the non-empty rows of the first sheet; line 1
    is the header. ``columns`` are the importer's columns (their ``identifier`` and
    ``required``)."""
    name = (getattr(uploaded, "name", "") or "").lower()
    if not name.endswith(EXTENSIONS):
        raise FileRefused("Format de fichier non pris en charge : envoyez un fichier CSV "
                          "(séparateur point-virgule ou virgule) ou XLSX.")
    if uploaded.size > MAX_FILE_SIZE:
        size = f"{uploaded.size / 1024 / 1024:.1f}".replace(".", ",")
        raise FileRefused(f"Le fichier pèse {size} Mo : la taille maximale est de 5 Mo. "
                          "Découpez-le en plusieurs fichiers.")
    data = uploaded.read()
    table = _xlsx_rows(data) if name.endswith(".xlsx") else _csv_rows(data)
    table = [[_cell(value) for value in row] for row in table]
    if not table:
        raise FileRefused("Le fichier est vide.")
    headers = [normalize_header(value) for value in table[0]]
    missing = [column.identifier for column in columns
               if column.required and column.identifier not in headers]
    if missing:
        # "; " rather than ";": the list wraps on a 375 px phone instead of widening the page.
        expected = "; ".join(column.identifier for column in columns)
        raise FileRefused(f"Colonnes manquantes : {', '.join(missing)}. La première ligne doit "
                          f"porter les en-têtes : {expected}.")
    rows = []
    for line, values in enumerate(table[1:], start=2):
        if not any(value not in ("", None) for value in values):
            continue
        row = {header: values[i] if i < len(values) else ""
               for i, header in enumerate(headers) if header}
        rows.append((line, row))
    if not rows:
        raise FileRefused("Le fichier ne contient aucune ligne de données sous les en-têtes.")
    return rows
