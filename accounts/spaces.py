"""Sections of "Mon espace" contributed by feature apps, so accounts imports none of them.

A feature app registers ``(template_name, context_function)`` in its ``AppConfig.ready``;
the account page includes each template with the dict its function returns for the request
(``None``: no section).

The page's body is kept per person (``accounts.space_cache``): an app registering a section
renews the person's version (``space_cache.bump_people``) whenever what the section shows
them changes. Three keys of the returned dict are read by the page, not the template:

- ``valid_until``: the instant the section would read differently with time alone (a
  session becoming past); the body is rendered again from then on;
- ``live``: true when the section cannot be kept for this person (it is then rendered on
  every request, the rest of the body still kept);
- ``late``: data the section's ``late(request, html, data)`` function (given at
  registration) uses to fill in, on every request, what changes with other people's actions
  (a rank on a waiting list).
"""

from dataclasses import dataclass

from django.template.loader import render_to_string

from core import personal_pages

from . import space_cache


@dataclass(frozen=True)
class Section:
    template: str
    context_function: object
    late: object = None


_sections: list[Section] = []


def register(template_name, context_function, *, late=None):
    if not any(s.template == template_name and s.context_function == context_function
               for s in _sections):
        _sections.append(Section(template_name, context_function, late))


def _section(template_name):
    return next((s for s in _sections if s.template == template_name), None)


def sections_for(request):
    rendered = []
    for section in _sections:
        context = section.context_function(request)
        if context is not None:
            rendered.append({"template": section.template, **context})
    return rendered


def render_section(request, template_name, context):
    return render_to_string(template_name, {
        "section": {"template": template_name, **context},
        "csrf_token": space_cache.CSRF_PLACEHOLDER}, request)


def build_body(request, head, tail):
    """The body to keep: {"parts": [...], "valid_until": instant or None}. A part is HTML, or
    ("live", template) or ("late", template, html, data). ``head`` and ``tail`` are
    (template, context) rendered before and after the sections (always kept)."""
    parts, limits, late_versions = [], [], []
    template, context = head
    parts.append(render_to_string(template, {**context,
                                             "csrf_token": space_cache.CSRF_PLACEHOLDER},
                                  request))
    for section in _sections:
        context = section.context_function(request)
        if context is None:
            continue
        if context.get("live"):
            parts.append(("live", section.template))
            continue
        if context.get("valid_until") is not None:
            limits.append(context["valid_until"])
        html = render_section(request, section.template, context)
        if section.late is not None and context.get("late"):
            parts.append(("late", section.template, html, context["late"]))
            late_versions.extend(context.get("late_versions", ()))
        else:
            parts.append(html)
    template, context = tail
    parts.append(render_to_string(template, {**context,
                                             "csrf_token": space_cache.CSRF_PLACEHOLDER},
                                  request))
    return {"parts": _joined(parts), "valid_until": min(limits, default=None),
            "late_versions": late_versions}


def _joined(parts):
    """Adjacent HTML parts as one string."""
    joined = []
    for part in parts:
        if isinstance(part, str) and joined and isinstance(joined[-1], str):
            joined[-1] += part
        else:
            joined.append(part)
    return joined


def keep_whole(request, body):
    """Tells ``core.personal_pages`` whether the whole page may be kept: not with a live
    section (rendered on every request), until the body's ``valid_until``, and while the
    versions its late figures follow hold."""
    if any(isinstance(part, tuple) and part[0] == "live" for part in body["parts"]):
        personal_pages.never(request)
        return
    personal_pages.depend(request, *body.get("late_versions", ()))
    personal_pages.valid_until(request, body.get("valid_until"))


def serve_body(request, body):
    """The body's HTML for this request: live sections rendered, late figures filled in,
    the request's CSRF token in place of the placeholder."""
    html = []
    for part in body["parts"]:
        if isinstance(part, str):
            html.append(part)
            continue
        section = _section(part[1])
        if section is None:  # not registered in this process (a deployment in progress)
            continue
        if part[0] == "late":
            html.append(section.late(request, part[2], part[3]))
            continue
        context = section.context_function(request)
        if context is not None:
            html.append(render_section(request, section.template, context))
    return space_cache.fill_in_csrf(request, "".join(html))
