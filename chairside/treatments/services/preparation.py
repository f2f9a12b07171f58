"""Preparing the dose: vials dispensed from lots (inventory service), then made up and
independently checked by a second person.

Dispensing goes through ``chairside.inventory.services.stock_dispense`` with the visit as
``visit_ref``, so the ledger names the patient and the visit for every vial; the discarded
part of opened vials is recorded as waste when the visit is signed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.accounts.services import cosigner_authenticate
from chairside.audit.models import AuditEvent
from chairside.audit.services import diff, snapshot
from chairside.inventory.models import Lot, Movement
from chairside.inventory.services import stock_dispense
from chairside.rules.clinical import infusion
from chairside.rules.clinical.double_check import Cosigner, checker_needs, cosigner_problem
from chairside.scheduling.checks import competences_of
from chairside.scheduling.models import NurseShift
from chairside.tenancy.models import StaffMember
from chairside.treatments.models import Preparation, PreparationVial, Visit
from chairside.treatments.selectors import dose_plan
from chairside.treatments.services._common import (
    audit,
    audit_change,
    locked_visit,
    on_visit_day,
    require_signed_order,
    same_organization,
    staff_for,
)
from chairside.treatments.services.prep_gate import require_prep_allowed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PREP_FIELDS = (
    "dose_mg",
    "diluent",
    "bag_volume_ml",
    "final_volume_ml",
    "concentration_mg_ml",
    "kind",
    "label_limit_hours",
    "prepared_at",
    "beyond_use_at",
    "prepared_by",
    "checked_by",
    "notes",
)
WASTE_FIELDS = ("waste_mg", "waste_witnessed_by")
DOSE_TOLERANCE = Decimal("0.10")  # a prepared dose within 10 % of the plan needs no reason


def _preparation(visit: Visit) -> Preparation:
    """The visit's preparation, made with the planned dose on first use."""
    prep = Preparation.objects.select_for_update().filter(visit=visit).first()
    if prep is not None:
        return prep
    plan = dose_plan(visit)
    if plan.dose_mg is None:
        raise ValidationError({"dose_mg": plan.problem})
    prep = Preparation(visit=visit, dose_mg=plan.dose_mg)
    prep.full_clean()
    prep.save()
    return prep


def _check_lot(visit: Visit, lot: Lot) -> None:
    same_organization(visit, lot=lot)
    if lot.package.drug_id != visit.order.drug_id:
        raise ValidationError(
            {"lot": f"Lot {lot.lot_number} is {lot.package.drug}, not {visit.order.drug}."}
        )
    if lot.storage_place.location_id != visit.location_id:
        raise ValidationError(
            {
                "lot": f"Lot {lot.lot_number} is kept at {lot.storage_place.location}; "
                "transfer it here first."
            }
        )


@transaction.atomic
def preparation_dispense(
    *, visit: Visit, user: User, picks: list[tuple[Lot, int]]
) -> list[PreparationVial]:
    """Dispense vials from lots for this visit's dose (all or nothing).

    Each pick goes through the inventory service: it refuses an expired or quarantined
    lot, another patient's white-bag stock, and more vials than the lot holds.
    """
    current = locked_visit(visit)
    if current.dose_held:
        raise ValidationError("The dose is held today: nothing is to be prepared.")
    require_signed_order(current)
    require_prep_allowed(current.appointment, current)
    if not picks:
        raise ValidationError({"lot": "Choose at least one lot and a number of vials."})
    prep = _preparation(current)
    if prep.prepared_at is not None:
        raise ValidationError(
            "The dose is already made up: to change it, clear the preparation time first."
        )
    made = []
    for lot, vials in picks:
        _check_lot(current, lot)
        movement = stock_dispense(
            lot=lot,
            vials=vials,
            patient=current.patient,
            user=user,
            visit_ref=str(current.public_id),
        )
        row = PreparationVial.objects.create(
            preparation=prep, lot=lot, vials=abs(movement.vials), movement=movement
        )
        made.append(row)
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=current,
        obj=prep,
        changes={"vials": [None, [f"{r.vials} x {r.lot.lot_number}" for r in made]]},
    )
    return made


@transaction.atomic
def preparation_attach(
    *, visit: Visit, user: User, movements: list[Movement]
) -> list[PreparationVial]:
    """Attach vials already dispensed for this patient (by the pharmacy, on the inventory
    pages) to the visit's preparation; their waste is recorded against that dispense."""
    current = locked_visit(visit)
    require_signed_order(current)
    require_prep_allowed(current.appointment, current)
    prep = _preparation(current)
    made = []
    for move in movements:
        if move.kind != Movement.Kind.DISPENSE or move.patient_id != current.patient_id:
            raise ValidationError({"lot": "Only vials dispensed to this patient can be used."})
        _check_lot(current, move.lot)
        if PreparationVial.objects.filter(movement=move).exists():
            raise ValidationError(
                {"lot": f"Those vials of lot {move.lot.lot_number} are already used."}
            )
        made.append(
            PreparationVial.objects.create(
                preparation=prep, lot=move.lot, vials=abs(move.vials), movement=move
            )
        )
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=current,
        obj=prep,
        changes={"vials": [None, [f"{r.vials} x {r.lot.lot_number}" for r in made]]},
    )
    return made


