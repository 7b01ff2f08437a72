"""/conseillers/: the public directory of service points ("find a service point near me")
and the page of each service point. Hidden service points (is_public=False) answer 404."""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from calendars.open_now import timezone_of
from territories.text import of_place

from ..calendar import hours_in_words, osm_hours
from ..models import ServicePoint
from ..views.common import paginate
from . import near_me, queries
from .forms import DirectoryForm

PER_PAGE = 10


def distance_label(kilometres):
    """"à 3,2 km" (French decimal comma), or "" when unknown."""
    if kilometres is None:
        return ""
    return f"à {kilometres:.1f} km".replace(".", ",")


@require_GET
def search(request):
    # "Autour de moi": the position rounded to about 100 m before anything reads it, used for
    # this answer (kept in this process only while it holds, ``near_me``: the page cache's
    # middleware answers the next ones early), never stored.
    request.GET = near_me.with_rounded_position(request.GET)
    minute = near_me.this_minute()
    response, position, until = render_search(request, minute)
    if not position:
        return response
    near_me.mark(response, near_me.key(request), minute, until)
    # The visitor's position is kept nowhere: not in a shared cache, not in the browser's.
    patch_cache_control(response, private=True, no_store=True)
    return response


def render_search(request, minute):
    """(the page, the position searched around or None, until when that page holds)."""
    form = DirectoryForm(request.GET)
    form.is_valid()
    position = form.position()
    text = "" if position else form.cleaned_data.get("q", "")
    commune, candidates = queries.find_communes(
        text, "" if position else form.cleaned_data.get("commune", ""))
    if position:
        origin = queries.Origin(None, *position)
    else:
        origin = queries.origin_of(commune) if commune else None
    ambiguous = bool(text) and commune is None
    # Around a position, the start of the minute: the answer is the same all that minute.
    now = minute if position else timezone.now()
    points = widened = None
    radius_km = form.radius_km()
    if not ambiguous:
        if origin is not None:
            rows, widened = queries.nearby(origin=origin, radius_km=radius_km, now=now,
                                           **form.filters())
        else:
            rows = queries.service_points(now=now, **form.filters())
        points = paginate(request, rows, per_page=PER_PAGE)
        points.object_list = queries.with_details(points.object_list)
        for point in points:
            point.distance_text = distance_label(getattr(point, "distance_km", None))
            point.opening = queries.opening_state(point, now)
            point.open_now = point.opening.is_open
    until = near_me.valid_until(
        minute, [(p.opening, timezone_of(p.commune.department.code)) for p in points or []],
        open_now_filter=form.filters()["open_now"]) if position else None
    markers = [
        {"name": p.name, "url": reverse("directory:service_point", args=[p.pk]),
         "lat": p.latitude, "lon": p.longitude, "distance": p.distance_text,
         "open": p.open_now}
        for p in (points or []) if p.coordinates
    ]
    return render(request, "advisors/directory/search.html", {
        "form": form, "commune": commune, "candidates": candidates if ambiguous else [],
        "ambiguous": ambiguous, "origin": origin, "points": points,
        "of_origin": of_place(commune.label) if commune else "de vous",
        "filtered": any(v not in ("", None, False) for v in form.filters().values()),
        "radius_km": widened.shown_km if widened else radius_km, "widened": widened,
        "position_refused": form.position_refused(),
        "map_data": {"tiles": settings.DIRECTORY_TILE_URL, "markers": markers,
                     "origin": [origin.latitude, origin.longitude] if origin else None},
    }), position, until


@require_GET
def service_point(request, service_point_id):
    point = get_object_or_404(ServicePoint.objects.public().with_calendar_data(),
                              pk=service_point_id)
    feed = request.build_absolute_uri(
        reverse("advisors_calendar:service_point", args=[point.pk]))
    return render(request, "advisors/directory/service_point.html", {
        "point": point,
        "hours": hours_in_words(point),
        "osm_hours": osm_hours(point),
        "closures": queries.upcoming_closures(point),
        "open_now": queries.open_at(point),
        "opening": queries.opening_state(point),
        "feed_url": feed,
        "webcal_url": "webcal://" + feed.split("://", 1)[1],
        "first_names": queries.staff_first_names(point),
    })
