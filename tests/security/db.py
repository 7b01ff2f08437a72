"""What the security tests share: a picture of the programme's tables, to prove that a
refused request changed nothing."""

from django.apps import apps

from accounts.models import User

SNAPSHOT_APPS = ("advisors", "academy", "calendars", "accounts")


def snapshot(models=None):
    """Every row of the given models, by default of all the programme's tables (the test
    database is small). Users are compared on what a request could wrongly change, not on
    their last login."""
    if models is None:
        models = [model for label in SNAPSHOT_APPS
                  for model in apps.get_app_config(label).get_models()]
        models.append(User.groups.through)
    rows = {}
    for model in models:
        if model is User:
            values = model.objects.order_by("pk").values_list("pk", "email", "is_active",
                                                              "is_staff", "is_superuser")
        else:
            values = model.objects.order_by("pk").values_list()
        rows[model._meta.label] = list(values)
    return rows
