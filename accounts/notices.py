"""Optional notices (reminders, digests) and each person's choice to receive them.

accounts knows no feature: a feature app declares its optional notices here in its
``AppConfig.ready`` (``register(OptionalNotice(...))``), with the test of who receives
them. "Mon espace" › "Mes notifications par courriel" (``accounts.preferences``) lists the
ones that concern the person; ``NoticePreference`` keeps the choices (no row: sent).
Notices of a decision on the person's files are not optional and are not registered."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from .models import NoticePreference, SentNotice


@dataclass(frozen=True)
class OptionalNotice:
    kind: str  # stored in NoticePreference.kind: never rename one
    label: str  # "Fin de convention"
    description: str  # when and why it is sent, in French
    applies_to: Callable  # (user) -> bool: does this person receive it at all
    order: int = 100


_notices: dict[str, OptionalNotice] = {}


def register(notice: OptionalNotice):
    _notices[notice.kind] = notice


_version_keys = []


def depends_on(keys_of_user):
    """``keys_of_user(user_id)``: the cache versions a feature app renews when who receives
    its notices changes (a préfet's assignment, a structure's managers): the preferences
    page is kept whole (``core.personal_pages``) while they, and the person's, hold."""
    if keys_of_user not in _version_keys:
        _version_keys.append(keys_of_user)


def version_keys(user_id) -> list[str]:
    return [key for keys_of_user in _version_keys for key in keys_of_user(user_id)]


def registered() -> list[OptionalNotice]:
    return sorted(_notices.values(), key=lambda notice: (notice.order, notice.kind))


def for_user(user) -> list[OptionalNotice]:
    """The optional notices this person may receive (their role concerns them)."""
    if user is None or not user.is_authenticated:
        return []
    return [notice for notice in registered() if notice.applies_to(user)]


def turned_off(kind) -> set[int]:
    """Ids of the people who turned this kind of notice off (one query for a whole run)."""
    return set(NoticePreference.objects.filter(kind=kind, enabled=False)
               .values_list("user_id", flat=True))


def wants(user, kind) -> bool:
    return not NoticePreference.objects.filter(user=user, kind=kind, enabled=False).exists()


def choices_of(user) -> dict[str, bool]:
    """{kind: received} for the notices that concern this person."""
    off = set(NoticePreference.objects.filter(user=user, enabled=False)
              .values_list("kind", flat=True))
    return {notice.kind: notice.kind not in off for notice in for_user(user)}


def save_choices(user, choices: dict[str, bool]):
    """Records the person's choices; kinds that do not concern them are ignored."""
    allowed = {notice.kind for notice in for_user(user)}
    with transaction.atomic():
        for kind, enabled in choices.items():
            if kind in allowed:
                NoticePreference.objects.update_or_create(
                    user=user, kind=kind, defaults={"enabled": bool(enabled)})


def send_once(kind, key, user, send) -> bool:
    """Calls ``send()`` (which queues the email in the outbox) unless a notice of this kind
    and key was sent already; the record and the email commit together. True if sent."""
    if SentNotice.objects.filter(kind=kind, key=key).exists():
        return False
    try:
        with transaction.atomic():
            SentNotice.objects.create(kind=kind, key=key, user=user)
            send()
    except IntegrityError:  # the same notice claimed by a concurrent run
        return False
    return True
