from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from . import registry
from .events import Feed
from .http import calendar_response
from .models import CalendarToken


@require_GET
def personal_feed(request, token):
    """The person's confirmed sessions (and, for an advisor, service points). The URL's
    token is the only key: no login, so calendar applications can subscribe."""
    owner = get_object_or_404(CalendarToken.objects.select_related("user"), token=token).user
    if not owner.is_active:
        raise Http404
    sources = registry.sources()
    stamps = [(source.name, *source.stamp(owner)) for source in sources]
    changes = [latest for _, _, latest in stamps if latest]
    today = timezone.localdate()  # weekly events' holidays look a year ahead from today

    def build():
        events = [event for source in sources for event in source.events(owner)]
        return Feed(
            name="Mon agenda — ANCT",
            description=("Vos formations de l'Académie des territoires et vos permanences, "
                         "mises à jour automatiquement."),
            events=events,
        )

    return calendar_response(
        request, fingerprint=(token, today, *stamps),
        last_modified=max(changes, default=None),
        build=build, filename="mon-agenda.ics", private=True,
    )


@login_required
@require_POST
def reset_token(request):
    CalendarToken.objects.for_user(request.user).reset()
    messages.success(request, "Le lien de votre agenda a été renouvelé : l'ancien lien ne "
                              "fonctionne plus. Abonnez-vous de nouveau avec le nouveau lien.")
    return redirect("/espace/#mon-agenda")
