"""What the advisors pages share: pagination, the person's advisor row, the one-form page."""

from django.core.paginator import Paginator
from django.shortcuts import render

from ..models import Advisor


def paginate(request, items, param="page", per_page=20):
    """One page of ``items`` read from the ``param`` query parameter; carries what
    ``advisors/includes/pagination.html`` needs so several lists can share one page."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    page.param = param
    page.prefix = f"?{query.urlencode()}&" if query else "?"
    page.numbers = list(page.paginator.get_elided_page_range(page.number, on_each_side=1,
                                                             on_ends=1))
    page.ellipsis = page.paginator.ELLIPSIS
    return page


def own_advisor(user):
    """The signed-in person's Advisor row, or None."""
    if not user.is_authenticated:
        return None
    return Advisor.objects.filter(user=user).first()


def action_page(request, form, *, title, lead, submit, back, **extra):
    """A one-form page of the front end ("Engager la convention", "Demander un avenant"…)."""
    return render(request, "advisors/action_form.html", {
        "form": form, "title": title, "lead": lead, "submit": submit, "back": back, **extra})
