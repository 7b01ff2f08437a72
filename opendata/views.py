"""/donnees/: the open data page and its downloads (CSV and JSON, streamed)."""

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .exports import DATASETS, LICENCE_NAME, LICENCE_URL, csv_lines, json_chunks
from .service_points import SCHEMA_PATH

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


@require_GET
def index(request):
    datasets = []
    for dataset in DATASETS.values():
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
    dataset = DATASETS.get(slug)
    if dataset is None or extension not in CONTENT_TYPES:
        raise Http404("Jeu de données inconnu.")
    rows = dataset.rows()
    if extension == "csv":
        chunks = csv_lines(dataset.fields, rows)
    else:
        chunks = json_chunks(rows)
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{slug}.{extension}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def schema(request):
    """The national Table Schema the service points files follow (our copy, v1.0.2)."""
    return FileResponse(SCHEMA_PATH.open("rb"), content_type="application/json")
