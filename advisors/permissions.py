"""Who sees and changes what in the advisors app — the one module that checks roles.

Every ``visible_to``/``editable_by`` QuerySet method and every service builds on ``Scope``:

- ANCT administrators (the group, or a superuser) see and change everything;
- structure managers (``Structure.managers``) see and change their structures and everything
  hanging off them;
- an advisor sees their own row, contracts, service points and activity reports (and the
  structures that employ them);
- a coordinator also sees, read-only, the advisors they coordinate, their activity reports
  and service points;
- a préfet (the group *and* a ``PrefectAssignment``) sees, read-only, what belongs to the
  structures of their département (regional préfet: their région) and gives opinions;
- anyone else sees nothing.

Conditions are ``pk__in`` subqueries, never joins, so results carry no duplicates.
"""

from accounts.roles import Role, is_anct_admin

from .models import PrefectAssignment
from .models.scope import Scope, _is_active, scope_of

__all__ = ["Scope", "can_edit", "can_see", "is_anct_admin", "prefect_assignment", "scope_of"]


def prefect_assignment(user):
    """The territory a préfet covers, or None (also None without the préfet group)."""
    if not _is_active(user) or not user.groups.filter(name=Role.PREFET).exists():
        return None
    return PrefectAssignment.objects.filter(user=user).select_related(
        "department", "region").first()


def can_see(user, obj) -> bool:
    return type(obj).objects.visible_to(user).filter(pk=obj.pk).exists()


def can_edit(user, obj) -> bool:
    return type(obj).objects.editable_by(user).filter(pk=obj.pk).exists()
