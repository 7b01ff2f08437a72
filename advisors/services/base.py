"""What every service shares: the refusal exceptions, validation, rights and row locks."""

from django.core.exceptions import ValidationError

from .. import permissions


class WorkflowError(Exception):
    """A rule refused the action. The message is French and shown to the person as is;
    ``errors`` maps field names to messages when the refusal comes from validation."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotAllowed(WorkflowError):
    """The acting person lacks the right (a view answers 403)."""


def validate(instance, **kwargs):
    """``full_clean`` whose refusal is a WorkflowError listing every message."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {
            "__all__": error.messages}
        text = " ".join(message for messages in errors.values() for message in messages)
        raise WorkflowError(text, errors) from error


def require_admin(actor, message="Cette action est réservée à l'ANCT."):
    if not permissions.is_anct_admin(actor):
        raise NotAllowed(message)


def require_editable(actor, obj, message):
    """The actor may change ``obj`` (its QuerySet's ``editable_by``)."""
    if not permissions.can_edit(actor, obj):
        raise NotAllowed(message)


def locked(model, pk):
    """The row, locked until the transaction ends (SELECT … FOR UPDATE on PostgreSQL)."""
    return model.objects.select_for_update().get(pk=pk)


def required_text(value, message):
    text = (value or "").strip()
    if not text:
        raise WorkflowError(message)
    return text
