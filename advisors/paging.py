"""Paging large lists: rank and slice the bare rows, then load only the page's details."""


def load_in_order(details, page):
    """The rows of ``page`` (already ranked and sliced, e.g. by distance) read again from
    ``details`` (a queryset with the joins and prefetches the page shows), in the same order
    and keeping their ``distance_km``. At national scale, joining every matching row before
    the sort and the slice cost more than the rest of the request."""
    page = list(page)
    loaded = details.filter(pk__in=[row.pk for row in page]).in_bulk()
    result = []
    for row in page:  # one page of results
        detailed = loaded[row.pk]
        if hasattr(row, "distance_km"):
            detailed.distance_km = row.distance_km
        result.append(detailed)
    return result
