"""What a dashboard covers (``Territory``) and the small helpers every family of figures
uses."""

from dataclasses import dataclass

from django.db.models import Q

from advisors.models.people import ContractQuerySet

# The national goal: 4,000 advisor posts (announced 17 Nov 2020). Kept here rather than in
# the settings: it is a fact of the programme, not of the deployment.
ADVISORS_NATIONAL_TARGET = 4000
PER_INHABITANTS = 100_000  # coverage is written per 100,000 inhabitants


@dataclass(frozen=True)
class Territory:
    """What a dashboard covers. ``level`` is national, region, department or structure."""

    level: str
    obj: object = None

    @property
    def name(self):
        if self.level == "national":
            return "France"
        return self.obj.name

    def departments(self, department_path: str = "") -> Q:
        """Objects whose département (path to a Department; "" for Department rows
        themselves) lies in the territory."""
        prefix = f"{department_path}__" if department_path else ""
        if self.level == "region":
            return Q(**{f"{prefix}region": self.obj})
        if self.level == "department":
            return Q(**{department_path or "pk": self.obj.pk})
        return Q()

    def filter(self, commune_path: str) -> Q:
        """Objects whose commune (path to a Commune) lies in the territory."""
        return self.departments(f"{commune_path}__department")

    def structures(self, structure_path: str, commune_path: str) -> Q:
        """Objects of the structures of the territory (path to a Structure, and the path
        of that structure's commune)."""
        if self.level == "structure":
            return Q(**{structure_path: self.obj.pk})
        return self.filter(commune_path)

    def activity(self) -> Q:
        if self.level == "structure":
            return Q(structure=self.obj.pk)
        return self.filter("commune")


def _running(on, prefix=""):
    """Q of contracts (through ``prefix``) not ended on that day."""
    condition = ContractQuerySet._running_on(on)
    if not prefix:
        return condition
    return _prefixed(condition, prefix)


def _prefixed(condition: Q, prefix: str) -> Q:
    children = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            key, value = child
            children.append((f"{prefix}__{key}", value))
    prefixed = Q(*children, _connector=condition.connector, _negated=condition.negated)
    return prefixed


def _ratio(part, whole, factor=100, digits=1):
    if not whole:
        return None
    return round(part * factor / whole, digits)
