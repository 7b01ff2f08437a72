from django.urls import path

from . import views

# Mounted under /comptes/deblocage/, next to allauth's pages (config/urls.py).
urlpatterns = [
    path("", views.unlock_request, name="account_unlock"),
    path("<str:token>/", views.unlock_confirm, name="account_unlock_confirm"),
]
