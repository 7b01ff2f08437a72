"""Import files that are not what they claim are refused with a French message before any
row is read: undecodable CSV, XLSX that is no zip, XLSX that expands too much."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from advisors import imports
from advisors.imports import reading

from .test_import import COLUMNS


def refused(upload):
    with pytest.raises(imports.FileRefused) as error:
        imports.read_rows(upload, COLUMNS)
    return str(error.value)


def test_a_csv_in_no_known_encoding_is_refused_not_a_server_error():
    # 0x81 and 0x8d are neither UTF-8 nor Windows-1252.
    message = refused(SimpleUploadedFile("a.csv", b"siret;nom\n1;\x81\x8d\n"))
    assert "n'est pas un fichier CSV lisible" in message


def test_a_binary_file_named_csv_is_refused():
    assert "n'est pas un fichier CSV lisible" in refused(
        SimpleUploadedFile("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))


def test_a_file_named_xlsx_that_is_no_zip_is_refused():
    assert "Ce fichier XLSX est illisible" in refused(
        SimpleUploadedFile("a.xlsx", b"siret;nom\n1;A\n"))


def test_an_xlsx_that_would_expand_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_XLSX_EXPANDED_SIZE", 1024 * 1024)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * 1024 * 1024))
    data = output.getvalue()
    assert len(data) < 10 * 1024  # a few kilobytes on the wire
    assert "trop volumineux une fois décompressé" in refused(SimpleUploadedFile("a.xlsx", data))


def test_the_real_limits():
    assert imports.MAX_FILE_SIZE == 5 * 1024 * 1024
    assert imports.MAX_XLSX_EXPANDED_SIZE == 50 * 1024 * 1024
