"""Referral use cases: receive, complete intake, move through the states, link the patient."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.authorizations import selectors as access
from chairside.access.referrals.models import Referral, ReferralStateChange, TreatmentOrder
from chairside.access.referrals.services._common import (
    audit,
    not_in_future,
    reject_unknown,
    same_organization,
)
from chairside.audit.models import AuditEvent
from chairside.audit.services import audited_update, diff, snapshot
from chairside.core.actors import acting_user
from chairside.core.validation import Problems
from chairside.patients.models import Patient
from chairside.patients.reference import icd10_description, icd10_not_billable
from chairside.patients.services import check_birth_date, diagnosis_add, patient_create
from chairside.rules.access import referral_states as rs
from chairside.rules.clinical.icd10 import normalize_icd10
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REFERRAL_FIELDS = (
    "received_on",
    "referring_provider",
    "patient",
    "patient_first_name",
    "patient_last_name",
    "patient_date_of_birth",
    "patient_phone",
    "requested_drug",
    "requested_drug_text",
    "diagnosis_code",
    "diagnosis_description",
    "clinical_notes",
    "labs_received",
    "is_urgent",
    "location",
    "assigned_to",
)


def _check_referral(referral: Referral) -> None:
    """Every problem with the referral at once (a coordinator fixes them in one pass)."""
    org = referral.organization
    problems = Problems()
    with problems.check():
        not_in_future(referral.received_on, "received_on", "received date")
    with problems.check():
        check_birth_date(referral.patient_date_of_birth, "patient_date_of_birth")
    for field, what in (
        ("referring_provider", "providers"),
        ("requested_drug", "formulary drugs"),
        ("patient", "patients"),
        ("location", "locations"),
        ("assigned_to", "staff"),
    ):
        if getattr(referral, f"{field}_id") is None:
            continue  # none chosen: the required provider is named below
        with problems.check():
            same_organization(getattr(referral, field), org, field, what)
    if referral.requested_drug is None and not referral.requested_drug_text.strip():
        problems.add(ValidationError({"requested_drug": "Name the drug the referral asks for."}))
    if referral.patient is None and not (
        referral.patient_last_name.strip() and referral.patient_date_of_birth
    ):
        problems.add(
            ValidationError(
                {
                    "patient_last_name": "Give the patient's last name and birth date, "
                    "or link the chart."
                }
            )
        )
    if referral.diagnosis_code:
        try:
            referral.diagnosis_code = normalize_icd10(referral.diagnosis_code)
        except ValueError as exc:
            problems.add(ValidationError({"diagnosis_code": str(exc)}))
        else:
            not_billable = icd10_not_billable(referral.diagnosis_code)
            if not_billable:
                problems.add(ValidationError({"diagnosis_code": not_billable}))
            if not referral.diagnosis_description.strip():
                referral.diagnosis_description = icd10_description(referral.diagnosis_code) or ""
    if referral.referring_provider_id is None:
        problems.add(ValidationError({"referring_provider": "Choose the referring provider."}))
    problems.full_clean(referral)
    problems.raise_if_any()


@transaction.atomic
def referral_create(*, organization: Organization, user: User, **fields: Any) -> Referral:
    """Log a referral as received. Bad input raises ValidationError and saves nothing."""
    reject_unknown(fields, REFERRAL_FIELDS)
    fields.setdefault("received_on", timezone.localdate())
    referral = Referral(organization=organization, **fields)
    referral.state_changed_on = referral.received_on
    _check_referral(referral)
    referral.save()
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        obj=referral,
        organization=organization,
        patient=referral.patient,
        changes=diff({}, snapshot(referral, REFERRAL_FIELDS)),
    )
    return referral


@transaction.atomic
def referral_update(*, referral: Referral, user: User, **fields: Any) -> Referral:
    reject_unknown(fields, REFERRAL_FIELDS)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)

    def save(changed: Referral) -> None:
        _check_referral(changed)
        changed.save()

    audited_update(
        instance=locked,
        user=user,
        data=fields,
        fields=REFERRAL_FIELDS,
        save=save,
        patient=locked.patient,
    )
    return locked


def _guard(referral: Referral, target: str) -> None:
    """What must be true before a referral moves forward (backward moves are free)."""

    orders = list(referral.orders.exclude(status=TreatmentOrder.Status.DISCONTINUED))
    if target == rs.INTAKE_COMPLETE:
        if referral.patient_id is None:
            raise ValidationError("Link or register the patient before completing intake.")
        if not orders:
            raise ValidationError("Enter the treatment order before completing intake.")
    elif target == rs.BENEFITS_VERIFIED:
        waiting = [o for o in orders if not access.benefits_verified(order=o)]
        if waiting or not orders:
            names = ", ".join(o.drug.generic_name for o in waiting) or "the order"
            raise ValidationError(f"Verify benefits for {names} first.")
    elif target == rs.AUTHORIZED:
        waiting = [o for o in orders if not access.authorization_settled(order=o)]
        if waiting or not orders:
            names = ", ".join(o.drug.generic_name for o in waiting) or "the order"
            raise ValidationError(
                f"{names}: record the payer's approval (or that none is required) first."
            )


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    user: User | None,
    to_state: str,
    reason: str = "",
    on_date: dt.date | None = None,
) -> Referral:
    """Move a referral to ``to_state`` if the state machine and the guards allow it.

    Closing (declined, discontinued, lost to follow-up) needs a reason. The move is dated
    (``on_date``, default today) so the days spent in each state can be reported.
    """
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    try:
        rs.REFERRAL.check(locked.state, to_state, reason)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    on = on_date or timezone.localdate()
    not_in_future(on, "on_date", "date of the change")
    if on < locked.state_changed_on:
        raise ValidationError(
            f"The change cannot be dated before {locked.state_changed_on:%m/%d/%Y}, "
            "when the referral entered its current state."
        )
    forward = rs.REFERRAL.states.index(to_state) > rs.REFERRAL.states.index(locked.state)
    if forward and to_state not in rs.CLOSED_STATES:
        _guard(locked, to_state)
    old = locked.state
    ReferralStateChange.objects.create(
        referral=locked,
        from_state=old,
        to_state=to_state,
        changed_on=on,
        changed_by=acting_user(user),
    )
    locked.state, locked.state_changed_on = to_state, on
    locked.closed_reason = reason.strip() if to_state in rs.CLOSED_STATES else ""
    locked.save(update_fields=["state", "state_changed_on", "closed_reason", "updated_at"])
    audit(
        AuditEvent.Action.STATE,
        user=user,
        obj=locked,
        organization=locked.organization,
        patient=locked.patient,
        changes={"state": [old, to_state]},
        reason=reason.strip(),
    )
    return locked


def referral_move_problem(referral: Referral, to_state: str) -> str:
    """Why the referral cannot move forward to ``to_state`` now ("" when it can). Reads only."""
    forward = rs.REFERRAL.states.index(to_state) > rs.REFERRAL.states.index(referral.state)
    if not forward or to_state in rs.CLOSED_STATES:
        return ""
    try:
        _guard(referral, to_state)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def referral_advance(
    *, referral: Referral | None, user: User | None, to_state: str, on_date: dt.date | None = None
) -> bool:
    """Move the referral on when its guard is met; quietly do nothing otherwise.

    Benefits and authorization services call this so a referral follows its work: when
    the last benefits check is verified it becomes "benefits verified", when the payer
    approves (or needs no authorization) "authorized", at the first booking "scheduled"
    and at the first documented treatment "active".
    """
    if referral is None:
        return False
    referral.refresh_from_db(fields=["state", "state_changed_on"])
    if to_state not in rs.REFERRAL.next_states(referral.state):
        return False
    try:
        with transaction.atomic():
            on = max(on_date, referral.state_changed_on) if on_date else None
            referral_transition(referral=referral, user=user, to_state=to_state, on_date=on)
    except ValidationError:
        return False
    referral.refresh_from_db()
    return True


@transaction.atomic
def referral_register_patient(
    *, referral: Referral, user: User, mrn: str, sex: str, **extra: Any
) -> Patient:
    """Register the referred person as a patient (audited there) and link the referral."""

    if referral.patient_id is not None:
        raise ValidationError("This referral is already linked to a patient.")
    patient = patient_create(
        organization=referral.organization,
        user=user,
        mrn=mrn,
        sex=sex,
        first_name=referral.patient_first_name,
        last_name=referral.patient_last_name,
        date_of_birth=referral.patient_date_of_birth,
        phone=referral.patient_phone,
        home_location=referral.location,
        **extra,
    )
    if referral.diagnosis_code and referral.diagnosis_description:
        diagnosis_add(
            patient=patient,
            user=user,
            icd10_code=referral.diagnosis_code,
            description=referral.diagnosis_description,
            is_primary=True,
        )
    referral_update(referral=referral, user=user, patient=patient)
    return patient
