"""The "Conseillers numériques" menu of the Wagtail admin: one read-only ModelViewSet per
record (listing with filters, search and CSV/XLSX export, inspect view), grouped in a
ModelViewSetGroup with the import page.

Every listing and inspect view reads ``Model.objects.visible_to(request.user)``: the
permission policy (``policy.AnctAdminPolicy``) keeps the views to ANCT administrators, and
the querysets would still keep anyone else to what ``advisors.permissions`` lets them see.
Changes of status are actions (``views``) that call ``advisors.services``."""

import csv
import datetime
import decimal

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db import models as django_models
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button
from wagtail.coreutils import multigetattr

from territories.models import Department, Region

from .. import dates, formats
from ..dashboards.exports import csv_cell
from ..models import (
    ActivityReport,
    Advisor,
    Amendment,
    Application,
    Contract,
    ContractExtension,
    Convention,
    ServicePoint,
    Structure,
)
from ..services import allowed_transitions
from . import views
from .policy import is_anct_admin


# --- views reading through visible_to -----------------------------------------------------
class VisibleIndexView(IndexView):
    """A listing of what the user may see (``visible_to``), with the related rows its
    columns and exports read."""

    select_related = ()
    annotate_posts = False
    computed = {}  # export columns computed from the row: {name: function(instance)}
    # What a person reads: Europe/Paris times without microseconds, French dates and
    # booleans in CSV; real local dates and times in XLSX.
    custom_value_preprocess = {
        datetime.datetime: {
            "csv": dates.export_value,
            "xlsx": lambda value: (timezone.make_naive(timezone.localtime(value))
                                   if timezone.is_aware(value) else value)},
        datetime.date: {"csv": dates.export_value, "xlsx": None},
        datetime.time: {"xlsx": None},
        bool: {"csv": lambda value: yes_no(value), "xlsx": None},
        # Decimal commas, so that French spreadsheets read numbers (salaries, coordinates).
        decimal.Decimal: {"csv": csv_cell, "xlsx": None},
        float: {"csv": csv_cell, "xlsx": None},
        list: {"csv": lambda value: ", ".join(map(str, value)),
               "xlsx": lambda value: ", ".join(map(str, value))},
    }

    def filters_refused(self):
        """The filters were given but are wrong (not a date, a reversed period…)."""
        return self.filters is not None and self.filters.is_bound and not \
            self.filters.is_valid()

    def get(self, request, *args, **kwargs):
        if self.filters_refused():
            text = filter_errors(self.filters)
            if self.is_export:
                return HttpResponseBadRequest(
                    f"Filtres incorrects : {text}".encode(),
                    content_type="text/plain; charset=utf-8")
            if not self.results_only:
                messages.error(request, f"Filtres incorrects, aucune ligne affichée : {text}")
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        if self.filters_refused():  # no row from filters nobody meant
            return queryset.none()
        return super().filter_queryset(queryset)

    def stream_csv(self, queryset):
        # Like the dashboards' tables: ';' and a byte-order mark, so that French
        # spreadsheets split the columns and read UTF-8 (Wagtail writes ',' without one).
        writer = csv.DictWriter(_Echo(), fieldnames=self.list_export, delimiter=";")
        yield "\ufeff".encode()
        yield writer.writerow({field: self.get_heading(queryset, field)
                               for field in self.list_export})
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))

    def to_row_dict(self, item):
        return {field: self.computed[field](item) if field in self.computed
                else _value(item, field) for field in self.list_export}

    def get_base_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.annotate_posts:
            queryset = queryset.with_posts()
        return queryset

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        # A yes/no field reads "Oui" / "Non" (Wagtail would print True / False).
        if column_class is Column and _is_boolean_field(self.model, field_name):
            column_class = YesNoColumn
        if column_class is Column and field_name in FIELD_FORMATS:
            column = super()._get_custom_column(field_name, column_class, **kwargs)
            return FormattedColumn(column.name, label=column.label, sort_key=column.sort_key,
                                   display=FIELD_FORMATS[field_name])
        return super()._get_custom_column(field_name, column_class, **kwargs)


