"""The rules of the advisors programme. Every mutating function takes the acting person,
checks their right (``advisors.permissions``), runs in one transaction and raises
``WorkflowError`` (``NotAllowed`` for a missing right) with a French message on refusal."""

from .activity import record_activity
from .applications import (
    DECISIONS,
    TRANSITIONS,
    allowed_transitions,
    apply,
    decide,
    give_opinion,
    transition,
)
from .base import NotAllowed, WorkflowError
from .contracts import (
    check_contract_bounds,
    decide_extension,
    refuse_contract,
    refuse_rupture,
    request_extension,
    request_rupture,
    submit_contract,
    validate_contract,
    validate_rupture,
)
from .conventions import (
    decide_amendment,
    renewal_not_interested,
    request_amendment,
    start_convention,
    start_renewal,
    validate_convention,
)
from .coordinator_posts import (
    appoint_coordinator,
    appointable_contracts,
    request_coordinator_post,
    set_coordination_scope,
)
from .places import (
    CALENDAR_FIELDS,
    add_closure,
    bump_calendar_sequence,
    create_service_point,
    remove_closure,
    set_opening_hours,
    set_service_point_advisors,
    update_service_point,
)
from .posts import granted_posts, occupied_posts, vacant_posts

__all__ = [
    "CALENDAR_FIELDS", "DECISIONS", "TRANSITIONS", "NotAllowed", "WorkflowError",
    "add_closure", "appoint_coordinator", "appointable_contracts", "check_contract_bounds",
    "allowed_transitions", "apply", "request_coordinator_post", "set_coordination_scope",
    "bump_calendar_sequence",
    "create_service_point", "decide", "decide_amendment", "decide_extension", "give_opinion",
    "granted_posts", "occupied_posts", "record_activity", "refuse_contract", "refuse_rupture",
    "remove_closure", "renewal_not_interested", "request_amendment", "request_extension",
    "request_rupture", "set_opening_hours", "set_service_point_advisors", "start_convention",
    "start_renewal", "submit_contract", "transition", "update_service_point",
    "vacant_posts", "validate_contract", "validate_convention", "validate_rupture",
]
