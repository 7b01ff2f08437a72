"""Posts: how many a structure was granted, how many its contracts hold. Both read
``Structure.objects.with_posts()``, the one definition of the quota."""

from ..models import Structure
from .base import WorkflowError


def _posts(structure, on=None):
    return Structure.objects.with_posts(on).values(
        "granted_posts", "occupied_posts").get(pk=structure.pk)


def granted_posts(structure) -> int:
    """Validated applications' granted posts + validated amendments adding posts − those
    withdrawing posts."""
    return _posts(structure)["granted_posts"]


def occupied_posts(structure, on=None) -> int:
    """Contracts submitted or validated and still running on that day (default today)."""
    return _posts(structure, on)["occupied_posts"]


def vacant_posts(structure) -> int:
    posts = _posts(structure)
    return posts["granted_posts"] - posts["occupied_posts"]


def check_quota(structure, *, extra=0, granted_change=0):
    """Refuses when the structure's running contracts (+ ``extra``) would exceed its granted
    posts (+ ``granted_change``). Call with the structure row locked."""
    posts = _posts(structure)
    granted = posts["granted_posts"] + granted_change
    occupied = posts["occupied_posts"] + extra
    if occupied > granted:
        raise WorkflowError(
            f"La structure dispose de {granted} poste(s) attribué(s) et en occuperait "
            f"{occupied} : le nombre de postes attribués ne peut pas être dépassé."
        )
