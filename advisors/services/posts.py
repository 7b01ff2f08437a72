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


def posts_label(count) -> str:
    """3 → "3 postes", 1 → "1 poste", 0 → "aucun poste"."""
    if count <= 0:
        return "aucun poste"
    return f"{count} poste{'s' if count > 1 else ''}"


def check_quota(structure, *, extra=0, granted_change=0):
    """Refuses when the structure's running contracts (+ ``extra``) would exceed its granted
    posts (+ ``granted_change``), or when more posts would be taken away than it holds. Call
    with the structure row locked."""
    posts = _posts(structure)
    held = posts["granted_posts"]
    granted = held + granted_change
    occupied = posts["occupied_posts"] + extra
    if granted < 0:
        withdrawn = -granted_change
        message = (f"La structure ne dispose que de {posts_label(held)} attribué"
                   f"{'s' if held > 1 else ''} : impossible d'en retirer {withdrawn}."
                   if held > 0 else "La structure n'a aucun poste attribué à retirer.")
        raise WorkflowError(message, {"posts": [message]})
    if occupied > granted:
        has = (f"dispose de {posts_label(granted)} attribué{'s' if granted > 1 else ''}"
               if granted > 0 else "ne dispose d'aucun poste attribué")
        raise WorkflowError(
            f"La structure {has} et en occuperait {occupied} : le nombre de postes "
            "attribués ne peut pas être dépassé."
        )
