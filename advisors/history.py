"""The history of corrections to the programme's records, in Wagtail's log (``ModelLogEntry``):
who changed which field of a structure, a service point or an advisor's training, when, from
what to what. The "Historique" view of each back-office record lists these entries.

``record_changes`` writes one entry from the values before and after a change; the actions
below say how the history view words them (registered from ``advisors/wagtail_hooks.py``)."""

import datetime

from django.utils.text import capfirst
from wagtail.log_actions import LogFormatter, log

from calendars.dates import long_date

CORRECTED = "advisors.correct"
TRAINING_SUBMITTED = "advisors.training_submit"
TRAINING_VALIDATED = "advisors.training_validate"
TRAINING_REFUSED = "advisors.training_refuse"


def shown(instance, name, value=None):
    """A field's value the way a person reads it in the history ("—" when empty)."""
    field = instance._meta.get_field(name)
    if value is None:
        value = getattr(instance, name)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, datetime.date):
        return long_date(value)
    if value is None or value == "":
        return "—"
    return str(value)


def snapshot(instance, names):
    return {name: getattr(instance, name) for name in names}


def changes_between(instance, before, names):
    """[{field, label, old, new}] of the fields whose value differs from ``before``."""
    changes = []
    for name in names:
        old, new = before.get(name), getattr(instance, name)
        if old == new:
            continue
        label = capfirst(instance._meta.get_field(name).verbose_name)
        changes.append({"field": name, "label": str(label),
                        "old": shown(instance, name, old) if old is not None else "—",
                        "new": shown(instance, name, new) if new is not None else "—"})
    return changes


def record_changes(instance, actor, changes, action=CORRECTED, **extra):
    """One history entry for ``instance`` (nothing when nothing changed and no ``extra``)."""
    if not changes and not extra:
        return None
    return log(instance, action, user=actor, data={"changes": changes, **extra},
               content_changed=bool(changes))


def history_of(instance):
    """The entries of ``instance``, latest first."""
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.for_instance(instance).select_related("user").order_by(
        "-timestamp", "-pk")


def forget_person(emails, advisor=None):
    """Account erasure (``privacy.services.erase_account``): the structures' histories no
    longer show the contact details of a person who was (or became) their contact, and the
    history of their advisor record no longer names them."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import TextField
    from django.db.models.functions import Cast
    from wagtail.models import ModelLogEntry

    from .models import Advisor, Structure

    emails = {email.lower() for email in emails if email}
    if emails:
        entries = ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Structure)).annotate(
            text=Cast("data", TextField()))
        for entry in entries:
            if not any(email in entry.text.lower() for email in emails):
                continue
            for change in (entry.data or {}).get("changes", []):
                if change.get("field", "").startswith("contact_"):
                    change["old"] = change["new"] = ERASED
            ModelLogEntry.objects.filter(pk=entry.pk).update(data=entry.data)
    if advisor is not None:
        advisor.refresh_from_db()  # its anonymised name
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Advisor),
            object_id=str(advisor.pk)).update(label=str(advisor))


ERASED = "(effacé à la suppression d'un compte)"


def describe_changes(data):
    items = [f"{change['label']} : « {change['old']} » → « {change['new']} »"
             for change in (data or {}).get("changes", [])]
    return " ; ".join(items)


class CorrectionFormatter(LogFormatter):
    label = "Correction"

    def format_message(self, log_entry):
        text = describe_changes(log_entry.data)
        return f"Corrigé — {text}" if text else "Corrigé"


class TrainingSubmittedFormatter(LogFormatter):
    label = "Formation déclarée"
    message = "Formation déclarée par le conseiller, à valider par l'ANCT"


class TrainingValidatedFormatter(LogFormatter):
    label = "Formation validée"

    def format_message(self, log_entry):
        text = describe_changes(log_entry.data)
        return f"Formation validée par l'ANCT — {text}" if text else \
            "Formation validée par l'ANCT"


class TrainingRefusedFormatter(LogFormatter):
    label = "Formation refusée"

    def format_message(self, log_entry):
        reason = (log_entry.data or {}).get("reason", "")
        return f"Formation refusée par l'ANCT — motif : {reason}" if reason else \
            "Formation refusée par l'ANCT"


def register_actions(actions):
    """The ``register_log_actions`` hook (``advisors/wagtail_hooks.py``)."""
    actions.register_action(CORRECTED)(CorrectionFormatter)
    actions.register_action(TRAINING_SUBMITTED)(TrainingSubmittedFormatter)
    actions.register_action(TRAINING_VALIDATED)(TrainingValidatedFormatter)
    actions.register_action(TRAINING_REFUSED)(TrainingRefusedFormatter)
