from django.urls import path

from . import preferences, views

app_name = "accounts"

urlpatterns = [
    path("", views.account_home, name="home"),
    path("notifications/", preferences.notice_preferences, name="notices"),
]
