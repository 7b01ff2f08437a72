"""Sections of "Mon espace" contributed by feature apps, so accounts imports none of them.

A feature app registers ``(template_name, context_function)`` in its ``AppConfig.ready``;
the account page includes each template with the dict its function returns for the request.
"""

_sections = []


def register(template_name, context_function):
    if (template_name, context_function) not in _sections:
        _sections.append((template_name, context_function))


def sections_for(request):
    rendered = []
    for template_name, context_function in _sections:
        context = context_function(request)
        if context is not None:
            rendered.append({"template": template_name, **context})
    return rendered