def _dose(prep: Preparation, visit: Visit, dose_mg: Decimal, notes: str) -> None:
    if dose_mg is None or dose_mg <= 0:
        raise ValidationError({"dose_mg": "Enter the dose prepared in mg."})
    opened = prep.opened_mg
    if dose_mg > opened:
        raise ValidationError(
            {
                "dose_mg": f"The vials dispensed hold {opened.normalize():f} mg; a "
                f"{dose_mg.normalize():f} mg dose needs more vials."
            }
        )
    plan = dose_plan(visit).dose_mg
    if plan and abs(dose_mg - plan) > plan * DOSE_TOLERANCE and not notes.strip():
        raise ValidationError(
            {
                "notes": f"The dose differs from the ordered {plan.normalize():f} mg by more than "
                "10 %: write who ordered the change."
            }
        )


def _times(
    visit: Visit, prep: Preparation, prepared_at: dt.datetime | None, beyond: dt.datetime | None
) -> None:
    on_visit_day(visit, prepared_at, "prepared_at", "preparation time")
    if prepared_at is None:
        prep.prepared_at = prep.beyond_use_at = None
        return
    try:
        if beyond is None:
            beyond = infusion.beyond_use(prepared_at, prep.kind, prep.label_limit_hours)
        infusion.check_beyond_use(prepared_at, beyond, prep.kind, prep.label_limit_hours)
    except ValueError as exc:
        raise ValidationError({"beyond_use_at": str(exc)}) from None
    prep.prepared_at, prep.beyond_use_at = prepared_at, beyond


def label_limit(drug: Any, typed: Decimal | None) -> Decimal | None:
    """The label's limit from preparation to the start: the formulary's (with its source),
    or the one the preparer typed, whichever is shorter (issue 12 item 14)."""
    known = drug.use_within_hours
    if known is None:
        return typed
    return known if typed is None else min(Decimal(known), typed)


@transaction.atomic
def preparation_save(
    *,
    visit: Visit,
    user: User,
    dose_mg: Decimal,
    final_volume_ml: Decimal | None,
    diluent: str = "",
    bag_volume_ml: Decimal | None = None,
    kind: str = "immediate_use",
    label_limit_hours: Decimal | None = None,
    prepared_at: dt.datetime | None = None,
    beyond_use_at: dt.datetime | None = None,
    prepared_by: StaffMember | None = None,
    notes: str = "",
) -> Preparation:
    """Record how the dose was made up: dose, diluent, volumes, concentration, times.

    The dose must fit in the vials dispensed; a dose more than 10 % off the plan needs a
    note; the beyond-use time defaults from USP <797> (and the label's limit when given)
    and may not exceed it. A change after the check clears the check: check again.
    """
    current = locked_visit(visit)
    require_signed_order(current)
    require_prep_allowed(current.appointment, current)
    prep = _preparation(current)
    before = snapshot(prep, PREP_FIELDS)
    if not prep.vials.exists():
        raise ValidationError({"dose_mg": "Dispense the vials from stock first."})
    if kind not in infusion.BEYOND_USE_HOURS:
        raise ValidationError({"kind": "Choose how the dose is prepared."})
    _dose(prep, current, dose_mg, notes)
    staff = prepared_by or staff_for(user, current.organization)
    same_organization(current, prepared_by=staff)
    prep.dose_mg, prep.diluent, prep.notes = dose_mg, diluent.strip()[:80], notes.strip()[:255]
    prep.bag_volume_ml, prep.final_volume_ml = bag_volume_ml, final_volume_ml
    prep.kind, prep.prepared_by = kind, staff
    prep.label_limit_hours = label_limit(current.order.drug, label_limit_hours)
    prep.concentration_mg_ml = (
        infusion.final_concentration(dose_mg, final_volume_ml) if final_volume_ml else None
    )
    _times(current, prep, prepared_at, beyond_use_at)
    if prep.checked_by_id == getattr(staff, "pk", None) or snapshot(prep, PREP_FIELDS) != before:
        prep.checked_by, prep.checked_at = None, None  # what was checked has changed
    if prep.waste_witnessed_by_id is not None and prep.waste_expected_mg != prep.waste_mg:
        # Another dose leaves another waste: it is witnessed again.
        prep.waste_mg, prep.waste_witnessed_by, prep.waste_witnessed_at = None, None, None
    prep.full_clean()
    prep.save()
    audit_change(user=user, visit=current, obj=prep, before=before, fields=PREP_FIELDS)
    return prep


