"""Advisors: "Mes bénéficiaires", the people they follow from one visit to the next (the
records of their structure): list and search, a record and its visits, create and edit,
merge a duplicate, anonymise on request, import a file. Only the advisors under contract
with the structure open them (``Beneficiary.objects.visible_to``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from calendars.dates import elide

from .. import fragments, imports
from ..forms.beneficiaries import (
    BeneficiaryFilterForm,
    BeneficiaryForm,
    BeneficiaryImportForm,
    chosen_beneficiaries,
)
from ..imports.beneficiaries import BeneficiaryImporter
from ..models import Beneficiary
from ..models.beneficiaries import RETENTION_WITHOUT_VISIT, structures_followed_by
from ..services.beneficiaries import (
    anonymise_beneficiary,
    create_beneficiary,
    merge_beneficiaries,
    set_report_beneficiaries,
    update_beneficiary,
)
from .calls import perform
from .common import own_advisor, paginate

NOT_ADVISOR = "Cette page est réservée aux conseillers numériques."
NOT_UNDER_CONTRACT = ("Le suivi des bénéficiaires est réservé aux conseillers sous contrat "
                      "avec une structure.")
RETENTION_YEARS = RETENTION_WITHOUT_VISIT.days // 365


def report_beneficiary_choices(user, report=None):
    """What the activity report form offers: the identified records the advisor follows,
    and those ``report`` is already linked to (an anonymised one stays linked)."""
    rows = Beneficiary.objects.editable_by(user)
    if report is not None:
        rows = rows | Beneficiary.objects.filter(reports=report)
    return list(rows.select_related("commune").distinct().order_by("search_name", "pk"))


def linking(form, actor, call):
    """``call`` (which saves a report) then the links to the beneficiaries ticked in
    ``form``, in one transaction: a refused link keeps the report unsaved."""
    def run(data):
        with transaction.atomic():
            report = call(data)
            if "beneficiaries" in form.fields:
                set_report_beneficiaries(report, chosen_beneficiaries(form), actor)
        return report
    return run


def _structures_or_403(user):
    structures = list(structures_followed_by(user))
    if not structures:
        raise PermissionDenied(NOT_UNDER_CONTRACT)
    return structures


def _visible(request, pk, *, editable=False):
    """The record if the person may see it (404 otherwise); 403 for who is not an
    advisor under contract."""
    _structures_or_403(request.user)
    rows = Beneficiary.objects.visible_to(request.user).select_related(
        "commune__department", "structure", "created_by")
    beneficiary = rows.filter(pk=pk).first()
    if beneficiary is None:
        raise Http404
    return beneficiary


@login_required
def beneficiary_list(request):
    """The records of the structures where the person is an advisor under contract today
    (read on every request): rendered once per version of those structures' records,
    reader, query and day (``advisors.fragments``)."""
    fragments.depend(request)  # who is an advisor, under which contracts
    if own_advisor(request.user) is None:
        raise PermissionDenied(NOT_ADVISOR)
    structures = list(structures_followed_by(request.user))
    fragments.depend(request, *(f"followed:{structure.pk}" for structure in structures))
    body = fragments.kept("beneficiaries", request.user,
                          [f"followed:{structure.pk}" for structure in structures],
                          sorted(request.GET.lists()),
                          lambda: _beneficiary_list_body(request, structures))
    return render(request, "advisors/beneficiaries/list.html",
                  {"body": mark_safe(body)})  # noqa: S308 (our own template)


def _beneficiary_list_body(request, structures):
    form = BeneficiaryFilterForm(request.GET or None)
    visible = Beneficiary.objects.visible_to(request.user)
    rows = (form.filter(visible).with_last_visit().select_related("commune__department")
            .order_by("anonymised_at", "search_name", "pk"))
    page = paginate(request, rows)
    return render_to_string("advisors/beneficiaries/list_body.html", {
        "form": form, "beneficiaries": page, "structures": structures,
        "duplicates": visible.duplicate_groups(), "filtered": form.is_bound,
        "retention_years": RETENTION_YEARS,
    }, request=request)


@login_required
def beneficiary_detail(request, pk):
    beneficiary = _visible(request, pk)
    reports = (beneficiary.reports.select_related("advisor", "commune", "service_point")
               .order_by("-date", "-pk"))
    return render(request, "advisors/beneficiaries/detail.html", {
        "beneficiary": beneficiary, "reports": paginate(request, reports),
        "duplicates": list(Beneficiary.objects.visible_to(request.user)
                           .duplicates_of(beneficiary).select_related("commune")),
        "retention_years": RETENTION_YEARS,
    })


def _form_page(request, form, beneficiary=None):
    return render(request, "advisors/beneficiaries/form.html", {
        "form": form, "beneficiary": beneficiary})


@login_required
def beneficiary_create(request):
    structures = _structures_or_403(request.user)
    form = BeneficiaryForm(request.POST or None, structures=structures)
    done = perform(request, form,
                   lambda data: create_beneficiary(form.structure_chosen(),
                                                   form.data_for_service(), request.user),
                   lambda created: f"Fiche {elide('de', created.display_name)} créée.")
    if done:
        return redirect("advisors:beneficiary", pk=done.result.pk)
    return _form_page(request, form)


@login_required
def beneficiary_edit(request, pk):
    beneficiary = _visible(request, pk)
    if beneficiary.is_anonymised:
        messages.info(request, "Cette fiche est anonymisée : elle ne se modifie plus.")
        return redirect("advisors:beneficiary", pk=pk)
    initial = {name: getattr(beneficiary, name) for name in (
        "first_name", "last_name", "birth_band", "contact_consent", "email", "phone")}
    initial["commune"] = beneficiary.commune.label
    form = BeneficiaryForm(request.POST or None, initial=initial)
    done = perform(request, form,
                   lambda data: update_beneficiary(beneficiary, form.data_for_service(),
                                                   request.user),
                   lambda saved: f"Fiche {elide('de', saved.display_name)} enregistrée.")
    if done:
        return redirect("advisors:beneficiary", pk=pk)
    return _form_page(request, form, beneficiary)


@login_required
def beneficiary_anonymise(request, pk):
    """A confirmation page, then the anonymisation (POST)."""
    beneficiary = _visible(request, pk)
    if beneficiary.is_anonymised:
        return redirect("advisors:beneficiary", pk=pk)
    done = perform(request, None, lambda data: anonymise_beneficiary(beneficiary, request.user),
                   "La fiche est anonymisée : l'identité et les coordonnées de la personne "
                   "sont effacées, ses accompagnements restent dans les statistiques.")
    if done or request.method == "POST":
        return redirect("advisors:beneficiary", pk=pk)
    return render(request, "advisors/beneficiaries/anonymise.html",
                  {"beneficiary": beneficiary})


@login_required
def beneficiary_merge(request, pk, other):
    """"Fusionner": ``other`` (a duplicate) goes into ``pk``, which is kept."""
    kept = _visible(request, pk)
    duplicate = _visible(request, other)
    if kept.pk == duplicate.pk or kept.is_anonymised or duplicate.is_anonymised:
        raise Http404
    done = perform(request, None, lambda data: merge_beneficiaries(kept, duplicate, request.user),
                   lambda result: f"Fiches fusionnées : celle {elide('de', result.display_name)} "
                                  "réunit désormais leurs accompagnements.")
    if done or request.method == "POST":
        return redirect("advisors:beneficiary", pk=pk)
    counts = {row.pk: row.reports.count() for row in (kept, duplicate)}
    return render(request, "advisors/beneficiaries/merge.html", {
        "kept": kept, "duplicate": duplicate, "kept_visits": counts[kept.pk],
        "duplicate_visits": counts[duplicate.pk]})


@login_required
def beneficiary_import(request):
    """Check a file (nothing saved), then import it: all or nothing."""
    structures = _structures_or_403(request.user)
    form = BeneficiaryImportForm(request.POST or None, request.FILES or None,
                                 structures=structures)
    report = None
    commit = "importer" in request.POST
    if request.method == "POST" and form.is_valid():
        importer = BeneficiaryImporter(form.structure_chosen(), request.user)
        try:
            report = imports.runner.run(importer, form.cleaned_data["file"], request.user,
                                        commit=commit)
        except imports.FileRefused as error:
            form.add_error("file", str(error))
        else:
            summary = (f"{report.created} fiche(s) créée(s), {report.updated} mise(s) à "
                       f"jour, {report.rejected} ligne(s) en erreur")
            if report.written:
                messages.success(request, f"Import terminé : {summary}.")
                return redirect("advisors:beneficiaries")
            if report.errors:
                messages.error(request, f"Le fichier contient des erreurs : rien n'a été "
                                        f"enregistré ({summary}). Corrigez-les puis "
                                        "envoyez-le de nouveau.")
            else:
                messages.info(request, f"Vérification (rien n'a été enregistré) : {summary}.")
    return render(request, "advisors/beneficiaries/import.html", {
        "form": form, "report": report, "columns": BeneficiaryImporter.columns,
        "header": ";".join(column.identifier for column in BeneficiaryImporter.columns),
        "back": reverse("advisors:beneficiaries")})
