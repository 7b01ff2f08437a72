"""The one way from a view to a rule: ``perform`` validates the view's forms, calls one
service and turns its answer into what the person sees.

- ``NotAllowed`` (the person lacks the right) is a 403 page carrying the service's French
  message;
- ``WorkflowError`` (a rule refused) puts each of its field messages next to the field (the
  form's name for it when the model's differs: ``renamed``), anything else at the top of the
  form; nothing typed is lost;
- done: the success message, and the service's result for the view to redirect with.

The front-end pages use ``perform``; the back office's action views use
``advisors.admin.views.perform``, the same steps with the Wagtail admin's notices."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from ..services import NotAllowed, WorkflowError

FORM_ERRORS = "Le formulaire contient des erreurs : corrigez les champs signalés ci-dessous."


class Outcome:
    """What ``perform`` did: true once the service ran; ``result`` is what it returned."""

    def __init__(self, done, result=None):
        self.done = done
        self.result = result

    def __bool__(self):
        return self.done


def show_refusal(form, error, renamed=None):
    """Puts a ``WorkflowError`` on ``form``: each field's messages next to that field,
    the others (or the refusal's message when it names no field) at the top."""
    placed, others = False, []
    for name, field_messages in (error.errors or {}).items():
        name = (renamed or {}).get(name, name)
        if name in form.fields:
            for message in field_messages:
                form.add_error(name, message)
            placed = True
        else:
            others.extend(field_messages)
    if not placed:
        form.add_error(None, error.message)
    for message in others if placed else ():
        form.add_error(None, message)


class Performer:
    """Runs a service call for a view; subclasses say how notices are shown."""

    def invalid(self, request, form):
        """The forms did not validate (their errors are next to the fields)."""
        messages.error(request, FORM_ERRORS)

    def refused(self, request, error, form):
        """The service refused (``error`` is already on ``form`` when there is one)."""
        if form is None:
            messages.error(request, error.message)
        else:
            messages.error(request, FORM_ERRORS)

    def __call__(self, request, form, call, success, *, also=(), renamed=None):
        """On POST: validates ``form`` (and the ``also`` forms), then runs
        ``call(cleaned_data)``. ``success`` is the message, or a function of the result
        giving it. Returns an ``Outcome``, true once the service ran."""
        if request.method != "POST":
            return Outcome(False)
        forms = [f for f in (form, *also) if f is not None]
        if not all([f.is_valid() for f in forms]):
            self.invalid(request, form)
            return Outcome(False)
        try:
            result = call(form.cleaned_data if form is not None else {})
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error
        except WorkflowError as error:
            if form is not None:
                show_refusal(form, error, renamed)
            self.refused(request, error, form)
            return Outcome(False)
        text = success(result) if callable(success) else success
        if text:
            messages.success(request, text)
        return Outcome(True, result)


perform = Performer()