def preparation_cosign(
    *, visit: Visit, user: User, username: str, password: str, ip_address: str | None
) -> Preparation:
    """The independent double check, confirmed by the checker herself on this device.

    She types her own user name and password (re-authenticated and throttled like the
    log-in, ``accounts.services.cosigner_authenticate``); she must be another person than
    the one logged in and than the preparer, licensed, with current competencies for the
    drug and on the rota at the site that day (``rules.clinical.double_check``). The check is
    recorded and audited as her action; the device's user is noted beside it.
    """

    # Outside the transaction: a wrong password must stay recorded for the throttle.
    checker_user = cosigner_authenticate(
        username=username,
        password=password,
        organization=visit.organization,
        ip_address=ip_address,
    )
    return _record_cosign(visit=visit, user=user, checker_user=checker_user)


@transaction.atomic
def _record_cosign(*, visit: Visit, user: User, checker_user: User) -> Preparation:
    current = locked_visit(visit)
    prep = Preparation.objects.select_for_update().filter(visit=current).first()
    if prep is None or not prep.is_prepared:
        raise ValidationError({"cosigner": "Record the preparation before it is checked."})
    staff = staff_for(checker_user, current.organization)
    if staff is None:
        raise ValidationError({"cosigner": "That log-in has no staff record here."})
    problem = cosigner_problem(
        _cosigner(staff, current, prep, device_user=user),
        checker_needs(current.order.drug.admin_category, staff.credential),
        current.date,
    )
    if problem:
        raise ValidationError({"cosigner": problem})
    before = snapshot(prep, PREP_FIELDS)
    prep.checked_by, prep.checked_at = staff, timezone.now()
    prep.full_clean()
    prep.save()
    changes = diff(before, snapshot(prep, PREP_FIELDS))
    changes["confirmed_on_device_of"] = [None, getattr(user, "username", "")]
    audit("update", user=checker_user, visit=current, obj=prep, changes=changes)
    return prep


def preparation_waste_witness(
    *, visit: Visit, user: User, username: str, password: str, ip_address: str | None
) -> Preparation:
    """The witness of the waste of the opened vials confirms it herself on this device.

    For a drug the formulary marks for witnessed waste (``Drug.waste_witness_required``):
    the part of the opened vials left after the dose is drawn is discarded in front of a
    second licensed person. Like the independent double check (``preparation_cosign``) she
    types her own user name and password (re-authenticated and throttled), must be another
    person than the one logged in, hold current competencies for the drug and be on the rota
    at the site that day; the witness is recorded and audited as her action, with the
    milligrams she saw wasted.
    """

    witness_user = cosigner_authenticate(
        username=username,
        password=password,
        organization=visit.organization,
        ip_address=ip_address,
    )
    return _record_waste_witness(visit=visit, user=user, witness_user=witness_user)


@transaction.atomic
def _record_waste_witness(*, visit: Visit, user: User, witness_user: User) -> Preparation:
    current = locked_visit(visit)
    prep = Preparation.objects.select_for_update().filter(visit=current).first()
    if prep is None or not prep.is_prepared:
        raise ValidationError({"cosigner": "Record the preparation before the waste is witnessed."})
    if not current.order.drug.waste_witness_required:
        raise ValidationError(
            {"cosigner": f"{current.order.drug} is not marked for witnessed waste."}
        )
    waste = prep.waste_expected_mg
    if waste <= 0:
        raise ValidationError(
            {"cosigner": "The opened vials hold no more than the dose: no waste."}
        )
    staff = staff_for(witness_user, current.organization)
    if staff is None:
        raise ValidationError({"cosigner": "That log-in has no staff record here."})
    witness = _cosigner(staff, current, prep, device_user=user)
    # The preparer may witness a waste someone else makes; only the device's user may not.
    problem = cosigner_problem(
        dataclasses.replace(witness, is_preparer=False),
        checker_needs(current.order.drug.admin_category, staff.credential),
        current.date,
    )
    if problem:
        raise ValidationError({"cosigner": problem.replace("second check", "witness")})
    before = snapshot(prep, WASTE_FIELDS)
    prep.waste_mg = waste
    prep.waste_witnessed_by, prep.waste_witnessed_at = staff, timezone.now()
    prep.full_clean()
    prep.save()
    changes = diff(before, snapshot(prep, WASTE_FIELDS))
    changes["confirmed_on_device_of"] = [None, getattr(user, "username", "")]
    audit("update", user=witness_user, visit=current, obj=prep, changes=changes)
    return prep


def _cosigner(
    staff: StaffMember, visit: Visit, prep: Preparation, *, device_user: User
) -> Cosigner:
    return Cosigner(
        name=str(staff),
        credential=staff.credential,
        competencies=competences_of(staff),
        on_shift=NurseShift.objects.filter(
            staff=staff, location=visit.location, date=visit.date
        ).exists(),
        is_device_user=staff.user_id == device_user.pk,
        is_preparer=staff.pk == prep.prepared_by_id,
    )
