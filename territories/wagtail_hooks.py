from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Commune


class CommuneViewSet(SnippetViewSet):
    """Read-mostly reference list, mostly used through its chooser (search by name)."""

    model = Commune
    icon = "site"
    menu_label = "Communes"
    add_to_settings_menu = True
    list_display = ["name", "insee_code", "department", "population"]
    search_fields = ["name", "insee_code", "postal_codes_text"]
    search_backend_name = None
    list_per_page = 50


register_snippet(CommuneViewSet)
