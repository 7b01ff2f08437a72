"""A URL that fails, for the error reporting test (tests/ops/test_error_reports.py)."""

from django.urls import path


def crash(request):
    raise ValueError(f"inscription impossible pour {request.POST.get('email')}")


urlpatterns = [path("boum/", crash)]
