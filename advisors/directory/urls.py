from django.urls import path

from . import embed, views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:service_point_id>/", views.service_point, name="service_point"),
    path("integrer/", embed.builder, name="embed_builder"),
    path("carte-integree/", embed.embedded, name="embedded"),
]
