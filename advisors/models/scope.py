"""``Scope``: what one user may reach, the building block of every ``visible_to`` and
``editable_by`` QuerySet method of the advisors models (the rules: ``advisors.permissions``).
It lives with the models, so that the models import nothing above them."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from accounts.roles import Role, is_anct_admin


def _is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


@dataclass(frozen=True)
class Scope:
    """What one user may reach, computed once per QuerySet call (one or two queries)."""

    user: object = None
    is_admin: bool = False
    department_id: int | None = None
    region_id: int | None = None

    @property
    def is_prefect(self) -> bool:
        return bool(self.department_id or self.region_id)

    # --- building blocks: each returns a Q, or None when it cannot match anything -----------
    def territory(self, commune: str) -> Q | None:
        """Objects whose commune (path to a Commune) lies in the préfet's territory."""
        if self.department_id:
            return Q(**{f"{commune}__department_id": self.department_id})
        if self.region_id:
            return Q(**{f"{commune}__department__region_id": self.region_id})
        return None

    def managed(self, structure: str) -> Q | None:
        """Objects whose structure (path; "" for a Structure itself) the user manages."""
        if self.user is None:
            return None
        from .structures import Structure

        managed = Structure.objects.filter(managers=self.user).values("pk")
        return Q(**{f"{_path(structure, 'pk')}__in": managed})

    def structures(self, structure: str) -> Q | None:
        """Managed structures, plus the préfet's territory (read access)."""
        return _any(self.managed(structure), self.territory(_path(structure, "commune")))

    def own_advisor(self, advisor: str) -> Q | None:
        """Objects of the user's own Advisor row (path; "" for an Advisor itself)."""
        if self.user is None:
            return None
        from .people import Advisor

        own = Advisor.objects.filter(user=self.user).values("pk")
        return Q(**{f"{_path(advisor, 'pk')}__in": own})

    def coordinated(self, advisor: str) -> Q | None:
        """Objects of the advisors the user coordinates (read access):
        ``AdvisorQuerySet.coordinated_by``, from their granted coordinator posts."""
        if self.user is None:
            return None
        from .people import Advisor

        advisors = Advisor.objects.coordinated_by(self.user).values("pk")
        return Q(**{f"{_path(advisor, 'pk')}__in": advisors})

    @staticmethod
    def via(queryset, column: str, condition: Q | None, target: str = "pk") -> Q | None:
        """``target IN (SELECT column FROM queryset WHERE condition)``: reach an object through
        a related table without a join."""
        if condition is None:
            return None
        return Q(**{f"{target}__in": queryset.filter(condition).values(column)})

    def restrict(self, queryset, *conditions):
        """The rows matching any condition; everything for an ANCT administrator."""
        if self.is_admin:
            return queryset.all()
        condition = _any(*conditions)
        return queryset.none() if condition is None else queryset.filter(condition)


def _any(*conditions) -> Q | None:
    present = [condition for condition in conditions if condition is not None]
    return reduce(or_, present) if present else None


def scope_of(user) -> Scope:
    if not _is_active(user):
        return Scope()
    if is_anct_admin(user):
        return Scope(user=user, is_admin=True)
    department_id = region_id = None
    if Role.PREFET in user.role_names:
        from .structures import PrefectAssignment

        assignment = (PrefectAssignment.objects.filter(user=user)
                      .values("department_id", "region_id").first())
        if assignment:
            department_id, region_id = assignment["department_id"], assignment["region_id"]
    return Scope(user=user, department_id=department_id, region_id=region_id)
