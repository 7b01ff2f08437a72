from django.urls import path

from . import calendar

app_name = "academy_calendar"

urlpatterns = [
    path("sessions/<int:session_id>.ics", calendar.session_feed, name="session"),
    path("formations.ics", calendar.sessions_feed, name="sessions"),
]
