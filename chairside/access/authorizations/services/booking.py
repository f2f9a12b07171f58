"""The booking rule: a dose of a drug that needs prior authorization is booked only inside
an approved authorization with visits and units left, or with an audited override.

Scheduling calls, for every booking::

    decision = authorization_check(order=order, on_date=day, units=units)
    if not decision.ok:            # show decision.message; an admin/coordinator may override
        override = authorization_override(order=order, on_date=day, user=user, reason=why)
    usage = authorization_reserve(order=order, on_date=day, units=units,
                                  source_type="scheduling.appointment",
                                  source_id=str(appointment.public_id), user=user,
                                  override=override)          # None when the check was ok
    ...
    authorization_release(source_type=..., source_id=..., user=user)    # cancelled
    authorization_consume(source_type=..., source_id=..., user=user, units=given)  # treated

``units`` are HCPCS billing units. Usage is counted from the ``AuthorizationUsage`` rows
these calls write; until the visit module documents treatments, booked appointments count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.authorizations.events import usage_attached
from chairside.access.authorizations.models import (
    AuthorizationOverride,
    AuthorizationUsage,
    PriorAuthorization,
)
from chairside.access.authorizations.selectors import (
    AuthorizationFacts,
    authorization_facts,
    needed_from,
    usage_totals,
    usage_totals_many,
)
from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.services import referral_advance
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.core.actors import acting_user
from chairside.rules.access import authorization_states as states
from chairside.rules.access import referral_states
from chairside.tenancy.models import Membership, Organization
from chairside.tenancy.roles import Perm, has_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class AuthorizationDecision:
    """The answer for one booking: ``ok``, the authorization it draws on, and why.

    ``message`` names what is missing when not ok ("No approved authorization covers
    12/03/2026", "300 units requested, 100 left on authorization A-1") and what is left
    when ok ("… only 1 visit left"). ``required`` is False when no authorization is needed.
    """

    ok: bool
    authorization: PriorAuthorization | None
    message: str
    required: bool = True
    visits_left: int | None = None
    units_left: int | None = None


def _no_cover_message(order: TreatmentOrder, on_date: dt.date, facts: AuthorizationFacts) -> str:
    message = f"No approved authorization covers {on_date:%m/%d/%Y}"
    others = [a for a in facts.authorizations if a.status != states.NOT_REQUIRED]
    latest = max(others, key=lambda a: (a.created_at, a.pk), default=None)
    if latest is None:
        return f"{message}: none has been requested for {order.drug.generic_name}."
    if latest.status == states.APPROVED and latest.start_on and latest.end_on:
        return (
            f"{message}: {latest.authorization_number} runs "
            f"{latest.start_on:%m/%d/%Y}–{latest.end_on:%m/%d/%Y}."
        )
    return f"{message}: the latest request is {latest.status_label.lower()}."


@dataclass(frozen=True)
class CheckRequest:
    """One dose to check (``authorization_check``'s arguments), for ``authorization_checks``."""

    order: TreatmentOrder
    on_date: dt.date
    units: int
    source_type: str | None = None
    source_id: str | None = None


def authorization_check(
    *,
    order: TreatmentOrder,
    on_date: dt.date,
    units: int,
    source_type: str | None = None,
    source_id: str | None = None,
) -> AuthorizationDecision:
    """May a dose of ``units`` billing units under ``order`` be booked on ``on_date``?

    Passes without an authorization when the drug usually needs none or the payer said
    none is needed. Otherwise an approved authorization must cover the date, with at least
    one visit and ``units`` units left. Pass ``source_type``/``source_id`` when re-checking
    a booking that already holds usage (a moved appointment) so it is not counted twice.
    Reads only; nothing is reserved (see ``authorization_reserve``).
    """
    [decision] = authorization_checks([CheckRequest(order, on_date, units, source_type, source_id)])
    return decision


def authorization_checks(requests: Sequence[CheckRequest]) -> list[AuthorizationDecision]:
    """``authorization_check`` for many doses at once, in the same order, in at most five
    queries whatever their number (coverages, benefits checks, authorizations, usage, and
    what the re-checked bookings hold): the readiness board checks a day's appointments."""
    for request in requests:
        units = request.units
        if isinstance(units, bool) or not isinstance(units, int) or units < 0:
            raise ValueError(f"units {units!r} must be a whole number of billing units, 0 or more")
    needing = [r.order for r in requests if r.order.drug.prior_auth_usually_required]
    facts = authorization_facts({o.pk: o for o in needing}.values())
    decisions: list[AuthorizationDecision | None] = []
    covering: list[tuple[int, PriorAuthorization, tuple[str, str] | None]] = []
    for index, request in enumerate(requests):
        order, on_date = request.order, request.on_date
        loaded = facts.get(order.pk) or AuthorizationFacts()
        needed, why_not, _ = needed_from(order, on_date, loaded)
        if not needed:
            decisions.append(
                AuthorizationDecision(True, None, f"No authorization needed: {why_not}.", False)
            )
            continue
        approved = [
            a
            for a in loaded.authorizations
            if a.status == states.APPROVED
            and a.start_on is not None
            and a.end_on is not None
            and a.start_on <= on_date <= a.end_on
        ]
        auth = min(approved, key=lambda a: (a.start_on, a.pk), default=None)
        if auth is None:
            decisions.append(
                AuthorizationDecision(False, None, _no_cover_message(order, on_date, loaded))
            )
            continue
        source = (
            (request.source_type, request.source_id)
            if request.source_type and request.source_id
            else None
        )
        covering.append((index, auth, source))
        decisions.append(None)
    used = usage_totals_many((auth.pk, source) for _, auth, source in covering)
    for index, auth, source in covering:
        visits_used, units_used = used[(auth.pk, source)]
        decisions[index] = _decide(auth, requests[index].units, visits_used, units_used)
    return [d for d in decisions if d is not None]


def _decide(
    auth: PriorAuthorization, units: int, visits_used: int, units_used: int
) -> AuthorizationDecision:
    name = f"authorization {auth.authorization_number}"
    visits_left = None if auth.visits_authorized is None else auth.visits_authorized - visits_used
    units_left = None if auth.units_authorized is None else auth.units_authorized - units_used
    if visits_left is not None and visits_left < 1:
        message = f"No visits left on {name} ({visits_used} of {auth.visits_authorized} used)."
        return AuthorizationDecision(False, auth, message, True, visits_left, units_left)
    if units_left is not None and units > units_left:
        message = f"{units} units requested, {max(units_left, 0)} left on {name}."
        return AuthorizationDecision(False, auth, message, True, visits_left, units_left)
    parts = []
    if visits_left is not None:
        parts.append("only 1 visit left" if visits_left == 1 else f"{visits_left} visits left")
    if units_left is not None:
        parts.append(f"{units_left} units left")
    message = f"Covered by {name}" + (f": {', '.join(parts)}." if parts else ".")
    return AuthorizationDecision(True, auth, message, True, visits_left, units_left)


def _live(source_type: str, source_id: str) -> AuthorizationUsage | None:
    return (
        AuthorizationUsage.objects.select_for_update()
        .filter(source_type=source_type, source_id=source_id, released_at__isnull=True)
        .first()
    )


def _audit_usage(usage: AuthorizationUsage, user: User, what: str) -> None:
    order = usage.order
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=order.organization,
        obj=usage.authorization or order,
        patient=order.patient,
        changes={what: [None, f"{usage.units} units on {usage.on_date:%m/%d/%Y}"]},
    )


@transaction.atomic
def authorization_reserve(
    *,
    order: TreatmentOrder,
    on_date: dt.date,
    units: int,
    source_type: str,
    source_id: str,
    user: User,
    override: AuthorizationOverride | None = None,
) -> AuthorizationUsage:
    """Reserve a visit and ``units`` for a booking; a second call for the same source moves it.

    The approved authorizations of the order are locked first, so two coordinators booking
    the last visit at once cannot both get it. Without a passing check, the booking needs
    an ``override`` made for this order and date; otherwise ValidationError(message).
    """
    list(order.authorizations.select_for_update().filter(status=states.APPROVED))
    decision = authorization_check(
        order=order, on_date=on_date, units=units, source_type=source_type, source_id=source_id
    )
    if not decision.ok:
        if override is None:
            raise ValidationError(decision.message)
        if override.order_id != order.pk or override.on_date != on_date:
            raise ValidationError("That override was given for another order or date.")
    usage = _live(source_type, source_id) or AuthorizationUsage(
        order=order, source_type=source_type, source_id=source_id
    )
    usage.order, usage.on_date, usage.units = order, on_date, units
    usage.authorization, usage.override = decision.authorization, override
    usage.kind = AuthorizationUsage.Kind.RESERVED
    usage.created_by = acting_user(user)
    usage.full_clean()
    usage.save()
    _audit_usage(usage, user, "reserved")
    _follow_referral(order, user, referral_states.SCHEDULED, timezone.localdate())
    return usage


@transaction.atomic
def authorization_release(*, source_type: str, source_id: str, user: User) -> bool:
    """Give back what a cancelled booking reserved. False when it held nothing."""
    usage = _live(source_type, source_id)
    if usage is None:
        return False
    usage.released_at = timezone.now()
    usage.save(update_fields=["released_at", "updated_at"])
    _audit_usage(usage, user, "released")
    return True


@transaction.atomic
def authorization_consume(
    *,
    source_type: str,
    source_id: str,
    user: User,
    units: int | None = None,
    order: TreatmentOrder | None = None,
    on_date: dt.date | None = None,
) -> AuthorizationUsage:
    """A documented treatment uses its reservation (with the units actually given).

    Without a reservation (a walk-in), ``order`` and ``on_date`` are required and the use
    is recorded against the authorization covering that date, if any: the treatment
    happened, so it is counted even when the check would have failed.
    """
    usage = _live(source_type, source_id)
    if usage is None:
        if order is None or on_date is None or units is None:
            raise ValidationError(
                "Nothing was reserved for this treatment; give the order, date and units."
            )
        decision = authorization_check(order=order, on_date=on_date, units=0)
        usage = AuthorizationUsage(
            order=order,
            on_date=on_date,
            source_type=source_type,
            source_id=source_id,
            authorization=decision.authorization,
        )
    if units is not None:
        if units < 0:
            raise ValidationError("Units given cannot be negative.")
        usage.units = units
    if on_date is not None:
        usage.on_date = on_date
    usage.kind = AuthorizationUsage.Kind.CONSUMED
    usage.full_clean()
    usage.save()
    _audit_usage(usage, user, "used")
    _follow_referral(usage.order, user, referral_states.SCHEDULED, usage.on_date)
    _follow_referral(usage.order, user, referral_states.ACTIVE, usage.on_date)
    return usage


def _follow_referral(order: TreatmentOrder, user: User, state: str, on: dt.date) -> None:
    """The first booking makes the referral "scheduled", the first treatment "active"."""

    if order.referral_id is not None:
        referral_advance(referral=order.referral, user=user, to_state=state, on_date=on)


def _may_override(user: User, organization: Organization) -> bool:
    """Only an administrator or coordinator overrides."""
    if getattr(user, "pk", None) is None:
        return False
    membership = Membership.objects.filter(
        user_id=user.pk, organization=organization, is_active=True
    ).first()
    return membership is not None and has_perm(membership.role, Perm.AUTH_OVERRIDE)


@transaction.atomic
def authorization_override(
    *, order: TreatmentOrder, on_date: dt.date, user: User, reason: str, units: int = 0
) -> AuthorizationOverride:
    """Allow a booking the authorization check refuses, with a written reason (audited).

    Only an administrator or coordinator (``Perm.AUTH_OVERRIDE``) may override; the record
    keeps what the check said was missing, for the appointment to show.
    """
    if not _may_override(user, order.organization):
        raise PermissionDenied("Only an administrator or coordinator may override authorization.")
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": "Write why the dose is booked without authorization."})
    decision = authorization_check(order=order, on_date=on_date, units=units)
    override = AuthorizationOverride.objects.create(
        organization=order.organization,
        order=order,
        on_date=on_date,
        reason=reason.strip(),
        missing=decision.message[:255] if not decision.ok else "Nothing (the check passed).",
        overridden_by=user,
    )
    audit_record(
        action=AuditEvent.Action.OVERRIDE,
        user=user,
        organization=order.organization,
        obj=override,
        patient=order.patient,
        changes={"authorization": [override.missing, f"overridden for {on_date:%m/%d/%Y}"]},
        reason=override.reason,
    )
    return override


@transaction.atomic
def authorization_attach_overridden(
    *, authorization: PriorAuthorization, user: User | None
) -> list[AuthorizationUsage]:
    """An approval that arrives after overridden bookings takes them over.

    Each live booking or treatment of the approval's order that was allowed by an override
    (no authorization) and falls in the approval's dates is attached to it, in date order,
    while visits and units are left: its usage now counts against the approval, and its
    appointment shows the authorization instead of the override badge. Bookings that do not
    fit stay overridden (the coordinator sees them). The override records and their audit
    events stay; each attachment is audited. Returns the usage rows attached.
    """
    auth = PriorAuthorization.objects.select_for_update().get(pk=authorization.pk)
    if auth.status != states.APPROVED or auth.start_on is None or auth.end_on is None:
        return []
    candidates = (
        AuthorizationUsage.objects.select_for_update()
        .filter(
            order_id=auth.order_id,
            authorization__isnull=True,
            override__isnull=False,
            released_at__isnull=True,
            on_date__gte=auth.start_on,
            on_date__lte=auth.end_on,
        )
        .select_related("order__patient", "order__organization", "override")
        .order_by("on_date", "id")
    )
    attached: list[AuthorizationUsage] = []
    for usage in candidates:
        visits_used, units_used = usage_totals(auth)
        if not _decide(auth, usage.units, visits_used, units_used).ok:
            continue
        override = usage.override
        usage.authorization = auth
        usage.save(update_fields=["authorization", "updated_at"])
        appointment = usage_attached(auth, usage)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            user=user,
            organization=auth.organization,
            obj=appointment or auth,
            patient=auth.patient,
            changes={
                "authorization": [
                    f"overridden ({override})" if override else None,
                    f"{auth.authorization_number}: {usage.units} units on {usage.on_date:%m/%d/%Y}",
                ]
            },
            reason="The approval arrived after the booking was overridden.",
        )
        attached.append(usage)
    return attached
