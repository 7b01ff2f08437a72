"""The directory's map for partner sites: ``/conseillers/integrer/`` builds an ``<iframe>``
snippet for a territory (département or commune) and filters, with a preview;
``/conseillers/carte-integree/`` is the framed page itself: light (no site header or footer),
the same list and map as the directory, the filters kept in its links.

Only the framed page may be framed, by any site: ``frame-ancestors *`` replaces the policy's
``'none'`` and X-Frame-Options is left out (every other page keeps DENY). It is not kept by
``cms.page_cache``'s shared entries, whose kept answers would lose those two per-view
headers; each process keeps the finished answer of an address (those headers included) a
minute at most, under the public records' version, and answers it as early as the page
cache's own (``answer_early``: before sessions and authentication, for anonymous visitors,
with a new nonce)."""

import hashlib
import time
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from cms.page_cache import NONCE_PLACEHOLDER, kept_answer, normalized_address
from core.local_copies import LocalCopies
from territories.models import Commune, Department

from .. import public_records
from ..models import OpeningRange, PlaceService, ServicePoint
from ..views.common import paginate
from . import queries

PER_PAGE = 20
SECONDS = 60
LOCAL = LocalCopies(max_bytes=4 << 20)
PLACEHOLDER = NONCE_PLACEHOLDER.encode()
# 800 px holds the map, its buttons, legend and source link (the list scrolls inside).
HEIGHTS = [("800", "800 pixels (conseillé)"), ("600", "600 pixels"), ("1000", "1000 pixels")]
FILTERS = ("departement", "commune", "service", "access", "weekday", "open_now")


