from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from academy import attestation_views, trainer_views
from academy import views as academy_views
from cms.views import legal_notice, robots_txt, search, site_map
from opendata.api import api

handler400 = "config.bad_input.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
handler429 = "config.errors.too_many_requests"  # read by allauth's rate limits

urlpatterns = [
    # Wagtail's own login and password reset would bypass allauth's two-factor step and rate
    # limits: both lead to allauth's pages instead.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/password_reset/", RedirectView.as_view(pattern_name="account_reset_password")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Lifting a slowed-down login by an emailed link (accounts.lockout).
    path("comptes/deblocage/", include("accounts.unlock_urls")),
    path("comptes/", include("allauth.urls")),
    # /espace/donnees/, /donnees-personnelles/, /accessibilite/ (before Wagtail's pages).
    path("", include("privacy.urls")),
    path("espace/profil-elu/", academy_views.profile, name="official_profile"),
    path("espace/", include("accounts.urls")),
    path("inscriptions/", include("academy.urls")),
    # Trainers' space and the participants' attendance scan (academy.trainer_views).
    path("formateur/", include("academy.trainer_urls")),
    path("emargement/<str:token>/", trainer_views.scan, name="attendance_scan"),
    # The public page a QR code of an attestation leads to (academy.attestations).
    path("attestations/<str:reference>/", attestation_views.check, name="attestation_check"),
    path("territoires/", include("territories.urls")),
    path("calendrier/", include("academy.calendar_urls")),
    path("calendrier/", include("advisors.calendar_urls")),
    path("calendrier/", include("calendars.urls")),
    path("conseillers-numeriques/", include("advisors.urls")),
    path("conseillers/", include("advisors.directory.urls")),
    path("tableau-de-bord/", include("dashboards.urls")),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("plan-du-site/", site_map, name="site_map"),
    path("mentions-legales/", legal_notice, name="legal_notice"),
    path("recherche/", search, name="search"),
    path("donnees/", include("opendata.urls")),
    path("api/v1/", api.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
