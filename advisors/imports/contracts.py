"""Contracts, identified by (advisor's email, structure's SIRET, start date). They go through
``advisors.services`` (submission, then validation when asked), like a manager's: posts,
overlaps and bounds are checked there, not here."""

from django.core.exceptions import ValidationError

from .. import services
from ..models import Advisor, Contract, Structure
from .base import Importer, RowInvalid
from .columns import (
    AmountColumn,
    ChoiceColumn,
    DateColumn,
    EmailColumn,
    ImportColumn,
    RecordColumn,
    text_of,
)
from .reading import normalize_header
from .structures import SiretColumn


class ContractAdvisor(RecordColumn, EmailColumn):
    identifier = "email_conseiller"
    label = "Courriel du conseiller, déjà importé ou inscrit."
    required = True
    field = "advisor"
    model, lookup_field = Advisor, "email"
    unknown = "aucun conseiller « {key} » : importez d'abord les conseillers."


class Employer(RecordColumn, SiretColumn):
    identifier = "siret"
    label = "SIRET de la structure employeuse, dont la candidature est validée."
    required = True
    field = "structure"
    model, lookup_field = Structure, "siret"
    unknown = "aucune structure avec le SIRET « {text} » : importez d'abord les structures."


class ContractKind(ChoiceColumn):
    identifier = "type"
    label = "cdi, cdd, pec ou contrat_projet_public (ou « CDI », « CDD »…)."
    required = True
    field = "kind"
    choices = Contract.Kind
    aliases = {"contrat_de_projet": Contract.Kind.PUBLIC_PROJECT,
               "parcours_emploi_competences": Contract.Kind.PEC}


class ContractStart(DateColumn):
    identifier = "debut"
    label = "Premier jour du contrat (JJ/MM/AAAA)."
    required = True
    field = "start"


class ContractEnd(DateColumn):
    identifier = "fin"
    label = "Dernier jour du contrat ; vide pour un CDI seulement."
    field = "end"


class Salary(AmountColumn):
    identifier = "salaire_brut_mensuel"
    label = "En euros, au moins le minimum légal (ex. 1 950,00)."
    required = True
    field = "monthly_gross_salary"


class ValidateOnImport(ImportColumn):
    """Not a field of the contract: whether the import also validates it."""

    identifier = "statut"
    label = ("« validé » pour valider le contrat à l'import ; sinon il attend la validation "
             "de l'ANCT.")
    empty = False
    STATUSES = {"": False, "en_attente": False, "soumis": False, "a_valider": False,
                "valide": True, "validee": True}

    def clean(self, value, previous_values):
        status = normalize_header(text_of(value))
        if status not in self.STATUSES:
            raise ValidationError(f"« validé » ou vide attendu, « {text_of(value)} » reçu.")
        return self.STATUSES[status]


class ContractImporter(Importer):
    kind = "contrats"
    label = "Contrats"
    key_label = "même conseiller, même structure, même début"
    model = Contract
    columns = (ContractAdvisor, Employer, ContractKind, ContractStart, ContractEnd, Salary,
               ValidateOnImport)
    lookup = ("email_conseiller", "siret", "debut")

    def write(self, values, errors, refused, actor):
        if errors:
            raise RowInvalid(errors)
        terms = Contract()
        for column in self.columns:
            column.assign(values[column.identifier], terms)
        existing = self.find(values)
        try:
            if existing is None:
                contract = services.submit_contract(
                    terms.structure, terms.advisor, actor, kind=terms.kind, start=terms.start,
                    end=terms.end, monthly_gross_salary=terms.monthly_gross_salary)
            else:
                contract = self._update(existing, terms)
            if values["statut"] and contract.status == Contract.Status.SUBMITTED:
                services.validate_contract(contract, actor)
        except services.WorkflowError as error:
            raise RowInvalid(self.messages_by_field(error.errors) if error.errors
                             else [error.message]) from error
        return existing is None

    def _update(self, contract, terms):
        """A contract already known: its terms may change while it awaits validation."""
        kind, end, salary = terms.kind, terms.end, terms.monthly_gross_salary
        if (contract.kind, contract.end, contract.monthly_gross_salary) == (kind, end, salary):
            return contract
        if contract.status != Contract.Status.SUBMITTED:
            raise services.WorkflowError(
                f"Ce contrat est déjà « {contract.get_status_display().lower()} » : ses "
                "conditions ne peuvent plus être modifiées par import.")
        contract.kind, contract.end, contract.monthly_gross_salary = kind, end, salary
        services.check_contract_bounds(contract.start, end, salary)
        try:
            contract.full_clean()
        except ValidationError as error:
            raise services.WorkflowError(" ".join(self.messages_of(error))) from error
        overlapping = (Contract.objects.filter(advisor=contract.advisor)
                       .overlapping(contract.start, end).exclude(pk=contract.pk))
        if overlapping.exists():
            raise services.WorkflowError("Ce conseiller a déjà un contrat en cours ou en "
                                         "attente de validation sur cette période.")
        contract.save()
        return contract