def yes_no(value):
    """``True`` / ``False`` the way an administrator reads them."""
    return "Oui" if value else "Non"


class YesNoColumn(Column):
    """A boolean column that reads "Oui" / "Non" (empty when unknown)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        return "—" if value is None else yes_no(value)


# Fields shown the way people write them: "03 44 00 00 00", "2 150,00 €".
FIELD_FORMATS = {"phone": formats.french_phone, "contact_phone": formats.french_phone,
                 "monthly_gross_salary": formats.euros}


class FormattedColumn(Column):
    """A column whose value goes through ``display`` (phone numbers, amounts)."""

    def __init__(self, name, display, **kwargs):
        super().__init__(name, **kwargs)
        self.display = display

    def get_value(self, instance):
        value = super().get_value(instance)
        return self.display(value) if value not in (None, "") else "—"


def _is_boolean_field(model, field_name):
    try:
        field = model._meta.get_field(field_name)
    except Exception:  # a method, a property or a related path: not a plain yes/no field
        return False
    return isinstance(field, django_models.BooleanField)


class _Echo:
    """A file that hands back what is written to it, encoded (for a streamed CSV)."""

    def write(self, value):
        return value.encode("utf-8")


def _value(item, accessor):
    """``multigetattr``, empty when the path crosses an empty relation (no structure…)."""
    try:
        value = multigetattr(item, accessor)
    except (AttributeError, TypeError, ObjectDoesNotExist):
        return ""
    return "" if value is None else value


class VisibleInspectView(InspectView):
    """An inspect view that answers 404 for what the user may not see."""

    select_related = ()

    def get_object(self, queryset=None):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return get_object_or_404(queryset, pk=self.pk)

    def get_field_display_value(self, field_name, field):
        value = getattr(self.object, field_name, None)
        # Times in Europe/Paris, the French way (Wagtail's display shows them in UTC).
        if isinstance(value, datetime.datetime):
            return dates.long_datetime(value)
        if isinstance(value, datetime.date):
            return dates.long_date(value)
        if isinstance(value, bool):
            return yes_no(value)
        if field_name in FIELD_FORMATS and value not in (None, ""):
            return FIELD_FORMATS[field_name](value)
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value

    def get_header_title(self):
        # "Inspecter : Mathieu Benali", with the space French typography puts before a colon
        # (Wagtail joins them with a bare colon).
        title, subtitle = self.get_page_title(), self.get_page_subtitle()
        return f"{title}\u00a0: {subtitle}" if subtitle else title


class ReadOnlyViewSet(ModelViewSet):
    """Listing, filters, search, export and inspect view; no add, edit, copy or delete
    button (the policy grants only "view")."""

    index_view_class = VisibleIndexView
    inspect_view_class = VisibleInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_per_page = 50
    select_related = ()
    annotate_posts = False
    computed = {}

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit, delete, history or usage view: links to them are never built.
        return super().get_common_view_kwargs(**{
            "add_url_name": None, "edit_url_name": None, "delete_url_name": None,
            "history_url_name": None, "usage_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [path("", self.index_view, name="index"),
                path("results/", self.index_results_view, name="index_results"),
                path("inspect/<int:pk>/", self.inspect_view, name="inspect")]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(select_related=self.select_related,
                                             annotate_posts=self.annotate_posts,
                                             computed=self.computed, **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(select_related=self.select_related, **kwargs)

    @cached_property
    def export_filename(self):
        return self.name.replace("_", "-")


# --- filters ------------------------------------------------------------------------------
def admin_filterset(model, fields, *, commune=None, dates=None, distinct=False):
    """A WagtailFilterSet on ``fields`` (choices, booleans), plus département and région
    through the path to a commune, and date ranges ({name: (field, label)})."""
    attrs = {}
    if commune is not None:
        attrs["departement"] = django_filters.ModelChoiceFilter(
            field_name=f"{commune}__department", queryset=Department.objects.all(),
            label="Département", distinct=distinct)
        attrs["region"] = django_filters.ModelChoiceFilter(
            field_name=f"{commune}__department__region", queryset=Region.objects.all(),
            label="Région", distinct=distinct)
    for name, (field, label) in (dates or {}).items():
        attrs[name] = django_filters.DateFromToRangeFilter(
            field_name=field, label=label, widget=DateRangePickerWidget)
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": fields,
                                      "form": CheckedFilterForm})
    return type(f"{model.__name__}AdminFilterSet", (WagtailFilterSet,), attrs)


INVALID_DATE = "Saisissez une date valide, par exemple 15/09/2026."


class CheckedFilterForm(forms.Form):
    """The filters' form: French messages for a date that is not one, and a period whose
    end precedes its start is refused next to the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for sub in getattr(field, "fields", ()):
                if isinstance(sub, forms.DateField):
                    sub.error_messages["invalid"] = INVALID_DATE
            if isinstance(field, forms.MultiValueField):
                field.error_messages["invalid"] = INVALID_DATE

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, slice) and value.start and value.stop \
                    and value.start > value.stop:
                self.add_error(name, f"La fin de la période ({value.stop:%d/%m/%Y}) doit "
                                     f"suivre son début ({value.start:%d/%m/%Y}).")
        return data


