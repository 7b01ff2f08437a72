"""Advisors (and structure managers): "Mes lieux d'activité" — service points, their weekly
hours and exceptional closures."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import services
from ..forms import ClosureForm, OpeningHoursForm, ServicePointForm
from ..models import Closure, Contract, ServicePoint, Structure
from .calls import perform
from .common import own_advisor, paginate


def _structures_for(user):
    """Structures the person may create a service point for: those they manage, and those
    employing them as an advisor."""
    allowed = Structure.objects.editable_by(user)
    advisor = own_advisor(user)
    if advisor is not None:
        employing = Contract.objects.filter(advisor=advisor).holding_posts().values(
            "structure_id")
        allowed = allowed | Structure.objects.filter(pk__in=employing)
    return list(allowed.distinct().order_by("name"))


def _editable(user):
    return ServicePoint.objects.editable_by(user)


@login_required
def place_list(request):
    places = (_editable(request.user).select_related("commune", "structure")
              .prefetch_related("opening_ranges").with_public_state().order_by("name", "pk"))
    return render(request, "advisors/places.html", {
        "places": paginate(request, places),
        "can_create": bool(_structures_for(request.user)),
    })


@login_required
def place_create(request):
    structures = _structures_for(request.user)
    if not structures:
        raise PermissionDenied("Seuls les conseillers recrutés et les gestionnaires de "
                               "structure déclarent des lieux d'activité.")
    form = ServicePointForm(request.POST or None, structures=structures,
                            initial={"access": ServicePoint.Access.FREE, "is_public": True})
    hours = OpeningHoursForm(request.POST or None)
    done = perform(request, form,
                   lambda data: services.create_service_point(
                       form.chosen_structure(), request.user, form.data_for_service(),
                       opening_ranges=hours.ranges),
                   lambda place: (f"Le lieu « {place.name} » est enregistré. Vous pouvez y "
                                  "ajouter des fermetures exceptionnelles."), also=[hours])
    if done:
        return redirect("advisors:place", done.result.pk)
    return render(request, "advisors/place_form.html", {"form": form, "hours": hours,
                                                        "tiles": settings.DIRECTORY_TILE_URL})


def _place_page(request, place, form=None, hours=None, closure_form=None):
    closures = place.closures.filter(end__gte=timezone.localdate()).order_by("start", "pk")
    return render(request, "advisors/place_form.html", {
        "place": place,
        "form": form or ServicePointForm(initial=ServicePointForm.initial_from(place),
                                         structures=[place.structure]),
        "hours": hours or OpeningHoursForm(
            initial=OpeningHoursForm.initial_from(place.opening_ranges.all())),
        "closure_form": closure_form or ClosureForm(),
        "closures": paginate(request, closures, "fermetures", 10),
        "tiles": settings.DIRECTORY_TILE_URL,
    })


@login_required
def place_edit(request, pk):
    place = get_object_or_404(_editable(request.user).select_related("structure", "commune"),
                              pk=pk)
    if request.method != "POST":
        return _place_page(request, place)
    form = ServicePointForm(request.POST, structures=[place.structure])
    hours = OpeningHoursForm(request.POST)

    @transaction.atomic
    def update(data):
        services.update_service_point(place, request.user, form.data_for_service())
        services.set_opening_hours(place, hours.ranges, request.user)

    if perform(request, form, update, lambda _: f"Le lieu « {place.name} » est mis à jour.",
               also=[hours]):
        return redirect("advisors:place", place.pk)
    place.refresh_from_db()
    return _place_page(request, place, form=form, hours=hours)


@login_required
@require_POST
def closure_add(request, pk):
    place = get_object_or_404(_editable(request.user).select_related("structure", "commune"),
                              pk=pk)
    form = ClosureForm(request.POST)
    if perform(request, form,
               lambda data: services.add_closure(place, request.user, **data),
               lambda closure: f"Fermeture enregistrée : {str(closure).lower()}."):
        return redirect(reverse("advisors:place", args=[place.pk]) + "#fermetures")
    return _place_page(request, place, closure_form=form)


@login_required
@require_POST
def closure_remove(request, pk):
    closure = get_object_or_404(
        Closure.objects.filter(service_point__in=_editable(request.user).values("pk")), pk=pk)
    perform(request, None, lambda data: services.remove_closure(closure, request.user),
            "La fermeture est supprimée.")
    return redirect(reverse("advisors:place", args=[closure.service_point_id]) + "#fermetures")
