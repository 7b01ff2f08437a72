"""The "Mon espace" section of the advisors programme: links to the pages of the person's
roles (structure manager, préfet, advisor, coordinator). Registered from
``AdvisorsConfig.ready`` with ``accounts.spaces.register``."""

from .home import links_for

TEMPLATE = "advisors/space/section.html"


def space_section(request):
    links = links_for(request.user)
    if not links:
        return None
    # A role's links follow contracts and posts: never kept (advisors.space_cache).
    return {"links": links, "live": True}


def register_space_section():
    from accounts import spaces

    from .. import space_cache
    from ..reminders import register_optional_notices

    spaces.register(TEMPLATE, space_section)
    space_cache.connect()  # "Mon espace" kept per person, renewed when a role changes
    # The programme's reminders, each of which the person may turn off in "Mon espace"
    # (importing the module also registers its Celery tasks).
    register_optional_notices()
