"""/formateur/: the trainers' space (academy.trainer_views)."""

from django.urls import path

from . import trainer_views

app_name = "trainer"

urlpatterns = [
    path("", trainer_views.home, name="home"),
    path("sessions/<int:session_id>/", trainer_views.session_detail, name="session"),
    path("sessions/<int:session_id>/emargement.pdf", trainer_views.sheet, name="sheet"),
    path("sessions/<int:session_id>/<str:day>/<slug:period>/", trainer_views.attendance_list,
         name="attendance"),
    path("sessions/<int:session_id>/<str:day>/<slug:period>/qr/", trainer_views.qr_screen,
         name="qr"),
    path("sessions/<int:session_id>/<str:day>/<slug:period>/qr.json", trainer_views.qr_code,
         name="qr_code"),
]
