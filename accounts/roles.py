"""Roles are Django groups; this module is the one place that names them."""

from enum import StrEnum


class Role(StrEnum):
    ANCT_ADMIN = "Administrateur ANCT"
    ANCT_EDITOR = "Éditeur ANCT"
    PREFET = "Préfet"
    STRUCTURE_MANAGER = "Gestionnaire de structure"
    ADVISOR = "Conseiller numérique"
    COORDINATOR = "Coordinateur"


# Roles whose members must use two-factor authentication before reaching the back office or
# the pages their role opens (préfets: applications and territorial dashboards).
MFA_REQUIRED_ROLES = {Role.ANCT_ADMIN, Role.ANCT_EDITOR, Role.PREFET}
