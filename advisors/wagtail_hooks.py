"""The "Conseillers numériques" back office in the Wagtail admin (``advisors.admin``).

The permission policies are registered first, before anything asks Wagtail for the policy
of these models (Wagtail would otherwise create its default, Django-permission one)."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin.policy import AnctAdminPolicy
from .models import (
    ActivityReport,
    Advisor,
    Amendment,
    Application,
    Contract,
    ContractExtension,
    Convention,
    ServicePoint,
    Structure,
)

for _model in (Structure, Application, Convention, Amendment, Advisor, Contract,
               ContractExtension, ServicePoint, ActivityReport):
    register_permission_policy(_model, AnctAdminPolicy(_model))


@hooks.register("register_admin_viewset")
def register_advisors_admin():
    from .admin.viewsets import AdvisorsAdminGroup

    return AdvisorsAdminGroup()
