"""The "Importer" page: upload a CSV or XLSX file of one kind, check it (dry run), import it.
The work is in ``advisors.imports``; this view is a form, one call and a report."""

from django import forms
from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse

from .. import imports

KIND_CHOICES = [(kind, importer.label) for kind, importer in imports.IMPORTERS.items()]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="Contenu du fichier", choices=KIND_CHOICES,
                             widget=forms.RadioSelect, initial="structures")
    file = forms.FileField(
        label="Fichier", help_text="CSV (séparateur « ; » ou « , », UTF-8) ou XLSX, 5 Mo au "
                                   "plus ; la première ligne porte les en-têtes.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
    valid_only = forms.BooleanField(
        label="Importer uniquement les lignes valides", required=False,
        help_text="Sans cette case, rien n'est importé tant que le fichier contient une "
                  "erreur.")


def _summary(report):
    what = dict(KIND_CHOICES)[report.kind].lower()
    return (f"{what} : {report.created} création(s), {report.updated} mise(s) à jour, "
            f"{report.rejected} ligne(s) rejetée(s)")


def import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    commit = "importer" in request.POST
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = imports.run(data["kind"], data["file"], request.user, commit=commit,
                                 valid_only=data["valid_only"])
        except imports.FileRefused as error:
            form.add_error("file", str(error))
            messages.error(request, str(error))
        else:
            if report.written:
                messages.success(request, f"Import terminé — {_summary(report)}.")
            elif commit and report.errors and report.valid:
                messages.error(request, "Le fichier contient des erreurs : rien n'a été "
                                        "importé. Corrigez-les, ou cochez « Importer "
                                        "uniquement les lignes valides ».")
            elif commit:
                messages.error(request, "Aucune ligne valide : rien n'a été importé.")
            else:
                messages.info(request, f"Vérification (rien n'a été enregistré) — "
                                       f"{_summary(report)}.")
    return render(request, "advisors/admin/import.html", {
        "form": form, "report": report, "committed": commit,
        "importers": [(kind, importer.label, importer.columns, importer.key_label)
                      for kind, importer in imports.IMPORTERS.items()],
        "page_title": "Importer", "header_icon": "upload",
        "page_subtitle": "Structures, conseillers ou contrats",
        "breadcrumbs_items": [{"url": reverse("advisors_import:index"),
                               "label": "Importer"}],
    })
