from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("communes/", views.commune_search, name="communes"),
    path("collectivites/", views.authority_search, name="authorities"),
]
