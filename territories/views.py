from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import authorities
from .models import Commune


def _limit(request, default=20, maximum=50):
    try:
        return max(1, min(int(request.GET.get("limit", default)), maximum))
    except ValueError:
        return default


@require_GET
@cache_control(public=True, max_age=3600)
def commune_search(request):
    """Autocomplete source: communes by name prefix or postal code, best match first."""
    communes = Commune.objects.search(request.GET.get("q", ""), _limit(request)).select_related(
        "department"
    )
    results = [
        {
            "insee_code": c.insee_code,
            "name": c.name,
            "postal_codes": c.postal_codes,
            "department": c.department.code,
            "population": c.population,
            "label": c.label,
        }
        for c in communes
    ]
    return JsonResponse({"results": results})


@require_GET
@cache_control(public=True, max_age=3600)
def authority_search(request):
    """Autocomplete source for any level: ?level=commune|epci|departement|region&q=…"""
    level = request.GET.get("level", "commune")
    if level not in authorities.LEVELS:
        return JsonResponse({"error": "Niveau inconnu."}, status=400)
    found = authorities.search(level, request.GET.get("q", ""), _limit(request, 10, 20))
    return JsonResponse({"results": [{"value": v, "label": label} for v, label in found]})
