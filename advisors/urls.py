from django.urls import path

from .views import applications, home, structures

app_name = "advisors"

urlpatterns = [
    path("", home.home, name="home"),
    # Structure managers
    path("candidater/", structures.apply, name="apply"),
    path("ma-structure/", structures.my_structures, name="my_structures"),
    path("structures/<int:pk>/", structures.structure_detail, name="structure"),
    path("structures/<int:pk>/recrutement/", structures.contract_create,
         name="contract_create"),
    path("contrats/<int:pk>/rupture/", structures.rupture, name="rupture"),
    # Applications: préfets, and the structure's managers
    path("candidatures/", applications.prefect_applications, name="prefect_applications"),
    path("candidatures/<int:pk>/", applications.application_detail, name="application"),
]
