"""Coordinator posts: a structure asks for one as an application of kind "coordinateur"
(the préfet's opinion and the committee's decision are those of every application,
``services.applications``); the request says what the coordinator will follow (a list of
advisors, a département or a région), which ANCT may change; once granted, the structure
appoints the coordinator it recruited (a contract at the structure), and from then on, while
that contract runs, the coordinator's scope is the request's
(``AdvisorQuerySet.coordinated_by``)."""

from django.db import transaction
from django.utils import timezone

from .. import bounds, emails, permissions
from ..models import Advisor, Application, ApplicationEvent, Contract, Structure
from ..models.applications import MAX_COORDINATED_ADVISORS
from .accounts import grant_roles
from .base import NotAllowed, WorkflowError, locked, require_admin, validate

K = Application.Kind
SCOPE = Application.CoordinationScope
NOT_MANAGER = "Seuls les gestionnaires de la structure demandent un poste de coordinateur."


def _scope_fields(coordination_scope, department, region, advisors):
    """The request's scope, checked: one kind, its one value, at most 100 advisors."""
    advisors = list(dict.fromkeys(advisors or ()))
    if coordination_scope not in SCOPE.values:
        message = ("Choisissez ce que le coordinateur suivra : une liste de conseillers, un "
                   "département ou une région.")
        raise WorkflowError(message, {"coordination_scope": [message]})
    if coordination_scope == SCOPE.DEPARTMENT and department is None:
        message = "Choisissez le département coordonné."
        raise WorkflowError(message, {"coordinated_department": [message]})
    if coordination_scope == SCOPE.REGION and region is None:
        message = "Choisissez la région coordonnée."
        raise WorkflowError(message, {"coordinated_region": [message]})
    if coordination_scope == SCOPE.ADVISORS:
        if not advisors:
            message = "Choisissez au moins un conseiller à coordonner."
            raise WorkflowError(message, {"coordinated_advisors": [message]})
        if len(advisors) > MAX_COORDINATED_ADVISORS:
            message = (f"Un coordinateur suit au plus {MAX_COORDINATED_ADVISORS} conseillers "
                       "désignés un à un : choisissez plutôt un département ou une région.")
            raise WorkflowError(message, {"coordinated_advisors": [message]})
    return {
        "coordination_scope": coordination_scope,
        "coordinated_department": department if coordination_scope == SCOPE.DEPARTMENT
        else None,
        "coordinated_region": region if coordination_scope == SCOPE.REGION else None,
    }, (advisors if coordination_scope == SCOPE.ADVISORS else [])


def request_coordinator_post(structure, user, *, motivation, desired_start,
                             coordination_scope, department=None, region=None, advisors=()):
    """A structure's manager asks for one coordinator post. The advisors of a list are
    among those the manager may see (the structure's own)."""
    if user is None or not user.is_authenticated:
        raise NotAllowed("Connectez-vous pour demander un poste de coordinateur.")
    if not permissions.can_edit(user, structure):
        raise NotAllowed(NOT_MANAGER)
    errors = {}
    if desired_start and desired_start < timezone.localdate():
        errors["desired_start"] = ["La date ne peut pas être passée."]
    elif desired_start and desired_start > bounds.latest_date():
        errors["desired_start"] = [
            "La date de démarrage souhaitée ne peut pas dépasser cinq ans à partir "
            "d'aujourd'hui : vérifiez l'année saisie."]
    if errors:
        raise WorkflowError(errors["desired_start"][0], errors)
    fields, advisors = _scope_fields(coordination_scope, department, region, advisors)
    if advisors:
        visible = set(Advisor.objects.visible_to(user).filter(
            pk__in=[a.pk for a in advisors]).values_list("pk", flat=True))
        if len(visible) != len(advisors):
            message = "Vous ne pouvez désigner que des conseillers de vos structures."
            raise WorkflowError(message, {"coordinated_advisors": [message]})
    with transaction.atomic():
        structure = locked(Structure, structure.pk)
        if structure.applications.coordinator_posts().open().exists():
            raise WorkflowError("Cette structure a déjà une demande de poste de coordinateur "
                                "en cours d'examen.")
        application = Application(structure=structure, kind=K.COORDINATOR, posts_requested=1,
                                   motivation=(motivation or "").strip(),
                                   desired_start=desired_start, created_by=user, **fields)
        validate(application)
        application.save()
        application.coordinated_advisors.set(advisors)
        ApplicationEvent.objects.create(
            application=application, to_status=Application.Status.CREATED, actor=user,
            reason="Demande d'un poste de coordinateur")
        emails.application_received(application)
        return application


