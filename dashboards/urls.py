from django.urls import path, register_converter

from . import export_views, personal_views, survey_views, views

app_name = "dashboards"


class LevelConverter:
    regex = "national|region|department|structure"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LevelConverter, "level")


class SurveyLevelConverter:
    regex = "session|formation|formateur"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(SurveyLevelConverter, "survey_level")

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
    # Personal statistics (personal_views.py): an advisor's, a coordinator's team's, a
    # structure's for its managers.
    path("mes-statistiques/", personal_views.my_statistics, name="my_statistics"),
    path("mes-statistiques/export.<str:fmt>", personal_views.my_statistics_export,
         name="my_statistics_export"),
    path("mon-equipe/", personal_views.team_statistics, name="team_statistics"),
    path("mon-equipe/export.<str:fmt>", personal_views.team_statistics_export,
         name="team_statistics_export"),
    path("ma-structure/<int:pk>/", personal_views.structure_statistics,
         name="structure_statistics"),
    path("ma-structure/<int:pk>/export.<str:fmt>", personal_views.structure_statistics_export,
         name="structure_statistics_export"),
    # The academy's satisfaction questionnaires (survey_views.py), for ANCT administrators.
    path("questionnaires/", survey_views.index, name="surveys"),
    path("questionnaires/<survey_level:level>/<int:pk>/", survey_views.results,
         name="survey_results"),
    path("questionnaires/<survey_level:level>/<int:pk>/<str:table>.<str:fmt>",
         survey_views.export, name="survey_export"),
]
