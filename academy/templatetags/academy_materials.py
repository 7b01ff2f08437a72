"""The documents and replay of a session, as the person viewing the page may see them."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def session_materials(context, session):
    """{"documents": [...], "replay_url": "..."}: empty for whom the rules of
    ``Session.materials_visible_to`` and ``replay_visible_to`` leave out."""
    request = context.get("request")
    if request is None:  # rendered outside a request (an email): nobody to show them to
        return {"documents": [], "replay_url": ""}
    user = request.user
    documents = list(session.documents.all()) if session.materials_visible_to(user) else []
    replay = session.replay_url if session.replay_visible_to(user) else ""
    return {"documents": documents, "replay_url": replay}
