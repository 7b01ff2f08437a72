"""The "Conseillers numériques" menu of the Wagtail admin (registered by
``advisors/wagtail_hooks.py``): one read-only ModelViewSet per record, grouped with the
import page.

Where things are: ``listing.py`` the listing and inspect views they all share (reading
``Model.objects.visible_to(request.user)``; the permission policy ``policy.AnctAdminPolicy``
keeps them to ANCT administrators), ``filters.py`` their filters, ``exports.py`` their CSV /
XLSX exports (``core.exports``), one module per family of records (``structures``,
``applications``, ``conventions``, ``people``, ``activity``), and ``views.py`` the actions,
which call ``advisors.services`` for every change of status."""

from django.urls import path
from django.utils.functional import cached_property
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSetGroup

from . import views
from .activity import ActivityReportViewSet, ServicePointViewSet
from .applications import ApplicationViewSet
from .conventions import AmendmentViewSet, ConventionViewSet
from .people import AdvisorViewSet, ContractViewSet
from .policy import is_anct_admin
from .structures import StructureViewSet
from .training import TrainingRecordViewSet


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
             TrainingRecordViewSet, ImportViewSet)
