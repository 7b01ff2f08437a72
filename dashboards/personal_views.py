"""The personal statistics pages and their exports (``personal.py``): "Mes statistiques"
(``/tableau-de-bord/mes-statistiques/``), "Statistiques de mon équipe" (``mon-equipe/``)
and "Statistiques de ma structure" (``ma-structure/<id>/``). A wrong filter is a French
message next to its field, with a 400; someone without such figures gets a 403."""

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.exports import export_response

from . import personal
from .cache import cached
from .exports import PERSONAL_TABLES
from .whole_pages import keep_whole_page


def _page(request, subject, base_url, export_name, export_args=()):
    form, filters = personal.filters_of(request.GET)
    context = {"subject": subject, "form": form, "base_url": base_url,
               "structures": (list(personal.managed_structures(request.user))
                              if subject.kind == "structure" else [])}
    if filters is None:
        return render(request, "dashboards/personal_statistics.html",
                      {**context, "filter_error": True}, status=400)
    # The filters and figures are a function of the subject and the filters only: rendered
    # once, then read back until a report, an advisor, a place or a structure changes
    # (dashboards.cache versions). The team's members are part of the key.
    parts = ("personal", subject.slug, _members_key(subject), filters.first, filters.last,
             filters.kind or "-", filters.theme or "-", timezone.localdate())
    body = cached(parts, lambda: _render_body(form, subject, filters, base_url, export_name,
                                              export_args), with_activity=True)
    return render(request, "dashboards/personal_statistics.html",
                  {**context, "body": mark_safe(body)})  # noqa: S308 (our own templates)


def _members_key(subject):
    pks = ",".join(str(pk) for pk, _name in subject.members)
    return hashlib.sha256(pks.encode()).hexdigest()[:16] if pks else "-"


def _render_body(form, subject, filters, base_url, export_name, export_args):
    query = filters.query()
    return render_to_string("dashboards/includes/personal_body.html", {
        "form": form, "subject": subject, "filters": filters, "base_url": base_url,
        "presets": personal.presets(filters),
        "figures": personal.figures(subject, filters),
        "exports": [(label, reverse(export_name, args=[*export_args, fmt]) + f"?{query}")
                    for label, fmt in (("CSV", "csv"), ("XLSX", "xlsx"))],
    })


def _export(request, subject_kind, fmt, **params):
    export_class = PERSONAL_TABLES[subject_kind]
    if fmt not in export_class.formats:
        raise Http404
    form, filters = personal.filters_of(request.GET)
    if filters is None:
        return HttpResponseBadRequest(f"Filtres incorrects : {form.error_text()}".encode(),
                                      content_type="text/plain; charset=utf-8")
    return export_response(request, export_class, fmt, filters=filters, **params)


@login_required
def my_statistics(request):
    keep_whole_page(request)
    subject = personal.advisor_subject(request.user)
    if subject is None:
        raise PermissionDenied(personal.FORBIDDEN_ADVISOR)
    return _page(request, subject, reverse("dashboards:my_statistics"),
                 "dashboards:my_statistics_export")


@login_required
def my_statistics_export(request, fmt):
    if personal.advisor_subject(request.user) is None:
        raise PermissionDenied(personal.FORBIDDEN_ADVISOR)
    return _export(request, "advisor", fmt)


@login_required
def team_statistics(request):
    keep_whole_page(request)
    subject = personal.team_subject(request.user)
    if subject is None:
        raise PermissionDenied(personal.FORBIDDEN_TEAM)
    return _page(request, subject, reverse("dashboards:team_statistics"),
                 "dashboards:team_statistics_export")


@login_required
def team_statistics_export(request, fmt):
    if personal.team_subject(request.user) is None:
        raise PermissionDenied(personal.FORBIDDEN_TEAM)
    return _export(request, "team", fmt)


@login_required
def structure_statistics(request, pk):
    keep_whole_page(request)
    subject = personal.structure_subject(request.user, pk)
    if subject is None:
        raise PermissionDenied(personal.FORBIDDEN_STRUCTURE)
    return _page(request, subject, reverse("dashboards:structure_statistics", args=[pk]),
                 "dashboards:structure_statistics_export", [pk])


@login_required
def structure_statistics_export(request, pk, fmt):
    if personal.structure_subject(request.user, pk) is None:
        raise PermissionDenied(personal.FORBIDDEN_STRUCTURE)
    return _export(request, "structure", fmt, structure=pk)


def space_links(user):
    """[(label, url, description)] of the statistics pages this person opens (the "Mon
    espace" section, ``DashboardsConfig.ready``)."""
    links = []
    advisor = personal.own_advisor(user)
    if advisor is not None:
        links.append(("Mes statistiques", reverse("dashboards:my_statistics"),
                      "Vos accompagnements par mois, type, thème, canal, lieu et public."))
    # Only an advisor coordinates (the team is read only for them: "Mon espace" stays cheap).
    if advisor is not None and (advisor.is_coordinator or personal.team_members(user)):
        links.append(("Statistiques de mon équipe", reverse("dashboards:team_statistics"),
                      "L'activité des conseillers que vous coordonnez."))
    for structure in personal.managed_structures(user).only("pk", "name")[:10]:
        links.append((f"Statistiques de ma structure : {structure.name}",
                      reverse("dashboards:structure_statistics", args=[structure.pk]),
                      "L'activité des conseillers de la structure."))
    return links


def space_section(request):
    if not request.user.is_authenticated:
        return None
    links = space_links(request.user)
    # Never kept in "Mon espace" (a team follows contracts): see advisors.space_cache.
    return {"links": links, "live": True} if links else None
