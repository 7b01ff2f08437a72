"""Back office of the DIF élus fundings (ANCT administrators): the list of requests where
the Caisse des dépôts' answers are recorded. Imported by ``wagtail_hooks``."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.roles import is_anct_admin

from . import funding_views


@hooks.register("register_admin_urls")
def dif_funding_urls():
    urls = [
        path("", funding_views.admin_list, name="list"),
        path("<int:funding_id>/<slug:action>/", funding_views.admin_decide, name="decide"),
    ]
    return [path("academie/financements-dif/", include((urls, "academy_dif_admin")))]


class AnctMenuItem(MenuItem):
    def is_shown(self, request):
        return is_anct_admin(request.user)


@hooks.register("register_admin_menu_item")
def dif_funding_menu_item():
    return AnctMenuItem("Financements DIF", reverse("academy_dif_admin:list"),
                        icon_name="tick-inverse", order=215)
