"""The programme's landing page for signed-in people, and their "Mon espace" section: links
to the pages of each of their roles."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from .. import permissions
from ..models import Structure
from .common import own_advisor


def links_for(user):
    """[(label, url, description)] of the pages this person can use."""
    if not user.is_authenticated:
        return []
    links = []
    scope = permissions.scope_of(user)
    manages = Structure.objects.filter(managers=user).exists()
    if manages:
        links.append(("Ma structure", reverse("advisors:my_structures"),
                      "Candidatures, postes, conventions, contrats et conseillers."))
    if scope.is_prefect or scope.is_admin:
        links.append(("Candidatures de mon territoire",
                      reverse("advisors:prefect_applications"),
                      "Les candidatures des structures et vos avis."))
    advisor = own_advisor(user)
    if advisor is not None:
        links += [
            ("Saisir un accompagnement", reverse("advisors:report_create"),
             "Un compte rendu d'activité en quelques secondes."),
            ("Mes comptes rendus", reverse("advisors:reports"),
             "Vos accompagnements récents."),
            ("Mes bénéficiaires", reverse("advisors:beneficiaries"),
             "Les personnes que vous suivez d'un accompagnement à l'autre."),
            ("Ma formation", reverse("advisors:training"),
             "Formation initiale, certification et formations de l'Académie suivies."),
        ]
        if advisor.is_coordinator:
            links.append(("Les conseillers que je coordonne", reverse("advisors:coordination"),
                          "Leur activité récente, en lecture seule."))
    if advisor is not None or manages:
        links.append(("Mes lieux d'activité", reverse("advisors:places"),
                      "Adresses, horaires, fermetures et calendrier."))
    return links


@login_required
def home(request):
    return render(request, "advisors/home.html", {"links": links_for(request.user)})
