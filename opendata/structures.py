"""The host structures file: structures with a validated application, their posts granted
and their advisors active (never a contact person)."""

from collections.abc import Iterator

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models import IntegerField as IntegerFieldType
from django.db.models.functions import Coalesce

from advisors.models import Contract, Structure

STRUCTURE_FIELDS = [
    "siret", "nom", "type", "type_libelle", "code_insee", "commune", "code_departement",
    "departement", "code_region", "region", "postes_attribues", "conseillers_actifs",
]


def active_advisors_subquery(on=None):
    """Subquery: distinct advisors with an active contract at the outer structure."""
    contracts = (Contract.objects.active(on).filter(structure=OuterRef("pk")).order_by()
                 .values("structure_id").annotate(n=Count("advisor_id", distinct=True))
                 .values("n"))
    return Coalesce(Subquery(contracts, output_field=IntegerFieldType()), Value(0))


def structures_queryset(queryset=None):
    """Structures with a validated application (those that host advisors)."""
    queryset = Structure.objects.all() if queryset is None else queryset
    return (queryset.with_validated_application().with_posts()
            .annotate(active_advisors=active_advisors_subquery())
            .select_related("commune__department__region").order_by("name", "pk"))


def structure_row(structure) -> dict:
    commune = structure.commune
    department = commune.department
    return {
        "siret": structure.siret,
        "nom": structure.name,
        "type": structure.kind,
        "type_libelle": structure.get_kind_display(),
        "code_insee": commune.insee_code,
        "commune": commune.name,
        "code_departement": department.code,
        "departement": department.name,
        "code_region": department.region.code,
        "region": department.region.name,
        "postes_attribues": structure.granted_posts,
        "conseillers_actifs": structure.active_advisors,
    }


def structure_rows(queryset=None) -> Iterator[dict]:
    for structure in structures_queryset(queryset).iterator(chunk_size=500):
        yield structure_row(structure)
