from django import forms
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
)
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Commune

CHOOSER_RESULTS = 100  # a name prefix or postal code narrows 35,000 communes to a few


class CommuneSearchForm(BaseFilterForm):
    """The commune chooser's search: name prefix (accents and hyphens ignored), postal or
    INSEE code, the same rules as the site's commune autocomplete."""

    q = forms.CharField(
        label="Nom ou code postal", required=False,
        widget=forms.TextInput(attrs={"placeholder": "Nom ou code postal, ex. Beauvais ou 60000",
                                      "autocomplete": "off"}),
    )

    def filter(self, objects):
        query = self.cleaned_data.get("q", "").strip()
        if query:
            self.is_searching, self.search_query = True, query
            return objects.search(query, limit=CHOOSER_RESULTS)
        return objects


class CommuneChooserColumns:
    filter_form_class = CommuneSearchForm
    # Without a search, the largest communes come first rather than "Aast" and "Abainville".
    ordering = ["-population", "name"]

    @property
    def columns(self):
        return super().columns + [
            Column("postal_codes", label="Codes postaux",
                   accessor=lambda commune: ", ".join(commune.postal_codes)),
            Column("insee_code", label="Code INSEE"),
        ]


class CommuneChooseView(CommuneChooserColumns, ChooseView):
    pass


class CommuneChooseResultsView(CommuneChooserColumns, ChooseResultsView):
    pass


class CommuneChooserViewSet(SnippetChooserViewSet):
    choose_view_class = CommuneChooseView
    choose_results_view_class = CommuneChooseResultsView


class CommuneViewSet(SnippetViewSet):
    """Read-mostly reference list, mostly used through its chooser (search by name or postal
    code)."""

    model = Commune
    icon = "site"
    menu_label = "Communes"
    add_to_settings_menu = True
    list_display = ["name", "insee_code", "department", "population"]
    search_fields = ["name", "insee_code", "postal_codes_text"]
    search_backend_name = None
    list_per_page = 50
    chooser_viewset_class = CommuneChooserViewSet


register_snippet(CommuneViewSet)
