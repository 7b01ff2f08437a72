from django.urls import path, register_converter

from . import export_views, views

app_name = "dashboards"


class LevelConverter:
    regex = "national|region|department|structure"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LevelConverter, "level")

urlpatterns = [
    path("", views.index, name="index"),
    path("national/", views.national, name="national"),
    path("region/<str:code>/", views.region, name="region"),
    path("departement/<str:code>/", views.department, name="department"),
    path("structure/<int:pk>/", views.structure, name="structure"),
    path("export/<level:level>/<str:code>/<str:table>.<str:fmt>", export_views.table_export,
         name="table_export"),
    path("export/<level:level>/<str:code>/activite-complete/", export_views.export_request,
         name="export_request"),
    path("exports/<uuid:pk>/", export_views.export_job, name="export_job"),
    path("exports/<uuid:pk>/etat.json", export_views.export_status, name="export_status"),
    path("exports/<uuid:pk>/telecharger/", export_views.export_download, name="export_download"),
]
