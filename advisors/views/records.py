"""Correcting one's own records on the front end: a structure's managers change its address
and contacts (``/structures/<pk>/coordonnees/``), an advisor declares their training for
ANCT to validate (``/ma-formation/declarer/``). The services keep each change in the
record's history."""

import copy

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from .. import permissions
from ..forms.records import StructureContactsForm, TrainingRecordForm
from ..models import Structure
from ..models.training import TRAINING_FIELDS
from ..services import records
from .calls import perform
from .common import action_page, own_advisor


@login_required
def structure_contacts(request, pk):
    structure = get_object_or_404(
        Structure.objects.visible_to(request.user).select_related("commune"), pk=pk)
    if not permissions.can_edit(request.user, structure):
        raise PermissionDenied(records.NOT_MANAGER)
    # The form works on a copy: the page's title keeps the saved name and address.
    form = StructureContactsForm(request.POST or None, instance=copy.copy(structure))
    back = reverse("advisors:structure", args=[structure.pk])
    if perform(request, form,
               lambda data: records.correct_structure(structure, request.user, data),
               "Coordonnées de la structure enregistrées."):
        return redirect(back)
    return action_page(
        request, form, title="Modifier les coordonnées", submit="Enregistrer", back=back,
        lead=f"{structure.name}, {structure.commune.label}. Ces coordonnées servent à "
             "l'ANCT et à la préfecture pour vous joindre ; chaque modification est "
             "conservée dans l'historique de la structure.")


@login_required
def training_declare(request):
    advisor = own_advisor(request.user)
    if advisor is None:
        raise Http404
    pending = advisor.training_records.pending().first()
    initial = pending.values if pending else {
        name: getattr(advisor, name) for name in TRAINING_FIELDS}
    form = TrainingRecordForm(request.POST or None, initial=initial)
    back = reverse("advisors:training")
    if perform(request, form, lambda data: records.submit_training(request.user, data),
               "Votre formation est transmise à l'ANCT, qui la validera."):
        return redirect(back)
    return action_page(
        request, form, title="Déclarer ma formation", submit="Transmettre à l'ANCT",
        back=back,
        lead="Indiquez les dates et les heures de votre formation initiale, votre niveau Pix "
             "et le CCP1 si vous l'avez obtenu. L'ANCT vérifie votre déclaration avant "
             "qu'elle figure dans votre dossier." + (
                 " Une déclaration attend déjà sa validation : celle-ci la remplacera."
                 if pending else ""))
