"""The outbox in the Wagtail admin, for ANCT administrators: "Courriels sortants" (read-only
listing filtered by status, inspect view, "Renvoyer" for a failed message) and an alert on
the admin's home page when messages could not be sent."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies.base import BasePermissionPolicy

from calendars import dates

from .emails import resend
from .models import OutgoingEmail
from .roles import Role, is_anct_admin


class AnctAdminOnlyPolicy(BasePermissionPolicy):
    """"view" for ANCT administrators; nothing else is ever granted (no add, edit, delete)."""

    permission_cache_name = ""

    def user_has_permission(self, user, action):
        return action == "view" and is_anct_admin(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and is_anct_admin(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if "view" not in actions:
            return users.none()
        return users.filter(Q(is_superuser=True) | Q(groups__name=Role.ANCT_ADMIN)).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return self.model.objects.all()
        return self.model.objects.none()

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)


class OutgoingEmailInspectView(InspectView):
    # Times as a person in France reads them: "6 décembre 2026 à 0 h 30" (Europe/Paris),
    # whatever the administrator's interface language.
    def _moment(self, name):
        return dates.long_datetime(getattr(self.object, name), space=dates.NBSP) or "—"

    def get_created_at_display_value(self):
        return self._moment("created_at")

    def get_sent_at_display_value(self):
        return self._moment("sent_at")

    def get_failing_since_display_value(self):
        return self._moment("failing_since")

    def get_next_attempt_at_display_value(self):
        return self._moment("next_attempt_at")

    def get_header_more_buttons(self):
        buttons = super().get_header_more_buttons()
        if self.object.status == OutgoingEmail.Status.FAILED:
            buttons.append(Button("Renvoyer", icon_name="redirect", url=reverse(
                "outgoing_emails:resend", args=[self.object.pk])))
        return buttons


class OutgoingEmailViewSet(ModelViewSet):
    model = OutgoingEmail
    name = "outgoing_emails"
    icon = "mail"
    menu_label = "Courriels sortants"
    menu_order = 900
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_per_page = 50
    list_display = ["subject", Column("recipients", label="Destinataires"), "status",
                    "attempts", Column(
                        "created_at", label="Créé le", sort_key="created_at",
                        accessor=lambda email: dates.long_datetime(email.created_at,
                                                               space=dates.NBSP)), "last_error"]
    list_filter = ["status"]
    search_fields = ["subject", "key"]
    ordering = ["-created_at"]
    # Not the body: it may hold a password reset or email confirmation link.
    inspect_view_fields = ["subject", "to", "status", "attempts", "last_error", "failing_since",
                           "next_attempt_at", "created_at", "sent_at", "key", "from_email"]

    def get_common_view_kwargs(self, **kwargs):
        # Read-only: no add, edit, delete, history or usage view, nor links to them.
        return super().get_common_view_kwargs(**{
            "add_url_name": None, "edit_url_name": None, "delete_url_name": None,
            "history_url_name": None, "usage_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [path("", self.index_view, name="index"),
                path("results/", self.index_results_view, name="index_results"),
                path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
                path("renvoyer/<int:pk>/", resend_view, name="resend")]

    inspect_view_class = OutgoingEmailInspectView


def resend_view(request, pk):
    """Confirmation page (GET) and "Renvoyer" (POST) for a failed message."""
    if not is_anct_admin(request.user):
        raise PermissionDenied
    outgoing = get_object_or_404(OutgoingEmail, pk=pk)
    back_url = reverse("outgoing_emails:inspect", args=[pk])
    if request.method == "POST":
        if resend(outgoing):
            messages.success(request, f"Le courriel « {outgoing.subject} » est renvoyé.")
        else:
            messages.warning(request, "Ce courriel n'est pas en échec : rien à renvoyer.")
        return redirect(back_url)
    return render(request, "accounts/admin/resend.html", {
        "outgoing": outgoing, "back_url": back_url, "page_title": "Renvoyer",
        "page_subtitle": outgoing.subject, "header_icon": "mail",
    })


class FailedEmailsPanel(Component):
    """On the admin's home page: how many messages could not be sent, with a link."""

    name = "failed_emails"
    template_name = "accounts/admin/failed_emails_panel.html"
    order = 50

    def __init__(self, count):
        self.count = count

    def get_context_data(self, parent_context):
        return {"count": self.count,
                "url": reverse("outgoing_emails:index") + "?status=failed"}


def add_failed_emails_panel(request, panels):
    if not is_anct_admin(request.user):
        return
    count = OutgoingEmail.objects.failed().count()
    if count:
        panels.insert(0, FailedEmailsPanel(count))
