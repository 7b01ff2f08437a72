"""Coordinator posts in the back office: ANCT changes what a post covers (a list of
advisors by email, a département or a région); the request's inspect view links here."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from .. import services
from ..forms.applications import CoordinationScopeForm
from ..models import Application
from .views import _require_admin, perform


def edit_coordination_scope(request, pk):
    _require_admin(request)
    application = get_object_or_404(
        Application.objects.visible_to(request.user).coordinator_posts()
        .select_related("structure"), pk=pk)
    inspect_url = reverse("advisors_applications:inspect", args=[application.pk])
    initial = {
        "coordination_scope": application.coordination_scope,
        "coordinated_department": application.coordinated_department_id,
        "coordinated_region": application.coordinated_region_id,
        "advisor_emails": "\n".join(application.coordinated_advisors.order_by("email")
                                    .values_list("email", flat=True)),
    }
    form = CoordinationScopeForm(request.POST or None, initial=initial)
    if perform(request, form,
               lambda data: services.set_coordination_scope(application, request.user,
                                                            **form.scope_data()),
               lambda result: f"Périmètre de coordination enregistré — "
                              f"{result.coordination_label()}."):
        return redirect(inspect_url)
    return render(request, "advisors/admin/coordination_scope.html", {
        "application": application, "form": form, "inspect_url": inspect_url,
        "page_title": "Périmètre de coordination", "header_icon": "group",
        "page_subtitle": str(application.structure),
        "breadcrumbs_items": [
            {"url": reverse("advisors_applications:index"), "label": "Candidatures"},
            {"url": inspect_url, "label": str(application)},
            {"url": "", "label": "Périmètre de coordination"},
        ],
    })
