"""The outbox in the admin (``accounts.admin_outbox``): ANCT administrators only.

The permission policy is registered before anything asks Wagtail for the model's policy."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin_outbox import AnctAdminOnlyPolicy, OutgoingEmailViewSet, add_failed_emails_panel
from .models import OutgoingEmail

register_permission_policy(OutgoingEmail, AnctAdminOnlyPolicy(OutgoingEmail))


@hooks.register("register_admin_viewset")
def register_outgoing_emails():
    return OutgoingEmailViewSet()


hooks.register("construct_homepage_panels", add_failed_emails_panel)
