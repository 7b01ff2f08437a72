"""The préfet's opinion, given on the page of what it is about (an application, an
amendment adding posts): the form shows only to the préfet it waits for
(``awaits_opinion_of``, the models' one rule)."""

from django.core.exceptions import PermissionDenied

from .. import services
from ..forms import OpinionForm
from ..models import Application, PrefectOpinion
from .calls import perform


def opinion_on(request, subject):
    """(the opinion form or None, whether it was just given, the opinion this person may
    see). ``subject`` is an Application or an Amendment."""
    this, the = (("cette candidature", "la candidature") if isinstance(subject, Application)
                 else ("cet avenant", "l'avenant"))
    form = (OpinionForm(request.POST or None) if subject.awaits_opinion_of(request.user)
            else None)
    if request.method == "POST" and form is None:
        raise PermissionDenied(f"Vous ne pouvez pas donner d'avis sur {this}.")
    done = perform(request, form,
                   lambda data: services.give_opinion(subject, request.user, data["verdict"],
                                                      data["comment"]),
                   f"Votre avis sur {the} de « {subject.structure.name} » est enregistré.")
    target = "application" if isinstance(subject, Application) else "amendment"
    opinion = PrefectOpinion.objects.visible_to(request.user).filter(
        **{target: subject}).select_related("author").first()
    return form, bool(done), opinion
