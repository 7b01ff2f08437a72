from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("schema/lieux-mediation-numerique.json", views.schema, name="schema"),
    path("<slug:slug>.<str:extension>", views.download, name="download"),
]
