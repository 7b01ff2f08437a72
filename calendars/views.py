from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import space_cache
from core import personal_pages

from . import registry
from .events import Feed
from .http import calendar_response
from .models import CalendarToken


@require_GET
def personal_feed(request, token):
    """The person's confirmed sessions (and, for an advisor, service points). The URL's
    token is the only key: no login, so calendar applications can subscribe."""
    row = get_object_or_404(CalendarToken.objects.select_related("user"), token=token)
    owner = row.user
    if not owner.is_active:
        raise Http404
    # The whole answer may be kept for this address (core.personal_pages) while the
    # owner's versions hold: read now, then the token and the account confirmed (a link
    # renewed or an account closed meanwhile is refused here rather than kept).
    personal_pages.depend_on_address(request, *space_cache.person_keys(owner.pk))
    if not CalendarToken.objects.filter(pk=row.pk, token=token,
                                        user__is_active=True).exists():
        raise Http404
    sources = registry.sources()
    stamps = _stamps(sources, owner)
    if any(not source.kept_per_person and stamp[1:] != NOT_CONCERNED
           for source, stamp in zip(sources, stamps, strict=True)):
        personal_pages.never(request)  # a source read on every request (an advisor's places)
    changes = [latest for _, _, latest in stamps if latest]
    today = timezone.localdate()  # weekly events' holidays look a year ahead from today

    def build():
        events = [event for source, stamp in zip(sources, stamps, strict=True)
                  if stamp[1:] != NOT_CONCERNED for event in source.events(owner)]
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


NOT_CONCERNED = ((), None)


def _stamps(sources, owner):
    """Each source's (fingerprint, latest change). What may be kept per version of the
    person's (``accounts.space_cache``) is: the stamps of ``kept_per_person`` sources, and
    the answer of ``concerns`` (a source that lists nothing for the person has no stamp
    to read)."""
    current = space_cache.versions(owner.pk)
    key = f"calendars:stamps:{owner.pk}:{current[0]}:{current[1]}" if current else None
    kept = (cache.get(key) if key else None) or {}
    missing = {}
    stamps = []
    for source in sources:
        concerned = f"concerns:{source.name}"
        if source.concerns is not None:
            if concerned not in kept:
                missing[concerned] = kept[concerned] = bool(source.concerns(owner))
            if not kept[concerned]:
                stamps.append((source.name, *NOT_CONCERNED))
                continue
        if source.kept_per_person:
            if source.name not in kept:
                missing[source.name] = kept[source.name] = source.stamp(owner)
            stamp = kept[source.name]
        else:
            stamp = source.stamp(owner)
        stamps.append((source.name, *stamp))
    if key and missing:
        cache.set(key, kept, space_cache.BODY_TIMEOUT)
    return stamps


@login_required
@require_POST
def reset_token(request):
    CalendarToken.objects.for_user(request.user).reset()
    messages.success(request, "Le lien de votre agenda a été renouvelé : l'ancien lien ne "
                              "fonctionne plus. Abonnez-vous de nouveau avec le nouveau lien.")
    return redirect("/espace/#mon-agenda")
