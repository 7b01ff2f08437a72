"""Structure managers (and préfets, ANCT): "Ma structure", a structure's posts, applications,
conventions, contracts and advisors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .. import fragments, permissions
from ..models import Advisor, Contract, Convention, Structure
from .common import paginate


@login_required
def my_structures(request):
    """"Ma structure": the one structure the person manages, or the list of them."""
    structures = Structure.objects.editable_by(request.user).select_related("commune")
    if request.GET.get("page") is None and structures.count() == 1:
        return redirect("advisors:structure", structures.get().pk)
    return render(request, "advisors/my_structures.html",
                  {"structures": paginate(request, structures)})


@login_required
def structure_detail(request, pk):
    """A structure's page: who may open it is checked here on every request; what it shows
    (posts, applications, conventions, contracts, advisors) is rendered once per version of
    the structure, reader and day (``advisors.fragments``), and the whole page for the
    session under the same versions."""
    fragments.depend(request, f"structure:{int(pk)}")
    structure = get_object_or_404(Structure.objects.visible_to(request.user).only("pk", "name"),
                                  pk=pk)
    body = fragments.kept("structure", request.user, [f"structure:{structure.pk}"],
                          sorted(request.GET.lists()),
                          lambda: _structure_body(request, structure.pk))
    return render(request, "advisors/structure.html", {
        "structure": structure, "body": mark_safe(body)})  # noqa: S308 (our own template)


def _structure_body(request, pk):
    structure = (Structure.objects.with_posts().select_related("commune__department")
                 .get(pk=pk))
    contracts = (Contract.objects.visible_to(request.user).filter(structure=structure)
                 .select_related("advisor").prefetch_related("extensions"))
    can_edit = permissions.can_edit(request.user, structure)
    conventions = paginate(request, structure.conventions.with_renewed().order_by(
        "-start", "-pk"), "conventions", 10)
    validated = structure.applications.validated().exists()
    return render_to_string("advisors/includes/structure_body.html", {
        "structure": structure,
        # granted = in post (validated contracts) + awaiting validation + vacant, never < 0
        "in_post": structure.occupied_posts - structure.pending_posts,
        "vacant": max(structure.vacant_posts, 0),
        "can_edit": can_edit,
        "applications": paginate(request, structure.applications.all(), "candidatures", 10),
        "conventions": conventions,
        "can_start_convention": can_edit and Convention.may_start_for(structure),
        "contracts": paginate(request, contracts, "contrats", 20),
        "advisors": paginate(request, Advisor.objects.employed_by(structure), "conseillers",
                             20),
        "can_recruit": validated,
        "can_request_coordinator": can_edit and not (
            structure.applications.coordinator_posts().open().exists()),
    }, request=request)
