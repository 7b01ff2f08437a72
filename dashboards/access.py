"""Who opens which dashboard:

- national: ANCT administrators;
- région / département: ANCT administrators, and the préfet of that territory (a regional
  préfet also opens the départements of their région);
- structure: its managers, the préfet of its territory, ANCT administrators.

Anyone else gets a 403 (anonymous visitors are sent to the login page).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from advisors import permissions
from advisors.models import Structure
from territories.models import Department, Region

from .indicators import Territory

FORBIDDEN = "Ce tableau de bord ne vous est pas accessible."


# --- access -----------------------------------------------------------------------------------
def territory_of(request, level, code=None) -> Territory:
    """The territory asked for, or PermissionDenied when the user may not see it."""
    scope = permissions.scope_of(request.user)
    if level == "national":
        if not scope.is_admin:
            raise PermissionDenied(FORBIDDEN)
        return Territory("national")
    if level == "region":
        region = get_object_or_404(Region, code=code)
        if not (scope.is_admin or scope.region_id == region.pk):
            raise PermissionDenied(FORBIDDEN)
        return Territory("region", region)
    if level == "department":
        department = get_object_or_404(Department.objects.select_related("region"), code=code)
        if not (scope.is_admin or scope.department_id == department.pk
                or scope.region_id == department.region_id):
            raise PermissionDenied(FORBIDDEN)
        return Territory("department", department)
    if level == "structure":
        try:
            pk = int(code)
        except (TypeError, ValueError):
            raise Http404 from None
        structure = get_object_or_404(
            Structure.objects.select_related("commune__department__region"), pk=pk)
        allowed = scope.restrict(Structure.objects.filter(pk=pk), scope.structures(""))
        if not allowed.exists():
            raise PermissionDenied(FORBIDDEN)
        return Territory("structure", structure)
    raise Http404


def url_of(level, territory):
    if level == "national":
        return reverse("dashboards:national")
    if level == "structure":
        return reverse("dashboards:structure", args=[territory.obj.pk])
    return reverse(f"dashboards:{level}", args=[territory.obj.code])


def code_of(level, territory):
    if level == "national":
        return "france"
    if level == "structure":
        return str(territory.obj.pk)
    return territory.obj.code