def filter_errors(filterset):
    """The filters' errors as one French sentence: "Label : message"."""
    form = filterset.form
    return " ".join(
        f"{form.fields[name].label if name in form.fields else 'Filtres'} : "
        f"{' '.join(messages)}" for name, messages in form.errors.items())


def department_column(commune):
    """The département of the commune at that dotted path."""
    return Column("departement", label="Département", accessor=f"{commune}.department")


DEPARTMENT_HEADINGS = {"commune.name": "Commune", "commune.insee_code": "Code INSEE",
                       "commune.department.code": "Département",
                       "commune.department.region.name": "Région"}


def _prefixed(prefix, headings):
    return {f"{prefix}.{key}": value for key, value in headings.items()}


# --- structures ---------------------------------------------------------------------------
class StructureViewSet(ReadOnlyViewSet):
    model = Structure
    name = "advisors_structures"
    icon = "home"
    menu_label = "Structures"
    select_related = ("commune__department__region",)
    annotate_posts = True
    list_display = ["name", "siret", "kind", "commune", department_column("commune"),
                    Column("granted_posts", label="Postes attribués"),
                    Column("occupied_posts", label="Postes occupés"),
                    DateColumn("created_at", label="Créée le")]
    filterset_class = admin_filterset(Structure, ["kind"], commune="commune",
                                      dates={"creee": ("created_at", "Créée entre")})
    search_fields = ["name", "siret", "contact_email", "commune__name"]
    list_export = ["name", "siret", "get_kind_display", "address", *DEPARTMENT_HEADINGS,
                   "contact_first_name", "contact_last_name", "contact_email", "contact_phone",
                   "granted_posts", "occupied_posts", "vacant_posts", "created_at"]
    export_headings = {"name": "Nom", "siret": "SIRET", "get_kind_display": "Type",
                       "address": "Adresse", **DEPARTMENT_HEADINGS,
                       "contact_first_name": "Prénom du contact",
                       "contact_last_name": "Nom du contact",
                       "contact_email": "Courriel du contact",
                       "contact_phone": "Téléphone du contact",
                       "granted_posts": "Postes attribués", "occupied_posts": "Postes occupés",
                       "vacant_posts": "Postes vacants", "created_at": "Créée le"}
    inspect_view_fields = ["name", "siret", "kind", "address", "commune", "contact_first_name",
                           "contact_last_name", "contact_email", "contact_phone", "managers",
                           "created_at", "updated_at"]


