from django.conf import settings


def platform(request):
    """Names shown in the DSFR header and footer of every page."""
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "SERVICE_TAGLINE": settings.SERVICE_TAGLINE,
    }
