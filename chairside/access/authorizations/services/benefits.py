"""Benefits investigation: open one per coverage when an order is entered, then verify it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.authorizations.models import BenefitsInvestigation
from chairside.access.authorizations.selectors import authorization_settled
from chairside.access.authorizations.services.authorizations import authorization_open
from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.services import referral_advance
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, diff, snapshot
from chairside.core.actors import acting_user
from chairside.patients.selectors import coverages_on
from chairside.rules.access import authorization_states as states
from chairside.rules.access import referral_states

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BENEFITS_FIELDS = (
    "coverage_active",
    "acquisition_path",
    "specialty_pharmacy",
    "plan_year",
    "deductible",
    "deductible_met",
    "out_of_pocket_max",
    "out_of_pocket_met",
    "coinsurance_percent",
    "copay",
    "covers_primary_deductible",
    "qualified_medicare_beneficiary",
    "pa_required",
    "allowed_per_unit",
    "other_allowed_per_visit",
    "reference_number",
    "notes",
    "assigned_to",
)


@transaction.atomic
def benefits_open_for_order(*, order: TreatmentOrder, user: User) -> list[BenefitsInvestigation]:
    """Open a pending benefits investigation for each coverage in force (none twice)."""
    today = timezone.localdate()
    opened = []
    for coverage in coverages_on(order.patient, order.first_dose_on or today, billable=True):
        check, created = BenefitsInvestigation.objects.get_or_create(
            order=order,
            coverage=coverage,
            defaults={
                "organization": order.organization,
                "patient": order.patient,
                "assigned_to": order.assigned_to,
                "covers_primary_deductible": coverage.order == 1,
            },
        )
        if created:
            audit_record(
                action=AuditEvent.Action.CREATE,
                user=user,
                organization=order.organization,
                obj=check,
                patient=order.patient,
                changes={"benefits": [None, f"{coverage.payer} (pending)"]},
            )
            opened.append(check)
    return opened


def _check_benefits(check: BenefitsInvestigation) -> None:
    errors: dict[str, str] = {}
    if check.coverage_active is None:
        errors["coverage_active"] = "Say whether the payer confirmed the coverage is active."
    if check.pa_required == BenefitsInvestigation.PaRequired.UNKNOWN and check.coverage_active:
        errors["pa_required"] = "Ask the payer whether prior authorization is required."
    if check.deductible_met > check.deductible:
        errors["deductible_met"] = "The deductible met is more than the deductible."
    if check.out_of_pocket_max is not None and check.out_of_pocket_met > check.out_of_pocket_max:
        errors["out_of_pocket_met"] = "The out-of-pocket met is more than the maximum."
    white_bag = check.acquisition_path == BenefitsInvestigation.AcquisitionPath.WHITE_BAG
    if white_bag and not check.specialty_pharmacy.strip():
        errors["specialty_pharmacy"] = "Name the specialty pharmacy that ships the drug."
    if check.assigned_to and check.assigned_to.organization_id != check.organization_id:
        errors["assigned_to"] = "Choose one of your organization's staff."
    if errors:
        raise ValidationError(errors)
    check.full_clean()


@transaction.atomic
def benefits_verify(
    *,
    investigation: BenefitsInvestigation,
    user: User,
    verified_on: dt.date | None = None,
    **fields: Any,
) -> BenefitsInvestigation:
    """Record what the payer said and mark the investigation verified (by whom, when).

    When the primary payer requires prior authorization, an authorization "to submit" is
    opened; when it does not, one marked "not required" is kept for the record. When every
    check of the order is verified, the referral moves to "benefits verified".
    """
    unknown = set(fields) - set(BENEFITS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    check = BenefitsInvestigation.objects.select_for_update().get(pk=investigation.pk)
    before = snapshot(check, (*BENEFITS_FIELDS, "status"))
    for name, value in fields.items():
        setattr(check, name, value)
    on = verified_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"verified_on": "The verification date cannot be in the future."})
    check.status = BenefitsInvestigation.Status.VERIFIED
    check.verified_on = on
    check.verified_by = acting_user(user)
    check.plan_year = check.plan_year or on.year
    _check_benefits(check)
    check.save()
    audit_record(
        action=AuditEvent.Action.STATE if before["status"] != check.status else "update",
        user=user,
        organization=check.organization,
        obj=check,
        patient=check.patient,
        changes=diff(before, snapshot(check, (*BENEFITS_FIELDS, "status"))),
    )
    _follow_up(check, user)
    return check


def _follow_up(check: BenefitsInvestigation, user: User) -> None:

    order = check.order
    if check.coverage.order == 1 and check.coverage_active:
        existing = order.authorizations.filter(coverage=check.coverage).exclude(
            status__in=[states.EXPIRED, states.DENIED]
        )
        needs = check.pa_required == BenefitsInvestigation.PaRequired.YES
        if needs and not existing.exclude(status=states.NOT_REQUIRED).exists():
            authorization_open(
                order=order, coverage=check.coverage, user=user, on_date=check.verified_on
            )
        elif not needs and not existing.exists():
            authorization_open(
                order=order,
                coverage=check.coverage,
                user=user,
                status=states.NOT_REQUIRED,
                on_date=check.verified_on,
            )
    if not order.benefits.filter(status=BenefitsInvestigation.Status.PENDING).exists():
        referral_advance(
            referral=order.referral,
            user=user,
            to_state=referral_states.BENEFITS_VERIFIED,
            on_date=check.verified_on,
        )

        if authorization_settled(order=order):
            referral_advance(
                referral=order.referral,
                user=user,
                to_state=referral_states.AUTHORIZED,
                on_date=check.verified_on,
            )
