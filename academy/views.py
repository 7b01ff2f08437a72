from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from .catalog import attach_next_sessions, search_courses
from .forms import CatalogFilterForm

PAGE_SIZE = 12


def catalog(request, page):
    form = CatalogFilterForm(request.GET or None)
    courses, sessions = search_courses(form.filters)
    paginated = Paginator(courses.prefetch_related("themes"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    attach_next_sessions(paginated.object_list, sessions)
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(request, "academy/catalog_page.html", {
        "page": page,
        "self": page,
        "form": form,
        "courses": paginated,
        "total": paginated.paginator.count,
        "query_string": query.urlencode(),
    })