# --- applications -------------------------------------------------------------------------
class ApplicationInspectView(VisibleInspectView):
    template_name = "advisors/admin/application_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = self.object.events.select_related("actor")
        context["opinion"] = getattr(self.object, "opinion", None)
        context["can_decide"] = self.object.is_open and is_anct_admin(self.request.user)
        context["decide_url"] = reverse("advisors_applications:decide", args=[self.object.pk])
        context["transition_url"] = (reverse("advisors_applications:transition",
                                             args=[self.object.pk]) if self.transitions
                                     else None)
        return context

    def get_header_more_buttons(self):
        buttons = super().get_header_more_buttons()
        if self.object.is_open and is_anct_admin(self.request.user):
            buttons.append(Button(
                "Enregistrer la décision du comité", icon_name="tick",
                url=reverse("advisors_applications:decide", args=[self.object.pk])))
        if self.transitions:
            buttons.append(Button(
                "Changer le statut (annulée, doublon…)", icon_name="edit",
                url=reverse("advisors_applications:transition", args=[self.object.pk])))
        return buttons

    @cached_property
    def transitions(self):
        if not is_anct_admin(self.request.user):
            return []
        return allowed_transitions(self.object, self.request.user)


class ApplicationViewSet(ReadOnlyViewSet):
    model = Application
    name = "advisors_applications"
    icon = "form"
    menu_label = "Candidatures"
    inspect_view_class = ApplicationInspectView
    select_related = ("structure__commune__department__region", "opinion")
    list_display = ["structure", department_column("structure.commune"), "status",
                    "posts_requested", "posts_granted",
                    Column("opinion_label", label="Avis du préfet",
                           accessor=lambda a: _opinion_label(a)),
                    "decision_number", DateColumn("created_at", label="Déposée le")]
    filterset_class = admin_filterset(
        Application, ["status"], commune="structure__commune",
        dates={"deposee": ("created_at", "Déposée entre"),
               "decidee": ("decided_on", "Décidée entre")})
    search_fields = ["structure__name", "structure__siret", "decision_number"]
    list_export = ["structure.name", "structure.siret", *_prefixed("structure",
                                                                   DEPARTMENT_HEADINGS),
                   "get_status_display", "posts_requested", "posts_granted", "opinion_label",
                   "decision_number", "decided_on", "desired_start", "created_at"]
    export_headings = {"structure.name": "Structure", "structure.siret": "SIRET",
                       **_prefixed("structure", DEPARTMENT_HEADINGS),
                       "get_status_display": "Statut", "posts_requested": "Postes demandés",
                       "posts_granted": "Postes attribués", "opinion_label": "Avis du préfet",
                       "decision_number": "Numéro de décision",
                       "decided_on": "Date de décision",
                       "desired_start": "Démarrage souhaité", "created_at": "Déposée le"}
    inspect_view_fields = ["structure", "status", "posts_requested", "posts_granted",
                           "motivation", "desired_start", "decision_number", "decided_on",
                           "created_by", "created_at"]

    computed = {"opinion_label": lambda application: _opinion_label(application)}

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("decide/<int:pk>/", views.decide_application, name="decide"),
                path("transition/<int:pk>/", views.transition_application,
                     name="transition")]


def _opinion_label(application):
    try:
        opinion = application.opinion
    except Application.opinion.RelatedObjectDoesNotExist:
        return "En attente"
    return opinion.get_verdict_display()


# --- conventions --------------------------------------------------------------------------
VALIDABLE_CONVENTIONS = (Convention.Status.IN_PROGRESS, Convention.Status.INITIATED)


