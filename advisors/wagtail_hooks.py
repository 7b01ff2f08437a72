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
    TrainingRecord,
)

for _model in (Structure, Application, Convention, Amendment, Advisor, Contract,
               ContractExtension, ServicePoint, ActivityReport):
    register_permission_policy(_model, AnctAdminPolicy(_model))
# Corrected in the back office (``advisors/admin/records.py``), each change in the history.
for _model in (Structure, ServicePoint, Advisor):
    register_permission_policy(_model, AnctAdminPolicy(_model, actions=("view", "change")))
register_permission_policy(TrainingRecord, AnctAdminPolicy(TrainingRecord))


@hooks.register("register_log_actions")
def register_advisors_log_actions(actions):
    from .history import register_actions

    register_actions(actions)


@hooks.register("register_admin_viewset")
def register_advisors_admin():
    from .admin.viewsets import AdvisorsAdminGroup

    return AdvisorsAdminGroup()
