from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from academy import views as academy_views
from advisors.api import api
from cms.views import robots_txt, search

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("comptes/", include("allauth.urls")),
    path("espace/profil-elu/", academy_views.profile, name="official_profile"),
    path("espace/", include("accounts.urls")),
    path("inscriptions/", include("academy.urls")),
    path("territoires/", include("territories.urls")),
    path("calendrier/", include("academy.calendar_urls")),
    path("calendrier/", include("advisors.calendar_urls")),
    path("calendrier/", include("calendars.urls")),
    path("conseillers-numeriques/", include("advisors.urls")),
    path("conseillers/", include("advisors.directory.urls")),
    path("tableau-de-bord/", include("advisors.dashboards.urls")),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("recherche/", search, name="search"),
    path("donnees/", include("advisors.opendata.urls")),
    path("api/v1/", api.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