class ConventionInspectView(VisibleInspectView):
    template_name = "advisors/admin/convention_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["amendments"] = self.object.amendments.all()
        context["renewal"] = renewal = Convention.objects.filter(previous=self.object).first()
        context["renew_url"] = (
            reverse("advisors_conventions:renew", args=[self.object.pk])
            if renewal is None and self.object.status == Convention.Status.VALIDATED
            and is_anct_admin(self.request.user) else None)
        context["validate_url"] = (
            reverse("advisors_conventions:validate", args=[self.object.pk])
            if self.object.status in VALIDABLE_CONVENTIONS
            and is_anct_admin(self.request.user) else None)
        return context


class ConventionViewSet(ReadOnlyViewSet):
    model = Convention
    name = "advisors_conventions"
    icon = "doc-full"
    menu_label = "Conventions"
    inspect_view_class = ConventionInspectView
    inspect_view_fields = ["structure", "kind", "status", "previous", "posts", "start", "end",
                           "reason", "created_by", "created_at", "validated_by",
                           "validated_at"]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("validate/<int:pk>/", views.validate_convention, name="validate"),
                path("renew/<int:pk>/", views.initiate_renewal, name="renew")]
    select_related = ("structure__commune__department__region",)
    list_display = ["structure", "kind", "status", "posts", "start", "end",
                    department_column("structure.commune")]
    filterset_class = admin_filterset(
        Convention, ["kind", "status"], commune="structure__commune",
        dates={"debut": ("start", "Début entre"), "fin": ("end", "Fin entre")})
    search_fields = ["structure__name", "structure__siret"]
    list_export = ["structure.name", "structure.siret",
                   *_prefixed("structure", DEPARTMENT_HEADINGS), "get_kind_display",
                   "get_status_display", "posts", "start", "end", "validated_at"]
    export_headings = {"structure.name": "Structure", "structure.siret": "SIRET",
                       **_prefixed("structure", DEPARTMENT_HEADINGS),
                       "get_kind_display": "Type", "get_status_display": "Statut",
                       "posts": "Postes conventionnés", "start": "Début", "end": "Fin",
                       "validated_at": "Validée le"}


# --- amendments ----------------------------------------------------------------------------
class AmendmentInspectView(VisibleInspectView):
    template_name = "advisors/admin/amendment_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["opinion"] = getattr(self.object, "opinion", None)
        context["decide_url"] = (
            reverse("advisors_amendments:decide", args=[self.object.pk])
            if self.object.status in Amendment.PENDING_STATUSES
            and is_anct_admin(self.request.user) else None)
        context["convention_url"] = reverse("advisors_conventions:inspect",
                                            args=[self.object.convention_id])
        return context


class AmendmentViewSet(ReadOnlyViewSet):
    model = Amendment
    name = "advisors_amendments"
    icon = "doc-full"
    menu_label = "Avenants"
    inspect_view_class = AmendmentInspectView
    select_related = ("convention__structure__commune__department__region",)
    list_display = [Column("structure", label="Structure", accessor="convention.structure"),
                     department_column("convention.structure.commune"), "kind", "posts",
                     "status", DateColumn("requested_at", label="Demandé le")]
    filterset_class = admin_filterset(
        Amendment, ["status", "kind"], commune="convention__structure__commune",
        dates={"demande": ("requested_at", "Demandé entre")})
    search_fields = ["convention__structure__name", "convention__structure__siret"]
    list_export = ["convention.structure.name", "convention.structure.siret",
                   "get_kind_display", "posts", "get_status_display", "reason",
                   "requested_at", "decided_at", "decision_comment"]
    export_headings = {"convention.structure.name": "Structure",
                       "convention.structure.siret": "SIRET", "get_kind_display": "Type",
                       "posts": "Postes", "get_status_display": "Statut", "reason": "Motif",
                       "requested_at": "Demandé le", "decided_at": "Décidé le",
                       "decision_comment": "Commentaire de la décision"}
    inspect_view_fields = ["convention", "kind", "posts", "reason", "status", "requested_by",
                           "requested_at", "decided_by", "decided_at", "decision_comment"]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("decide/<int:pk>/", views.decide_amendment, name="decide")]


