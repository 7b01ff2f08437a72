from django.urls import path

from . import views

app_name = "calendars"

urlpatterns = [
    path("perso/<str:token>.ics", views.personal_feed, name="personal_feed"),
    path("perso/reinitialiser/", views.reset_token, name="reset_token"),
]
