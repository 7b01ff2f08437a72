"""/donnees/: the open data page and its downloads (CSV and JSON, streamed)."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.exports import export_response

from .exports import DATASETS, LICENCE_NAME, LICENCE_URL
from .service_points import SCHEMA_PATH


@require_GET
def index(request):
    datasets = []
    for export_class in DATASETS.values():
        dataset = export_class(request.user)
        latest = dataset.last_update()
        datasets.append({
            "dataset": dataset,
            "last_update": timezone.localtime(latest) if latest else None,
            "fields": dataset.fields,
        })
    return render(request, "opendata/index.html", {
        "datasets": datasets, "licence_name": LICENCE_NAME, "licence_url": LICENCE_URL,
    })


@require_GET
def download(request, slug, extension):
    export_class = DATASETS.get(slug)
    if export_class is None or extension not in export_class.formats:
        raise Http404("Jeu de données inconnu.")
    response = export_response(request, export_class, extension, streaming=True)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def schema(request):
    """The national Table Schema the service points files follow (our copy, v1.0.2)."""
    return FileResponse(SCHEMA_PATH.open("rb"), content_type="application/json")