def set_coordination_scope(application, actor, *, coordination_scope, department=None,
                           region=None, advisors=()):
    """ANCT changes what a coordinator post covers (at any stage); the change is written in
    the request's history."""
    require_admin(actor, "Seule l'ANCT modifie le périmètre d'un poste de coordinateur.")
    fields, advisors = _scope_fields(coordination_scope, department, region, advisors)
    with transaction.atomic():
        application = locked(Application, application.pk)
        if not application.is_coordinator_post:
            raise WorkflowError("Seule une demande de poste de coordinateur a un périmètre.")
        for name, value in fields.items():
            setattr(application, name, value)
        validate(application)
        application.save()
        application.coordinated_advisors.set(advisors)
        ApplicationEvent.objects.create(
            application=application, from_status=application.status,
            to_status=application.status, actor=actor,
            reason=f"Périmètre de coordination modifié : {application.coordination_label()}")
        return application


def appointable_contracts(application):
    """The structure's contracts a coordinator may be appointed under: submitted or
    validated, still running, not already another post's coordinator."""
    return (Contract.objects.filter(structure_id=application.structure_id).holding_posts()
            .filter(coordinator_post__isnull=True).select_related("advisor")
            .order_by("advisor__last_name", "advisor__first_name", "pk"))


def appoint_coordinator(application, actor, contract):
    """The structure (or ANCT) names the coordinator recruited under a granted post: the
    advisor of one of its running contracts. Their scope is the request's while that
    contract runs; they get the coordinator's role once it is validated."""
    if not (permissions.can_edit(actor, application.structure)
            or permissions.is_anct_admin(actor)):
        raise NotAllowed("Seuls les gestionnaires de la structure et l'ANCT désignent le "
                         "coordinateur.")
    with transaction.atomic():
        application = locked(Application, application.pk)
        if not application.is_coordinator_post:
            raise WorkflowError("Cette candidature ne porte pas sur un poste de coordinateur.")
        if application.status != Application.Status.VALIDATED:
            raise WorkflowError("Le coordinateur se désigne une fois le poste accordé par le "
                                "comité de sélection.")
        # The contract row is locked before it is checked: two posts appointing the same
        # coordinator at once are told so, one after the other.
        contract = (Contract.objects.select_for_update().filter(pk=contract.pk).first()
                    if contract is not None else None)
        if contract is None or not appointable_contracts(application).filter(
                pk=contract.pk).exists():
            message = ("Choisissez le contrat en cours d'un conseiller recruté par la "
                       "structure (et pas déjà coordinateur d'un autre poste).")
            raise WorkflowError(message, {"contract": [message]})
        previous = application.coordinator_contract_id
        application.coordinator_contract = contract
        validate(application)
        application.save()
        advisor = locked(Advisor, contract.advisor_id)
        if not advisor.is_coordinator:
            advisor.is_coordinator = True
            advisor.save(update_fields=["is_coordinator", "updated_at"])
        grant_roles(advisor)
        ApplicationEvent.objects.create(
            application=application, from_status=application.status,
            to_status=application.status, actor=actor,
            reason=(f"Coordinateur {'remplacé' if previous else 'désigné'} : "
                    f"{advisor.full_name}"))
        return application
