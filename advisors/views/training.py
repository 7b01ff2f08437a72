"""An advisor's own training record: initial training and Académie sessions attended."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from .common import own_advisor


@login_required
def my_training(request):
    advisor = own_advisor(request.user)
    if advisor is None:
        raise Http404
    return render(request, "advisors/training.html", {
        "advisor": advisor, "trainings": list(advisor.academy_trainings()),
        # The latest declaration and its status ("À valider", "Validée", "Refusée").
        "declaration": advisor.training_records.first(),
    })
