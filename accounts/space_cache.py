""""Mon espace" kept between requests: the body of each person's page is rendered once per
version of theirs and kept in the cache, then served with the request's own CSRF token.

Two versions make the key: the person's own (``bump_people``), renewed by each feature app
whenever something its section shows for that person changes (their enrolments, their
mandates, a session they attend…), and one for everyone (``bump_everyone``), renewed by
changes that may show in anyone's page (a course page published, a group's permissions).
Like ``core.cache_versions``, a version is renewed at once and again when the writing
transaction commits, so that a body rendered meanwhile from the data as it was before the
commit is never read back.

What changes with time alone (a session becoming past, a visio link shown 30 minutes before
the start, an offer's deadline) is told by each section as ``valid_until``: the body is
rendered again from that instant. A section may also ask to be rendered on every request
(``live``) or to fill in some figures on every request (``late``, see ``accounts.spaces``).
"""

import uuid

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils import timezone

from core.cache_versions import VERSION_TIMEOUT, renew_now_and_at_commit, write_versions
from core.kept_answers import code_version

PERSON_KEY = "space:person:{}"
EVERYONE_KEY = "space:everyone"
BODY_KEY = "space:body:{}:{}:{}:{}"
BODY_TIMEOUT = 24 * 3600
# Rendered in place of the CSRF token in the kept body, replaced by the request's own.
CSRF_PLACEHOLDER = "space-csrf-token-to-fill-in"


def _new():
    return uuid.uuid4().hex


def _renew(user_ids):
    write_versions({PERSON_KEY.format(pk): _new() for pk in user_ids})


def bump_people(user_ids):
    """What "Mon espace" shows these people changed: their kept bodies are left unused."""
    ids = {int(pk) for pk in user_ids if pk is not None}
    if not ids:
        return
    renew_now_and_at_commit(lambda: _renew(ids))


def bump_person(user_id):
    bump_people([user_id])


def _renew_everyone():
    write_versions({EVERYONE_KEY: _new()})


def bump_everyone(**_signal_arguments):
    """A change that may show in anyone's "Mon espace" (usable as a signal receiver)."""
    renew_now_and_at_commit(_renew_everyone)


def versions(user_id):
    """(person's version, everyone's version), or None when the cache does not answer."""
    keys = [PERSON_KEY.format(user_id), EVERYONE_KEY]
    found = cache.get_many(keys)
    if len(found) < len(keys):
        for key in keys:
            if key not in found:
                cache.add(key, _new(), VERSION_TIMEOUT)
        found = cache.get_many(keys)
        if len(found) < len(keys):
            return None
    return found[keys[0]], found[keys[1]]


def body_key(user_id, current):
    return BODY_KEY.format(code_version(), user_id, *current)


def kept_body(user_id, current):
    """The kept body (a dict, see ``accounts.spaces.build_body``) if still valid, else None."""
    if current is None:
        return None
    body = cache.get(body_key(user_id, current))
    if body is None:
        return None
    valid_until = body.get("valid_until")
    if valid_until is not None and timezone.now() >= valid_until:
        return None
    return body


def keep_body(user_id, current, body):
    if current is None:
        return
    timeout = BODY_TIMEOUT
    valid_until = body.get("valid_until")
    if valid_until is not None:
        seconds = (valid_until - timezone.now()).total_seconds()
        if seconds <= 0:
            return
        timeout = min(timeout, int(seconds) + 1)
    cache.set(body_key(user_id, current), body, timeout)


def fill_in_csrf(request, html):
    """The request's own CSRF token in place of the placeholder (and the cookie sent)."""
    if CSRF_PLACEHOLDER not in html:
        return html
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


# --- what accounts itself shows: name, address, roles, two-factor authentication ------------
def _user_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every login: nothing "Mon espace" shows
    bump_person(instance.pk)


def _user_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``User.groups`` and ``User.user_permissions``, changed from either side."""
    if not action.startswith("post_"):
        if action == "pre_clear" and reverse:
            # group.user_set.clear(): the members are only known before.
            instance._space_cleared = list(instance.user_set.values_list("pk", flat=True))
        return
    if not reverse:
        bump_person(instance.pk)
    elif action == "post_clear":
        bump_people(getattr(instance, "_space_cleared", []))
    else:
        bump_people(pk_set or [])


def _authenticator_changed(sender, instance, **kwargs):
    bump_person(instance.user_id)


def _preference_changed(sender, instance, **kwargs):
    # "Mes notifications par courriel" shows the choices (kept whole per person).
    bump_person(instance.user_id)


def _user_deleted(sender, instance, **kwargs):
    # Their login sessions outlive them in the table: no page kept for them is served.
    bump_person(instance.pk)


def person_keys(user_id):
    """The versions every page kept for a person depends on (``core.personal_pages``):
    theirs (their flags, groups, authenticators) and everyone's (a group renamed, deleted
    or given other permissions: roles are groups' names)."""
    return [PERSON_KEY.format(user_id), EVERYONE_KEY]


def connect():
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import NoticePreference, User

    post_save.connect(_user_saved, sender=User, dispatch_uid="space-user")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="space-user-deleted")
    for signal in (post_save, post_delete):
        signal.connect(_preference_changed, sender=NoticePreference,
                       dispatch_uid=f"space-notice-preference-{signal}")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(_user_m2m_changed, sender=through,
                            dispatch_uid=f"space-user-{through._meta.label}")
    # A group's permissions (who sees the sessions' documents), a group or a permission
    # deleted: anyone's page may read differently.
    m2m_changed.connect(bump_everyone, sender=Group.permissions.through,
                        dispatch_uid="space-group-permissions")
    for model in (Group, Permission):
        post_delete.connect(bump_everyone, sender=model,
                            dispatch_uid=f"space-deleted-{model._meta.label}")
    # A role is a group's name: a group renamed changes who holds which role.
    post_save.connect(bump_everyone, sender=Group, dispatch_uid="space-group-saved")
    for signal in (post_save, post_delete):
        signal.connect(_authenticator_changed, sender=Authenticator,
                       dispatch_uid=f"space-authenticator-{signal}")
