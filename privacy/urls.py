from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("espace/donnees/", views.my_data, name="my_data"),
    path("espace/donnees/telecharger/", views.download, name="download"),
    path("espace/donnees/supprimer/", views.delete_account, name="delete_account"),
    path("donnees-personnelles/", views.register, name="register"),
    path("accessibilite/", views.accessibility, name="accessibility"),
]