# --- advisors -----------------------------------------------------------------------------
class AdvisorViewSet(ReadOnlyViewSet):
    model = Advisor
    name = "advisors_advisors"
    icon = "user"
    menu_label = "Conseillers"
    list_display = ["last_name", "first_name", "email", "phone", "is_coordinator",
                    "pix_level", "ccp1_obtained", DateColumn("created_at", label="Créé le")]
    filterset_class = admin_filterset(
        Advisor, ["is_coordinator", "ccp1_obtained"], commune="contracts__structure__commune",
        dates={"formation": ("training_start", "Formation commencée entre")}, distinct=True)
    search_fields = ["first_name", "last_name", "email"]
    list_export = ["last_name", "first_name", "email", "phone", "is_coordinator",
                   "training_start", "training_end", "training_hours", "pix_level",
                   "ccp1_obtained", "ccp1_obtained_on", "created_at"]
    export_headings = {"last_name": "Nom", "first_name": "Prénom", "email": "Courriel",
                       "phone": "Téléphone", "is_coordinator": "Coordinateur",
                       "training_start": "Début de formation", "training_end": "Fin de formation",
                       "training_hours": "Heures de formation", "pix_level": "Niveau Pix",
                       "ccp1_obtained": "CCP1 obtenu", "ccp1_obtained_on": "CCP1 obtenu le",
                       "created_at": "Créé le"}
    inspect_view_fields = ["first_name", "last_name", "email", "phone", "user",
                           "is_coordinator", "training_start", "training_end", "training_hours",
                           "pix_level", "ccp1_obtained", "ccp1_obtained_on", "created_at"]


# --- contracts ----------------------------------------------------------------------------
class ContractInspectView(VisibleInspectView):
    template_name = "advisors/admin/contract_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = views.contract_actions(self.object, self.request.user)
        context["extensions"] = self.object.extensions.all()
        context["can_decide_extensions"] = is_anct_admin(self.request.user)
        context["requested"] = ContractExtension.Status.REQUESTED
        return context


class ContractViewSet(ReadOnlyViewSet):
    model = Contract
    name = "advisors_contracts"
    icon = "doc-full-inverse"
    menu_label = "Contrats"
    inspect_view_class = ContractInspectView
    select_related = ("advisor", "structure__commune__department__region")
    list_display = ["advisor", "structure", "kind", "status", "start", "end",
                    "monthly_gross_salary", "rupture_status"]
    filterset_class = admin_filterset(
        Contract, ["status", "kind", "rupture_status"], commune="structure__commune",
        dates={"debut": ("start", "Début entre"), "fin": ("end", "Fin entre")})
    search_fields = ["advisor__first_name", "advisor__last_name", "advisor__email",
                     "structure__name", "structure__siret"]
    list_export = ["advisor.last_name", "advisor.first_name", "advisor.email", "structure.name",
                   "structure.siret", "structure.commune.department.code", "get_kind_display",
                   "start", "end", "monthly_gross_salary", "get_status_display",
                   "get_rupture_status_display", "get_rupture_reason_display", "rupture_date"]
    export_headings = {"advisor.last_name": "Nom", "advisor.first_name": "Prénom",
                       "advisor.email": "Courriel", "structure.name": "Structure",
                       "structure.siret": "SIRET",
                       "structure.commune.department.code": "Département",
                       "get_kind_display": "Type de contrat", "start": "Début", "end": "Fin",
                       "monthly_gross_salary": "Salaire brut mensuel",
                       "get_status_display": "Statut", "get_rupture_status_display": "Rupture",
                       "get_rupture_reason_display": "Motif de la rupture",
                       "rupture_date": "Date d'effet de la rupture"}
    inspect_view_fields = ["advisor", "structure", "kind", "start", "end",
                           "monthly_gross_salary", "status", "refusal_reason", "validated_by",
                           "validated_at", "rupture_status", "rupture_reason", "rupture_date",
                           "rupture_requested_at", "rupture_validated_at", "created_by",
                           "created_at"]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(),
                path("action/<int:pk>/<slug:action>/", views.contract_action, name="action"),
                path("extension/<int:pk>/", views.decide_extension, name="extension")]


