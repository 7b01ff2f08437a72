"""Structures in the back office: listing, filters, export, inspect view, and their
correction by ANCT (name, type, address, contacts) with its history."""

from wagtail.admin.ui.tables import Column, DateColumn

from ..models import Structure
from ..services import records
from .exports import StructuresExport
from .filters import admin_filterset, department_column
from .records import CorrectingViewSet


class StructureViewSet(CorrectingViewSet):
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
    export_class = StructuresExport
    inspect_view_fields = ["name", "siret", "kind", "address", "commune", "contact_first_name",
                           "contact_last_name", "contact_email", "contact_phone", "managers",
                           "created_at", "updated_at"]
    form_fields = list(records.STRUCTURE_FIELDS)
    correct = staticmethod(records.correct_structure)