class EmbedForm(forms.Form):
    """The territory and filters of an embedded map, read from the query string (GET)."""

    departement = forms.ChoiceField(label="Département", required=False)
    commune = forms.CharField(
        label="Commune", required=False, max_length=100,
        help_text="Nom, code postal ou code INSEE : les lieux les plus proches d'abord.",
        widget=forms.TextInput(attrs={"class": "fr-input", "autocomplete": "off"}))
    service = forms.ChoiceField(label="Service", required=False,
                                choices=[("", "Tous les services"), *PlaceService.choices])
    access = forms.ChoiceField(label="Accès", required=False,
                               choices=[("", "Tous les accès"), *ServicePoint.Access.choices])
    weekday = forms.TypedChoiceField(
        label="Ouvert le", required=False, coerce=int, empty_value=None,
        choices=[("", "N'importe quel jour"),
                 *[(value, label.lower()) for value, label in OpeningRange.Weekday.choices]])
    open_now = forms.BooleanField(label="Ouvert maintenant", required=False)
    hauteur = forms.ChoiceField(label="Hauteur du cadre", required=False, choices=HEIGHTS,
                                initial="800")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [
            ("", "Toute la France"),
            *[(d.code, f"{d.code} — {d.name}") for d in Department.objects.order_by("code")]]
        self.found_commune = None

    def clean_commune(self):
        text = self.cleaned_data.get("commune", "").strip()
        if not text:
            return ""
        found = (Commune.objects.select_related("department").filter(insee_code=text).first()
                 if text.isdigit() and len(text) == 5 else None)
        if found is None:
            found, candidates = queries.find_communes(text)
            if found is None:
                if candidates:
                    names = ", ".join(c.label for c in candidates[:5])
                    raise forms.ValidationError(
                        f"Plusieurs communes correspondent ({names}) : précisez le code postal "
                        "ou le code INSEE.")
                raise forms.ValidationError(
                    "Aucune commune ne correspond : vérifiez l'orthographe ou saisissez le "
                    "code postal.")
        self.found_commune = found
        return found.insee_code

    def params(self):
        """The embedded page's query parameters: the valid, non-empty filters only."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in FILTERS}
        values["open_now"] = "on" if values["open_now"] else None
        return {name: value for name, value in values.items() if value not in (None, "")}


def territory_label(form):
    commune, code = form.found_commune, form.cleaned_data.get("departement")
    if commune:
        return f"près de {commune.label}"
    if code:
        department = Department.objects.filter(code=code).first()
        return f"en {department.name}" if department else ""
    return "en France"


@require_GET
def builder(request):
    form = EmbedForm(request.GET or None)
    snippet = src = ""
    height = "800"
    if form.is_bound and form.is_valid():
        height = form.cleaned_data.get("hauteur") or "800"
        src = (settings.SITE_URL.rstrip("/") + reverse("directory:embedded") + "?"
               + urlencode(form.params()))
        title = f"Lieux de médiation numérique {territory_label(form)}"
        # Shown as text in a <textarea>: the HTML to paste, its "&amp;" included.
        snippet = escape(format_html(
            '<iframe src="{}" title="{}" width="100%" height="{}" style="border: 0;" '
            'loading="lazy"></iframe>', src, title, height))
    return render(request, "advisors/directory/embed_builder.html", {
        "form": form, "snippet": snippet, "src": src, "height": height,
        "preview_src": src.replace(settings.SITE_URL.rstrip("/"), "", 1) if src else "",
    })


@require_GET
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embedded(request):
    # Kept here, not by cms.page_cache (whose answers would lose this view's framing
    # headers): per address, under the public records' version, a minute at most ("ouvert
    # maintenant"), the CSP nonce swapped for each answer's own. Each process keeps a copy
    # of what it read (no Redis round trip), never past the shared entry's expiry.
    key = (f"directory:embedded:{public_records.VERSION.current()}:"
           f"{hashlib.sha256(request.get_full_path().encode()).hexdigest()}")
    kept = LOCAL.get(key)
    if kept is None:
        stored = cache.get(key)
        if isinstance(stored, tuple) and len(stored) == 2:
            kept = stored
            LOCAL.put(key, kept, len(kept[0]), kept[1])
    if kept is not None:
        return HttpResponse(kept[0].replace(PLACEHOLDER, str(request.csp_nonce).encode()))
    response = render_embedded(request)
    if response.status_code == 200:
        kept = (response.content.replace(str(request.csp_nonce).encode(), PLACEHOLDER),
                time.time() + SECONDS)
        cache.set(key, kept, SECONDS)
        LOCAL.put(key, kept, len(kept[0]), kept[1])
    return response


EARLY = LocalCopies(max_bytes=8 << 20)


def applies_early(request):
    return True  # every anonymous GET of the framed page (the page cache checks the rest)


def early_lookup(request):
    """The finished answer this process kept for the address, under the version read now
    (kept under that same version by ``early_keep``, never a newer one)."""
    request._embed_key = f"{public_records.VERSION.current()}:{normalized_address(request)}"
    return EARLY.get(request._embed_key)


def early_keep(request, response):
    key = getattr(request, "_embed_key", None)
    if (key is None or response.status_code != 200 or response.streaming or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or getattr(request, "user", None) is None or request.user.is_authenticated):
        return
    expires = time.time() + SECONDS
    kept = kept_answer(request, response, expires)
    EARLY.put(key, kept, kept.size, expires)


def render_embedded(request):
    form = EmbedForm(request.GET)
    valid = form.is_valid()  # a wrong value drops that filter only
    data = form.cleaned_data
    commune = form.found_commune
    origin = queries.origin_of(commune) if commune else None
    now = timezone.now()
    rows = queries.service_points(
        origin=origin, service=data.get("service") or "", access=data.get("access") or "",
        open_now=bool(data.get("open_now")), weekday=data.get("weekday"), now=now)
    if data.get("departement") and origin is None:
        rows = rows.filter(commune__department__code=data["departement"])
    points = paginate(request, rows, per_page=PER_PAGE)
    points.object_list = queries.with_details(points.object_list)
    markers = []
    for point in points:
        distance = getattr(point, "distance_km", None)
        point.distance_text = (f"à {distance:.1f} km".replace(".", ",")
                               if distance is not None else "")
        point.open_now = queries.open_at(point, now)
        if point.coordinates:
            markers.append({"name": point.name, "id": point.pk,
                            "url": reverse("directory:service_point", args=[point.pk]),
                            "lat": point.latitude, "lon": point.longitude,
                            "distance": point.distance_text, "open": point.open_now})
    full_query = {k: v for k, v in (form.params() if valid else {}).items()
                  if k in ("service", "access", "weekday", "open_now", "commune")}
    filters_text = "; ".join(filter(None, [
        dict(PlaceService.choices).get(data.get("service"), ""),
        dict(ServicePoint.Access.choices).get(data.get("access"), ""),
        f"ouvert le {dict(OpeningRange.Weekday.choices)[data['weekday']].lower()}"
        if data.get("weekday") is not None else "",
        "ouvert maintenant" if data.get("open_now") else ""]))
    return render(request, "advisors/directory/embedded.html", {
        "filters_text": filters_text,
        # A wrong filter is dropped alone: the territory still names the page, and an
        # unknown département code is said (the page then shows the whole country).
        "form": form, "points": points, "territory": territory_label(form),
        "unknown_department": request.GET.get("departement", "")[:10]
        if "departement" in form.errors else "",
        "origin": origin,
        "site_url": settings.SITE_URL.rstrip("/"),
        "full_url": reverse("directory:search") + ("?" + urlencode(full_query)
                                                   if full_query else ""),
        "map_data": {"markers": markers,
                     "origin": [origin.latitude, origin.longitude] if origin else None},
    })