# --- service points -----------------------------------------------------------------------
class ServicePointViewSet(ReadOnlyViewSet):
    model = ServicePoint
    name = "advisors_service_points"
    icon = "site"
    menu_label = "Lieux d'activité"
    select_related = ("structure", "commune__department__region")
    list_display = ["name", "structure", "commune", department_column("commune"), "access",
                    "is_itinerant", "is_public"]
    filterset_class = admin_filterset(ServicePoint, ["access", "is_itinerant", "is_public"],
                                      commune="commune")
    search_fields = ["name", "structure__name", "commune__name", "address"]
    list_export = ["name", "structure.name", "structure.siret", "address",
                   *DEPARTMENT_HEADINGS, "get_access_display", "get_services_display",
                   "is_itinerant", "is_public", "phone", "email", "latitude", "longitude"]
    export_headings = {"name": "Nom", "structure.name": "Structure", "structure.siret": "SIRET",
                       "address": "Adresse", **DEPARTMENT_HEADINGS,
                       "get_access_display": "Accès",
                       "get_services_display": "Services proposés", "is_itinerant": "Itinérant",
                       "is_public": "Public", "phone": "Téléphone", "email": "Courriel",
                       "latitude": "Latitude", "longitude": "Longitude"}


# --- activity reports ---------------------------------------------------------------------
class ActivityReportViewSet(ReadOnlyViewSet):
    model = ActivityReport
    name = "advisors_activity_reports"
    icon = "list-ul"
    menu_label = "Comptes rendus d'activité"
    select_related = ("advisor", "structure", "commune__department__region")
    list_display = ["date", "advisor", "structure", "commune", "kind", "channel",
                    "participants", "duration"]
    filterset_class = admin_filterset(
        ActivityReport, ["kind", "channel", "duration"], commune="commune",
        dates={"periode": ("date", "Accompagnement entre")})
    search_fields = ["advisor__last_name", "advisor__email", "structure__name", "commune__name"]
    list_export = ["date", "advisor.full_name", "advisor.email", "structure.name",
                   *DEPARTMENT_HEADINGS, "get_kind_display", "get_channel_display",
                   "participants", "get_duration_display", "get_themes_display", "redirected"]
    export_headings = {"date": "Date", "advisor.full_name": "Conseiller",
                       "advisor.email": "Courriel du conseiller", "structure.name": "Structure",
                       **DEPARTMENT_HEADINGS, "get_kind_display": "Type",
                       "get_channel_display": "Canal", "participants": "Participants",
                       "get_duration_display": "Durée", "get_themes_display": "Thèmes",
                       "redirected": "Réorientée"}


# --- import -------------------------------------------------------------------------------
class ImportViewSet(ViewSet):
    """The "Importer" page of the group (structures, advisors or contracts)."""

    name = "advisors_import"
    icon = "upload"
    menu_label = "Importer"

    @cached_property
    def menu_item_class(self):
        menu_item_class = super().menu_item_class

        class ImportMenuItem(menu_item_class):
            def is_shown(self, request):
                return is_anct_admin(request.user)

        return ImportMenuItem

    def get_urlpatterns(self):
        return [path("", views.import_file, name="index")]


class AdvisorsAdminGroup(ModelViewSetGroup):
    menu_label = "Conseillers numériques"
    menu_icon = "group"
    menu_name = "conseillers-numeriques"
    menu_order = 220
    items = (StructureViewSet, ApplicationViewSet, ConventionViewSet, AmendmentViewSet,
             AdvisorViewSet, ContractViewSet, ServicePointViewSet, ActivityReportViewSet,
             ImportViewSet)
