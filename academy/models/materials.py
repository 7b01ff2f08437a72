"""Documents attached to a session (slides, readings), kept in the private storage.

They have no public URL: ``academy:material`` serves each one after checking
``Session.materials_visible_to``."""

from django import forms
from django.db import models
from django.urls import reverse
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable

from accounts.private_files import private_storage


class _DownloadLink:
    """What the file input shows of a stored document: its name, linked to the checking view
    (the private storage has no URL)."""

    def __init__(self, fieldfile):
        self.fieldfile = fieldfile

    def __str__(self):
        return self.fieldfile.name.rsplit("/", 1)[-1]

    @property
    def url(self):
        return reverse("academy:material", args=[self.fieldfile.instance.pk])


class PrivateFileInput(forms.ClearableFileInput):
    def is_initial(self, value):
        return bool(value and getattr(value, "name", ""))

    def format_value(self, value):
        return _DownloadLink(value) if self.is_initial(value) else None


class SessionDocument(Orderable):
    class Kind(models.TextChoices):
        SLIDES = "slides", "Support de présentation"
        READING = "reading", "Lecture"
        OTHER = "other", "Autre document"

    session = ParentalKey("academy.Session", on_delete=models.CASCADE,
                          related_name="documents", verbose_name="session")
    title = models.CharField("titre", max_length=200)
    kind = models.CharField("type", max_length=20, choices=Kind.choices, default=Kind.SLIDES)
    file = models.FileField("fichier", storage=private_storage,
                            upload_to="academy/sessions/%Y/%m/",
                            help_text="Visible uniquement des participants confirmés (et, après "
                                      "la session, présents) et de l'équipe.")

    panels = [FieldPanel("title"), FieldPanel("kind"),
              FieldPanel("file", widget=PrivateFileInput)]

    class Meta(Orderable.Meta):
        verbose_name = "document de la session"
        verbose_name_plural = "documents de la session"

    def __str__(self):
        return self.title

    @property
    def filename(self):
        return self.file.name.rsplit("/", 1)[-1]

    @property
    def extension(self):
        return self.filename.rsplit(".", 1)[-1].upper() if "." in self.filename else ""
