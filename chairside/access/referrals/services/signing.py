"""Signing treatment orders (issue 11.2): only a user holding ``order.sign`` signs.

A coordinator may enter an order from the referral's paperwork; it is then a draft awaiting
signature, which scheduling, inventory and the visit refuse to book, dispense or give
(``TreatmentOrder.signature_problem``). A change to what the provider signed (drug, dose,
dose rule, regimen, diagnoses, labs, premedications, route) voids the signature unless the
person changing it may sign: then the change is signed by them. Every step is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.services._common import audit
from chairside.audit.models import AuditEvent
from chairside.tenancy.models import Organization
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import user_has_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What the provider signs, with the words the voided-signature notice uses.
SIGNED_FIELDS: dict[str, str] = {
    "drug": "drug",
    "regimen_template": "regimen",
    "regimen_name": "regimen",
    "loading_days": "regimen",
    "maintenance_interval_days": "regimen",
    "number_of_doses": "number of doses",
    "dose_mg": "dose",
    "dose_mg_per_kg": "dose",
    "dose_max_mg": "dose",
    "maintenance_dose_mg": "dose",
    "maintenance_dose_from": "dose",
    "weight_kg_at_order": "dosing weight",
    "route": "route",
    "premedications": "premedications",
    "premedication_set": "premedications",
    "hypersensitivity_protocol": "premedications",
    "observation_minutes": "observation",
    "diagnoses": "diagnoses",
}


def may_sign(*, user: User, organization: Organization) -> bool:
    return user_has_perm(user=user, organization=organization, perm=Perm.ORDER_SIGN)


def _who(user: User | None) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.username or "system"


def _sign(order: TreatmentOrder, user: User) -> None:
    order.signed_by, order.signed_at = user, timezone.now()


def changed_signed_parts(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The signed parts of the order that differ between two audit snapshots."""
    words = [w for f, w in SIGNED_FIELDS.items() if before.get(f) != after.get(f)]
    return list(dict.fromkeys(words))


def signature_after_change(*, order: TreatmentOrder, user: User, parts: Iterable[str]) -> None:
    """Re-sign (a provider's own change) or void (anyone else's) after a clinical change.

    ``order`` is the row locked by the calling service, inside its transaction; a draft
    changed by someone who cannot sign stays a draft.
    """
    parts = list(parts)
    if not parts:
        return
    was = f"signed by {_who(order.signed_by)}" if order.is_signed else "awaiting signature"
    if may_sign(user=user, organization=order.organization):
        _sign(order, user)
        now = f"signed by {_who(user)}"
        reason = ""
    elif order.is_signed:
        order.signed_by, order.signed_at = None, None
        order.signature_voided_at, order.signature_voided_by = timezone.now(), user
        order.signature_void_reason = f"changed: {', '.join(parts)}"[:300]
        now = "voided"
        reason = f"Changed after signature ({', '.join(parts)}): a provider must sign again."
    else:
        return
    order.save(
        update_fields=[
            "signed_by",
            "signed_at",
            "signature_voided_at",
            "signature_voided_by",
            "signature_void_reason",
            "updated_at",
        ]
    )
    audit(
        AuditEvent.Action.STATE,
        user=user,
        obj=order,
        organization=order.organization,
        patient=order.patient,
        changes={"signature": [was, now]},
        reason=reason,
    )


def _check_signable(order: TreatmentOrder, user: User) -> None:
    if not may_sign(user=user, organization=order.organization):
        raise ValidationError("Only a physician or NP (permission order.sign) can sign orders.")
    if order.is_signed:
        raise ValidationError(
            f"{order.drug.generic_name} for {order.patient} is already signed by "
            f"{_who(order.signed_by)}."
        )
    if order.status in {TreatmentOrder.Status.COMPLETED, TreatmentOrder.Status.DISCONTINUED}:
        raise ValidationError(
            f"A {order.get_status_display().lower()} order cannot be signed; enter a new one."
        )


@transaction.atomic
def order_sign(*, order: TreatmentOrder, user: User) -> TreatmentOrder:
    """A provider signs an order awaiting signature (entered or changed by someone else)."""
    locked = TreatmentOrder.objects.select_for_update().get(pk=order.pk)
    _check_signable(locked, user)
    was = "voided" if locked.signature_voided_at else "awaiting signature"
    _sign(locked, user)
    locked.save(update_fields=["signed_by", "signed_at", "updated_at"])
    audit(
        AuditEvent.Action.STATE,
        user=user,
        obj=locked,
        organization=locked.organization,
        patient=locked.patient,
        changes={"signature": [was, f"signed by {_who(user)}"]},
    )
    return locked


@transaction.atomic
def orders_sign(*, orders: Iterable[TreatmentOrder], user: User) -> list[TreatmentOrder]:
    """Sign several orders at once: all or none (a refusal names the order)."""
    signed = [order_sign(order=order, user=user) for order in orders]
    if not signed:
        raise ValidationError("Choose at least one order to sign.")
    return signed
