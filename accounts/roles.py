"""Roles are Django groups; this module is the one place that names them."""

from enum import StrEnum


class Role(StrEnum):
    ANCT_ADMIN = "Administrateur ANCT"
    ANCT_EDITOR = "Éditeur ANCT"
    PREFET = "Préfet"
    STRUCTURE_MANAGER = "Gestionnaire de structure"
    ADVISOR = "Conseiller numérique"
    COORDINATOR = "Coordinateur"
    TRAINER = "Formateur"


# Roles whose members must use two-factor authentication before reaching the back office or
# the pages their role opens (préfets: applications and territorial dashboards).
MFA_REQUIRED_ROLES = {Role.ANCT_ADMIN, Role.ANCT_EDITOR, Role.PREFET}


def is_anct_admin(user) -> bool:
    """An ANCT administrator: an active superuser, or a member of the "Administrateur ANCT"
    group (read from ``role_names``, kept once per user object). The one test of this role:
    the advisors rules, the back office and the outbox all ask it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Role.ANCT_ADMIN in user.role_names
