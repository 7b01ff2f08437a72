"""Who reaches the back office of the programme: ANCT administrators only (the group, or a
superuser), as ``accounts.roles.is_anct_admin`` decides. Nothing here grants
add/change/delete: every change of a status goes through ``advisors.services`` from the
action views."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from accounts.roles import Role, is_anct_admin

from .. import permissions


class AnctAdminPolicy(BasePermissionPolicy):
    """Read access ("view": listings, inspect views, exports) for ANCT administrators."""

    permission_cache_name = ""

    def __init__(self, model, actions=("view",)):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and is_anct_admin(user)

    def user_has_any_permission(self, user, actions):
        return bool(self.actions & set(actions)) and is_anct_admin(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not self.actions & set(actions):
            return users.none()
        return users.filter(Q(is_superuser=True) | Q(groups__name=Role.ANCT_ADMIN)).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and permissions.can_see(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.model.objects.visible_to(user)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)
