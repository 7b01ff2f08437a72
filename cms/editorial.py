"""Who may do what in the back office, and the moderation workflow.

Applied after every ``migrate`` (idempotently) because permissions of new models only exist
once Django has created them at the end of a migration run.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.roles import Role

WORKFLOW_NAME = "Validation éditoriale ANCT"
TASK_NAME = "Validation par un administrateur ANCT"

# Page permissions granted on the whole tree. Editors write and submit; admins also publish.
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
ADMIN_PAGE_PERMISSIONS = EDITOR_PAGE_PERMISSIONS + [
    "publish_page", "bulk_delete_page", "lock_page", "unlock_page",
]

# Model permissions (images, documents, snippets and settings) by role.
EDITOR_MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("wagtailimages", "add_image"), ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"), ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("academy", "add_coursetheme"), ("academy", "change_coursetheme"),
    ("academy", "add_partner"), ("academy", "change_partner"),
    ("academy", "add_session"), ("academy", "change_session"), ("academy", "view_session"),
]
ADMIN_MODEL_PERMISSIONS = EDITOR_MODEL_PERMISSIONS + [
    ("academy", "delete_coursetheme"), ("academy", "delete_partner"),
    ("academy", "delete_session"),
    # The built-in satisfaction questionnaires (academy/models/surveys.py).
    ("academy", "add_questionset"), ("academy", "change_questionset"),
    ("academy", "delete_questionset"), ("academy", "view_questionset"),
    # The training bodies approved to train élus (DIF élus, academy/models/funding.py).
    ("academy", "add_trainingbody"), ("academy", "change_trainingbody"),
    ("academy", "delete_trainingbody"), ("academy", "view_trainingbody"),
    ("cms", "change_sitenavigation"),
    ("wagtailimages", "delete_image"), ("wagtaildocs", "delete_document"),
]


def _model_permissions(pairs):
    found = []
    for app_label, codename in pairs:
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if perm:
            found.append(perm)
    return found


@transaction.atomic
def apply_editorial_permissions():
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        GroupPagePermission,
        Page,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    root = Page.get_first_root_node()
    collection = Collection.get_first_root_node()
    if root is None:
        return
    editors, _ = Group.objects.get_or_create(name=Role.ANCT_EDITOR)
    admins, _ = Group.objects.get_or_create(name=Role.ANCT_ADMIN)

    for group, page_perms, model_perms in (
        (editors, EDITOR_PAGE_PERMISSIONS, EDITOR_MODEL_PERMISSIONS),
        (admins, ADMIN_PAGE_PERMISSIONS, ADMIN_MODEL_PERMISSIONS),
    ):
        group.permissions.add(*_model_permissions(model_perms))
        for codename in page_perms:
            perm = Permission.objects.filter(
                content_type__app_label="wagtailcore", codename=codename
            ).first()
            if perm:
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=perm)
        if collection:
            for codename in ("add_image", "change_image", "choose_image",
                             "add_document", "change_document", "choose_document"):
                perm = Permission.objects.filter(codename=codename).first()
                if perm:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=collection, permission=perm
                    )

    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(admins)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
