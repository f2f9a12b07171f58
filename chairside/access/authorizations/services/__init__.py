"""Benefits and prior-authorization use cases, and the booking rule scheduling calls.

Stable interface for other modules: ``authorization_check``, ``authorization_reserve``,
``authorization_release``, ``authorization_consume``, ``authorization_override`` and
``AuthorizationDecision`` (see ``booking.py`` for how scheduling uses them);
``authorization_checks`` checks many doses in a fixed number of queries.
"""

from __future__ import annotations

from chairside.access.authorizations.services.assignment import work_item_assign
from chairside.access.authorizations.services.assistance import (
    active_enrollments,
    assistance_enroll,
    assistance_enrollment_end,
    assistance_program_create,
    enrollment_remaining,
    enrollment_used,
)
from chairside.access.authorizations.services.authorizations import (
    DETAIL_FIELDS,
    authorization_document_add,
    authorization_open,
    authorization_renew,
    authorization_transition,
    authorization_update,
    authorizations_expire,
)
from chairside.access.authorizations.services.benefits import (
    BENEFITS_FIELDS,
    benefits_open_for_order,
    benefits_verify,
)
from chairside.access.authorizations.services.booking import (
    AuthorizationDecision,
    CheckRequest,
    authorization_attach_overridden,
    authorization_check,
    authorization_checks,
    authorization_consume,
    authorization_override,
    authorization_release,
    authorization_reserve,
)

__all__ = [
    "active_enrollments",
    "assistance_enroll",
    "assistance_enrollment_end",
    "assistance_program_create",
    "enrollment_remaining",
    "enrollment_used",
    "BENEFITS_FIELDS",
    "DETAIL_FIELDS",
    "AuthorizationDecision",
    "CheckRequest",
    "authorization_check",
    "authorization_checks",
    "authorization_consume",
    "authorization_document_add",
    "authorization_open",
    "authorization_attach_overridden",
    "authorization_override",
    "authorization_release",
    "authorization_renew",
    "authorization_reserve",
    "authorization_transition",
    "authorization_update",
    "authorizations_expire",
    "benefits_open_for_order",
    "benefits_verify",
    "work_item_assign",
]
