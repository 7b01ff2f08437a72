"""What a personal feed lists, contributed by feature apps so calendars imports none.

A feature app registers a ``PersonalSource`` in its ``AppConfig.ready``: ``stamp(user)``
answers cheaply with ``(fingerprint, latest change)`` — typically a count, the greatest id
and the latest ``updated_at`` from one aggregate query — so that unchanged feeds get a 304
without being built; ``events(user)`` gives the plain events.

A source whose app renews the person's "Mon espace" version (``accounts.space_cache``) on
every change to what it lists may say ``kept_per_person``: its stamp is then read once per
version of the person's, not on every poll. ``concerns(user)``, when given, tells cheaply
whether the source may list anything for the person at all; its answer is kept the same
way, so the app must renew the person's version whenever that answer may change."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .events import Event


@dataclass(frozen=True)
class PersonalSource:
    name: str
    stamp: Callable[[object], tuple[tuple, datetime | None]]
    events: Callable[[object], list[Event]]
    kept_per_person: bool = False
    concerns: Callable[[object], bool] | None = None


_sources: dict[str, PersonalSource] = {}


def register(source: PersonalSource) -> None:
    _sources[source.name] = source


def sources() -> list[PersonalSource]:
    return list(_sources.values())
