"""Local authorities of any level (commune, EPCI, département, région) found by name or code.

Used by autocomplete widgets and to resolve what a person typed without JavaScript.
Values are "level:key" strings: "commune:60057", "epci:200067999", "departement:60",
"region:32".
"""

from django.core.exceptions import ValidationError
from django.db.models import F, Q

from .models import MAX_QUERY_LENGTH, Commune, Department, Epci, Region
from .text import normalize_name

LEVELS = {"commune": "Commune", "epci": "Intercommunalité", "departement": "Département",
          "region": "Région"}


def search(level, query, limit=10):
    """[(value, label)] of authorities of that level matching the query, best first."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    if level == "commune":
        return [(f"commune:{c.insee_code}", c.label)
                for c in Commune.objects.search(query, limit).select_related("department")]
    normalized = normalize_name(query)
    if len(normalized) < 2 and not query.isdigit():
        return []
    if level == "epci":
        found = Epci.objects.filter(
            Q(search_name__contains=normalized) | Q(siren=query)
        ).order_by(F("population").desc(nulls_last=True))[:limit]
        return [(f"epci:{e.siren}", e.name) for e in found]
    if level == "departement":
        found = [d for d in Department.objects.all()
                 if d.code == query.upper() or normalized in normalize_name(d.name)]
        return [(f"departement:{d.code}", str(d)) for d in found[:limit]]
    if level == "region":
        found = [r for r in Region.objects.all() if normalized in normalize_name(r.name)]
        return [(f"region:{r.code}", r.name) for r in found[:limit]]
    return []


def get(value):
    """The model instance behind a "level:key" value, or None."""
    level, _, key = (value or "").partition(":")
    lookup = {"commune": (Commune, "insee_code"), "epci": (Epci, "siren"),
              "departement": (Department, "code"), "region": (Region, "code")}.get(level)
    if not lookup or not key:
        return None
    model, field = lookup
    return model.objects.filter(**{field: key}).first()


def resolve(level, text):
    """The single authority of that level matching what was typed (a label or a value).

    Raises a French ValidationError when nothing or several things match."""
    text = (text or "").strip()
    if text.startswith(f"{level}:") and (found := get(text)):
        return found
    candidates = search(level, text.split(" (")[0] if level == "commune" else text, limit=50)
    exact = [value for value, label in candidates if normalize_name(label) == normalize_name(text)]
    if len(exact) == 1:
        return get(exact[0])
    if len(candidates) == 1:
        return get(candidates[0][0])
    if not candidates:
        raise ValidationError(
            f"Aucune collectivité de type « {LEVELS[level].lower()} » ne correspond à "
            f"« {text} »."
        )
    examples = ", ".join(label for _, label in candidates[:3])
    raise ValidationError(
        f"Plusieurs collectivités correspondent à « {text} » ({examples}…) : "
        "choisissez dans la liste ou précisez le département entre parenthèses."
    )
