"""The programme's part in keeping "Mon espace" (``accounts.space_cache``).

What the programme adds to a person's page (the links of their roles, the "Mes
notifications par courriel" button) depends on whether they have an Advisor row, manage a
structure or hold a préfet's assignment: their page is renewed when they gain or lose one.
A person who has one of these roles gets the links sections rendered on every request
(``live``: a coordinator's team changes with contracts), so only the "has none" answer is
ever kept."""

from accounts.space_cache import bump_people, bump_person


def _advisor_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._space_user_before = (sender.objects.filter(pk=instance.pk)
                                   .values_list("user_id", flat=True).first())


def _advisor_changed(sender, instance, **kwargs):
    bump_people([instance.user_id, getattr(instance, "_space_user_before", None)])


def _assignment_changed(sender, instance, **kwargs):
    bump_person(instance.user_id)


def _structure_deleted(sender, instance, **kwargs):
    bump_people(instance.managers.values_list("pk", flat=True))


def _managers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``Structure.managers``, changed from either side."""
    if reverse:  # user.managed_structures.…
        if action.startswith("post_"):
            bump_person(instance.pk)
        return
    if action == "pre_clear":
        instance._space_cleared = list(instance.managers.values_list("pk", flat=True))
    elif action.startswith("post_"):
        bump_people(set(pk_set or []) | set(getattr(instance, "_space_cleared", [])))


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

    from .models import Advisor, PrefectAssignment, Structure

    pre_save.connect(_advisor_before, sender=Advisor, dispatch_uid="space-advisor-before")
    for signal in (post_save, post_delete):
        signal.connect(_advisor_changed, sender=Advisor, dispatch_uid=f"space-advisor-{signal}")
        signal.connect(_assignment_changed, sender=PrefectAssignment,
                       dispatch_uid=f"space-prefect-assignment-{signal}")
    pre_delete.connect(_structure_deleted, sender=Structure,
                       dispatch_uid="space-structure-deleted")
    m2m_changed.connect(_managers_changed, sender=Structure.managers.through,
                        dispatch_uid="space-structure-managers")
