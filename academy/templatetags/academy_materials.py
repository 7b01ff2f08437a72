"""The documents and replay of a session, as the person viewing the page may see them."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def session_materials(context, session, enrolment=None):
    """{"documents": [...], "replay_url": "..."}: empty for whom the rules of
    ``Session.materials_visible_to`` and ``replay_visible_to`` leave out. ``enrolment``:
    the viewer's own enrolment in the session, when the page has it (read with its
    attendances and the session's documents: "Mon espace" reads nothing per session)."""
    request = context.get("request")
    if request is None:  # rendered outside a request (an email): nobody to show them to
        return {"documents": [], "replay_url": ""}
    user = request.user
    enrolment = enrolment or None  # a template's missing variable is ""
    if enrolment is not None and enrolment.user_id != user.pk:
        enrolment = None
    documents = (list(session.documents.all())
                 if session.materials_visible_to(user, enrolment=enrolment) else [])
    replay = session.replay_url if session.replay_visible_to(user, enrolment=enrolment) else ""
    return {"documents": documents, "replay_url": replay}
