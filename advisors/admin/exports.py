"""The back office's exports, one declared class per listing (``core.exports`` writes them):
the listing hands over its filtered rows; run alone (a job, the registry test), an export
reads what ``visible_to(user)`` lets its user see. ANCT administrators only."""

from core.admin_exports import QuerysetExport

from ..models import (
    ActivityReport,
    Advisor,
    Amendment,
    Application,
    Contract,
    Convention,
    ServicePoint,
    Structure,
)
from . import policy

DEPARTMENT_HEADINGS = {"commune.name": "Commune", "commune.insee_code": "Code INSEE",
                       "commune.department.code": "Département",
                       "commune.department.region.name": "Région"}


def _prefixed(prefix, headings):
    return {f"{prefix}.{key}": value for key, value in headings.items()}


def opinion_label(application):
    """The préfet's opinion on an application, "En attente" until given."""
    try:
        opinion = application.opinion
    except Application.opinion.RelatedObjectDoesNotExist:
        return "En attente"
    return opinion.get_verdict_display()


class AdminExport(QuerysetExport):
    """A listing of the back office: ANCT administrators, rows they may see."""

    select_related = ()
    annotate_posts = False

    @classmethod
    def allowed(cls, user):
        return policy.is_anct_admin(user)

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.user).select_related(
            *self.select_related)
        return queryset.with_posts() if self.annotate_posts else queryset.order_by("pk")


class StructuresExport(AdminExport):
    identifier = "advisors.structures"
    verbose_name = "Structures"
    model = Structure
    select_related = ("commune__department__region",)
    annotate_posts = True
    columns = {"name": "Nom", "siret": "SIRET", "get_kind_display": "Type",
               "address": "Adresse", **DEPARTMENT_HEADINGS,
               "contact_first_name": "Prénom du contact", "contact_last_name": "Nom du contact",
               "contact_email": "Courriel du contact", "contact_phone": "Téléphone du contact",
               "granted_posts": "Postes attribués", "occupied_posts": "Postes occupés",
               "vacant_posts": "Postes vacants", "created_at": "Créée le"}


class ApplicationsExport(AdminExport):
    identifier = "advisors.applications"
    verbose_name = "Candidatures"
    model = Application
    select_related = ("structure__commune__department__region", "opinion")
    columns = {"structure.name": "Structure", "structure.siret": "SIRET",
               **_prefixed("structure", DEPARTMENT_HEADINGS),
               "get_status_display": "Statut", "posts_requested": "Postes demandés",
               "posts_granted": "Postes attribués", "opinion_label": "Avis du préfet",
               "decision_number": "Numéro de décision", "decided_on": "Date de décision",
               "desired_start": "Démarrage souhaité", "created_at": "Déposée le"}
    computed = {"opinion_label": opinion_label}


class ConventionsExport(AdminExport):
    identifier = "advisors.conventions"
    verbose_name = "Conventions"
    model = Convention
    select_related = ("structure__commune__department__region",)
    columns = {"structure.name": "Structure", "structure.siret": "SIRET",
               **_prefixed("structure", DEPARTMENT_HEADINGS),
               "get_kind_display": "Type", "get_status_display": "Statut",
               "posts": "Postes conventionnés", "start": "Début", "end": "Fin",
               "validated_at": "Validée le"}


class AmendmentsExport(AdminExport):
    identifier = "advisors.amendments"
    verbose_name = "Avenants"
    model = Amendment
    select_related = ("convention__structure__commune__department__region",)
    columns = {"convention.structure.name": "Structure",
               "convention.structure.siret": "SIRET", "get_kind_display": "Type",
               "posts": "Postes", "get_status_display": "Statut", "reason": "Motif",
               "requested_at": "Demandé le", "decided_at": "Décidé le",
               "decision_comment": "Commentaire de la décision"}


class AdvisorsExport(AdminExport):
    identifier = "advisors.advisors"
    verbose_name = "Conseillers"
    model = Advisor
    columns = {"last_name": "Nom", "first_name": "Prénom", "email": "Courriel",
               "phone": "Téléphone", "is_coordinator": "Coordinateur",
               "training_start": "Début de formation", "training_end": "Fin de formation",
               "training_hours": "Heures de formation", "pix_level": "Niveau Pix",
               "ccp1_obtained": "CCP1 obtenu", "ccp1_obtained_on": "CCP1 obtenu le",
               "created_at": "Créé le"}


class ContractsExport(AdminExport):
    identifier = "advisors.contracts"
    verbose_name = "Contrats"
    model = Contract
    select_related = ("advisor", "structure__commune__department__region")
    columns = {"advisor.last_name": "Nom", "advisor.first_name": "Prénom",
               "advisor.email": "Courriel", "structure.name": "Structure",
               "structure.siret": "SIRET", "structure.commune.department.code": "Département",
               "get_kind_display": "Type de contrat", "start": "Début", "end": "Fin",
               "monthly_gross_salary": "Salaire brut mensuel", "get_status_display": "Statut",
               "get_rupture_status_display": "Rupture",
               "get_rupture_reason_display": "Motif de la rupture",
               "rupture_date": "Date d'effet de la rupture"}


class ServicePointsExport(AdminExport):
    identifier = "advisors.service_points"
    verbose_name = "Lieux d'activité"
    model = ServicePoint
    select_related = ("structure", "commune__department__region")
    columns = {"name": "Nom", "structure.name": "Structure", "structure.siret": "SIRET",
               "address": "Adresse", **DEPARTMENT_HEADINGS, "get_access_display": "Accès",
               "get_services_display": "Services proposés", "is_itinerant": "Itinérant",
               "is_public": "Public", "phone": "Téléphone", "email": "Courriel",
               "latitude": "Latitude", "longitude": "Longitude"}


class ActivityReportsExport(AdminExport):
    identifier = "advisors.activity_reports"
    verbose_name = "Comptes rendus d'activité"
    model = ActivityReport
    select_related = ("advisor", "structure", "commune__department__region")
    columns = {"date": "Date", "advisor.full_name": "Conseiller",
               "advisor.email": "Courriel du conseiller", "structure.name": "Structure",
               **DEPARTMENT_HEADINGS, "get_kind_display": "Type",
               "get_channel_display": "Canal", "participants": "Participants",
               "get_duration_display": "Durée", "get_themes_display": "Thèmes",
               "redirected": "Réorientée"}
