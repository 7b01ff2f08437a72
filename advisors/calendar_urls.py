from django.urls import path

from . import calendar

app_name = "advisors_calendar"

urlpatterns = [
    path("lieux/<int:service_point_id>.ics", calendar.service_point_feed, name="service_point"),
]
