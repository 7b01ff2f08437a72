"""Documents uploaded in the Wagtail admin: the extension (WAGTAILDOCS_EXTENSIONS) and the
size (WAGTAILDOCS_MAX_UPLOAD_SIZE) are checked by Wagtail; this form also checks that the
content is what the extension says, so that a page, a script or a program renamed ``.pdf`` is
refused. Wagtail names the stored file itself (Django storage), never from a path given by
the person uploading it."""

import os

from django.core.exceptions import ValidationError
from wagtail.documents.forms import BaseDocumentForm

ZIP = b"PK\x03\x04"
# What each accepted extension's content starts with; None: plain text.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "docx": (ZIP,), "xlsx": (ZIP,), "pptx": (ZIP,), "odt": (ZIP,), "zip": (ZIP,),
    "csv": None, "txt": None,
}
# Markup a browser could run if it ever showed a text file as HTML.
ACTIVE_TEXT = (b"<script", b"<html", b"<svg", b"<iframe", b"<!doctype html")


def content_matches_extension(uploaded) -> bool:
    extension = os.path.splitext(uploaded.name)[1].lower().lstrip(".")
    if extension not in SIGNATURES:
        return False
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    signatures = SIGNATURES[extension]
    if signatures is not None:
        return head.startswith(signatures)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the 8 KB boundary
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return not any(marker in head.lower() for marker in ACTIVE_TEXT)


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and "file" in self.changed_data and not content_matches_extension(uploaded):
            raise ValidationError(
                "Le contenu de ce fichier ne correspond pas à son extension : envoyez un "
                "document PDF, bureautique (DOCX, ODT, PPTX, XLSX), une archive ZIP ou un "
                "fichier texte (CSV, TXT).",
                code="content_mismatch",
            )
        return uploaded
