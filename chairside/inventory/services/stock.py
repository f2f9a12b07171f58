"""Stock use cases: receive a lot, dispense, waste, transfer, adjust, return, expire.

These are the interface the visit (and anything else) changes stock through. Each runs in
one transaction, locks the lots it touches (``select_for_update``), refuses what would
take stock below zero, and writes the ledger and the audit trail.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.access.referrals.models import TreatmentOrder
from chairside.inventory.events import dispense_gates
from chairside.inventory.models import Lot, Movement, StoragePlace
from chairside.inventory.services._ledger import (
    locked,
    moment,
    record,
    same_organization,
    today_at,
    whole_vials,
)
from chairside.inventory.services.reservations import consume_for_dispense, reserved_by_lot
from chairside.rules.inventory.fefo import LotStock, plan_dose
from chairside.rules.inventory.reconciliation import Kind
from chairside.rules.inventory.reservations import available_vials
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PARTIAL_WASTE_REASON = "Single-dose vial: unused portion discarded"
LOT_RELATIONS = [
    "public_id",
    "organization",
    "storage_place",
    "package",
    "vendor",
    "invoice",
    "patient",
    "po_line",
    "origin",
]


def _check_receipt(
    *,
    storage_place: StoragePlace,
    lot_number: str,
    expires_on: dt.date,
    received_on: dt.date,
) -> None:
    if not lot_number.strip():
        raise ValidationError({"lot_number": "Enter the lot number printed on the carton."})
    if expires_on < received_on:
        raise ValidationError(
            {
                "expires_on": f"This lot expired on {expires_on:%m/%d/%Y}: expired drug "
                "cannot be received into stock. Refuse it or return it to the vendor."
            }
        )
    if not storage_place.is_active or storage_place.kind == StoragePlace.Kind.QUARANTINE:
        raise ValidationError({"storage_place": "Receive into an active, usable storage place."})


def _check_cost(patient: Any, cost_per_vial: Decimal | None, vendor: Any, invoice: Any) -> Decimal:
    if patient is not None:
        if cost_per_vial:
            raise ValidationError(
                {
                    "cost_per_vial": "Patient-specific stock costs the center nothing: the "
                    "specialty pharmacy bills the patient's plan, not us."
                }
            )
        if invoice is not None:
            raise ValidationError({"invoice": "Patient-specific stock has no vendor invoice."})
        return Decimal(0)
    if vendor is None:
        raise ValidationError({"vendor": "Choose the vendor the drug was bought from."})
    if cost_per_vial is None or cost_per_vial < 0:
        raise ValidationError({"cost_per_vial": "Enter the acquisition cost per vial."})
    return Decimal(cost_per_vial)


def _check_replacement(program: Any, patient: Any, package: Any, day: dt.date) -> None:
    """Free drug comes for one enrolled patient, under a free-drug program, for that drug."""
    if program is None:
        return
    if program.organization_id != package.drug.organization_id:
        raise ValidationError(
            {"replacement_program": "Choose one of your organization's programs."}
        )
    if program.kind != "free_drug":
        raise ValidationError(
            {"replacement_program": f"{program} is not a free-drug (replacement) program."}
        )
    if patient is None:
        raise ValidationError(
            {"patient": "Replacement drug is received for the enrolled patient: give the MRN."}
        )
    enrolled = program.enrollments.filter(patient=patient, drug=package.drug_id)
    if not any(e.is_active_on(day) for e in enrolled):
        raise ValidationError(
            {
                "replacement_program": f"{patient} has no current enrolment in {program} "
                f"for {package.drug}."
            }
        )


@transaction.atomic
def stock_receive(
    *,
    organization: Organization,
    user: User,
    storage_place: StoragePlace,
    package: Any,
    lot_number: str,
    expires_on: dt.date,
    vials: Any,
    cost_per_vial: Decimal | None = None,
    vendor: Any = None,
    invoice: Any = None,
    patient: Any = None,
    po_line: Any = None,
    at: dt.datetime | None = None,
    replacement_program: Any = None,
) -> Lot:
    """Receive ``vials`` of one lot into a storage place; returns the new lot.

    Center stock needs a vendor and a cost per vial; patient-specific (white-bag) stock is
    received against ``patient`` at no cost and no invoice. Refuses expired lots, fractional
    or non-positive vial counts and another organization's records; saves nothing then.
    ``at`` records a receipt after the fact (never in the future).
    """
    same_organization(
        organization, storage_place=storage_place, package=package, vendor=vendor, patient=patient
    )
    count = whole_vials(vials)
    when, received_on = moment(at, storage_place.location)
    _check_replacement(replacement_program, patient, package, received_on)
    _check_receipt(
        storage_place=storage_place,
        lot_number=lot_number,
        expires_on=expires_on,
        received_on=received_on,
    )
    cost = _check_cost(patient, cost_per_vial, vendor, invoice)
    lot = Lot(
        organization=organization,
        storage_place=storage_place,
        package=package,
        lot_number=lot_number.strip().upper(),
        expires_on=expires_on,
        vials_received=count,
        cost_per_vial=cost,
        vendor=vendor,
        invoice=invoice,
        received_on=received_on,
        patient=patient,
        po_line=po_line,
        replacement_program=replacement_program,
    )
    # Relations were checked above (same organization); the database enforces the constraints.
    lot.full_clean(exclude=LOT_RELATIONS, validate_constraints=False)
    lot.save()
    reason = f"Invoice {invoice.number}" if invoice is not None else ""
    if replacement_program is not None:
        reason = f"Replacement (free) drug from {replacement_program}: never billed"
    record(
        lot=locked(lot),
        kind=Kind.RECEIVE,
        vials=count,
        user=user,
        patient=patient,
        reason=reason,
        at=when,
    )
    lot.refresh_from_db()
    return lot


def _check_dispensable(lot: Lot, patient: Any, day: dt.date) -> None:
    if lot.is_expired_on(day):
        raise ValidationError(
            {"lot": f"Lot {lot.lot_number} expired on {lot.expires_on:%m/%d/%Y}; do not use it."}
        )
    if lot.storage_place.kind == StoragePlace.Kind.QUARANTINE:
        raise ValidationError({"lot": f"Lot {lot.lot_number} is in quarantine; do not use it."})
    if lot.patient_id is not None and lot.patient_id != patient.pk:
        raise ValidationError(
            {
                "lot": f"Lot {lot.lot_number} is patient-specific stock for {lot.patient}; "
                "it can only be given to them."
            }
        )


@transaction.atomic
def stock_dispense(
    *,
    lot: Lot,
    vials: Any,
    patient: Any,
    user: User,
    visit_ref: str | None = None,
    at: dt.datetime | None = None,
) -> Movement:
    """Dispense whole vials of a lot to a patient (for a visit); returns the movement.

    Refuses an expired or quarantined lot, another patient's patient-specific stock, and
    more vials than the lot holds (under a row lock, so concurrent dispenses queue).
    ``at`` records a dispense after the fact (never in the future).
    """
    current = locked(lot)
    same_organization(current.organization, patient=patient)
    count = whole_vials(vials)
    when, day = moment(at, current.storage_place.location)
    _check_dispensable(current, patient, day)
    consume_for_dispense(lot=current, patient=patient, vials=count, visit_ref=visit_ref)
    return record(
        lot=current,
        kind=Kind.DISPENSE,
        vials=-count,
        mg=current.package.strength_mg * count,
        user=user,
        patient=patient,
        visit_ref=visit_ref or "",
        at=when,
    )


def _candidate_lots(
    *, organization: Organization, location: Any, package: Any = None, drug: Any = None
) -> Any:
    if (package is None) == (drug is None):
        raise ValueError("give exactly one of package and drug")
    lots = Lot.objects.filter(
        organization=organization, storage_place__location=location, on_hand__gt=0
    ).exclude(storage_place__kind=StoragePlace.Kind.QUARANTINE)
    lots = lots.filter(package=package) if package is not None else lots.filter(package__drug=drug)
    return lots.select_related("package__drug", "storage_place__location").order_by("pk")


def _suggest(
    lots: list[Lot], dose_mg: Decimal, patient: Any, today: dt.date
) -> list[tuple[Lot, int]]:
    by_id = {str(lot.pk): lot for lot in lots}
    # Vials reserved for other patients' appointments are not this dose's to take.
    held = reserved_by_lot([lot.pk for lot in lots], exclude_patient=patient)
    stock = [
        LotStock(
            str(lot.pk),
            lot.package.strength_mg,
            lot.expires_on,
            available_vials(lot.on_hand, held.get(lot.pk, 0)),
            str(lot.patient_id) if lot.patient_id else None,
        )
        for lot in lots
    ]
    try:
        picks = plan_dose(stock, Decimal(dose_mg), today=today, patient_id=str(patient.pk))
    except ValueError as exc:
        raise ValidationError(
            {"dose_mg": f"Cannot prepare {dose_mg} mg from stock: {exc}."}
        ) from None
    return [(by_id[p.lot_id], p.vials) for p in picks]


def dispense_suggestion(
    *,
    organization: Organization,
    location: Any,
    dose_mg: Decimal,
    patient: Any,
    package: Any = None,
    drug: Any = None,
    today: dt.date | None = None,
) -> list[tuple[Lot, int]]:
    """The lots and vial counts to prepare a dose: ``choose_vials``, first expiry first out.

    Uses the patient's own (white-bag) stock first, never another patient's, never an
    expired or quarantined lot. ValidationError when the location's stock cannot cover it.
    """
    lots = list(
        _candidate_lots(organization=organization, location=location, package=package, drug=drug)
    )
    return _suggest(lots, dose_mg, patient, today or today_at(location))


def _check_order_signed(patient: Any, drug: Any) -> None:
    """Refuse a dose for an active order awaiting a provider's signature (issue 11.2)."""

    orders = TreatmentOrder.objects.select_for_update().filter(
        patient=patient, drug=drug, status=TreatmentOrder.Status.ACTIVE
    )
    for order in orders:
        problem = order.signature_problem()
        if problem:
            raise ValidationError(
                {"drug": f"{drug.generic_name} for {patient}: {problem}. Nothing was dispensed."}
            )


def _check_prep_gate(organization: Organization, visit_ref: str | None) -> None:
    if not visit_ref:
        return
    dispense_gates(organization=organization, visit_ref=visit_ref)


@transaction.atomic
def stock_dispense_dose(
    *,
    organization: Organization,
    location: Any,
    drug: Any,
    dose_mg: Decimal,
    patient: Any,
    user: User,
    visit_ref: str | None = None,
    at: dt.datetime | None = None,
) -> list[Movement]:
    """Dispense what a dose needs, as ``dispense_suggestion`` picks it, in one transaction.

    Refused while the patient's active order for the drug awaits a provider's signature,
    and, when ``visit_ref`` names a booking or visit, until that dose passes the visit's
    prep gate (checked in and cleared, or an early-preparation reason recorded).
    """
    same_organization(organization, drug=drug, patient=patient)
    _check_order_signed(patient, drug)
    _check_prep_gate(organization, visit_ref)
    when, day = moment(at, location)
    lots = list(
        _candidate_lots(organization=organization, location=location, drug=drug).select_for_update(
            of=("self",)
        )
    )
    picks = _suggest(lots, dose_mg, patient, day)
    return [
        stock_dispense(lot=lot, vials=n, patient=patient, user=user, visit_ref=visit_ref, at=when)
        for lot, n in picks
    ]


def _partial_waste(lot: Lot, mg: Any, visit_ref: str | None) -> tuple[Decimal, Movement]:
    """Check a partial-vial waste against the dispense it came from."""
    try:
        amount = Decimal(str(mg))
    except ArithmeticError:
        raise ValidationError({"mg": f"“{mg}” is not a number of milligrams."}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"mg": "Enter the milligrams discarded (more than 0)."})
    amount = amount.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)  # what can be measured
    if not visit_ref:
        raise ValidationError({"visit_ref": "Say which visit opened the vial."})
    dispensed = list(lot.movements.filter(kind=Kind.DISPENSE, visit_ref=visit_ref))
    if not dispensed:
        raise ValidationError(
            {"visit_ref": f"No vial of lot {lot.lot_number} was dispensed for visit {visit_ref}."}
        )
    opened = sum((m.mg or Decimal(0) for m in dispensed), Decimal(0))
    wasted = sum(
        (
            m.mg or Decimal(0)
            for m in lot.movements.filter(kind=Kind.WASTE, vials=0, visit_ref=visit_ref)
        ),
        Decimal(0),
    )
    if amount > min(opened - wasted, lot.package.strength_mg):
        raise ValidationError(
            {
                "mg": f"{amount} mg is more than was left in the opened vial "
                f"({min(opened - wasted, lot.package.strength_mg)} mg at most)."
            }
        )
    return amount, dispensed[-1]


@transaction.atomic
def stock_waste(
    *,
    lot: Lot,
    user: User | None,
    reason: str = "",
    vials: Any = None,
    mg: Any = None,
    visit_ref: str | None = None,
    at: dt.datetime | None = None,
) -> Movement:
    """Record waste: whole unopened vials (``vials``) or an opened vial's discarded ``mg``.

    Whole vials (broken, contaminated, out of temperature) leave stock and need a reason.
    A partial-vial waste changes no vial count: the vial was dispensed to a visit; it
    records the milligrams discarded against that visit's dispense (the JW amount).
    """
    current = locked(lot)
    if (vials is None) == (mg is None):
        raise ValidationError("Record either whole vials wasted or the milligrams discarded.")
    if mg is not None:
        amount, dispense = _partial_waste(current, mg, visit_ref)
        return record(
            lot=current,
            kind=Kind.WASTE,
            vials=0,
            mg=amount,
            user=user,
            patient=dispense.patient,
            visit_ref=visit_ref or "",
            reason=reason.strip() or PARTIAL_WASTE_REASON,
            related=dispense,
            at=at,
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the vials were wasted (broken, contaminated…)."})
    count = whole_vials(vials)
    return record(
        lot=current,
        kind=Kind.WASTE,
        vials=-count,
        mg=current.package.strength_mg * count,
        user=user,
        reason=reason.strip(),
        at=at,
    )


def _destination(source: Lot, to_place: StoragePlace) -> Lot:
    """The lot row at the destination: the original lot itself when stock goes back home."""
    root = source.origin or source
    if root.storage_place_id == to_place.pk:
        return locked(root)
    found = Lot.objects.select_for_update().filter(storage_place=to_place, origin=root).first()
    if found is not None:
        return found
    copy = Lot(
        organization=source.organization,
        storage_place=to_place,
        package=source.package,
        lot_number=source.lot_number,
        expires_on=source.expires_on,
        vials_received=0,
        cost_per_vial=source.cost_per_vial,
        vendor=source.vendor,
        invoice=source.invoice,
        received_on=source.received_on,
        patient=source.patient,
        origin=root,
    )
    copy.full_clean()
    copy.save()
    return locked(copy)


@transaction.atomic
def stock_transfer(
    *,
    lot: Lot,
    vials: Any,
    to_place: StoragePlace,
    user: User | None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> tuple[Movement, Movement]:
    """Move vials to another storage place (another site, or another fridge).

    The destination keeps the lot's identity (number, expiry, cost, patient). Refuses more
    than is on hand; returns the (transfer out, transfer in) movements.
    """
    current = locked(lot)
    same_organization(current.organization, to_place=to_place)
    count = whole_vials(vials)
    if to_place.pk == current.storage_place_id:
        raise ValidationError({"to_place": "Choose a different storage place."})
    if not to_place.is_active:
        raise ValidationError({"to_place": f"{to_place} is not in use."})
    if count > current.on_hand:
        raise ValidationError(
            {"vials": f"Only {current.on_hand} vials of lot {current.lot_number} are on hand."}
        )
    note = reason.strip() or f"To {to_place}"
    out = record(lot=current, kind=Kind.TRANSFER_OUT, vials=-count, user=user, reason=note, at=at)
    destination = _destination(current, to_place)
    back = f"From {current.storage_place}" + (f": {reason.strip()}" if reason.strip() else "")
    inward = record(
        lot=destination,
        kind=Kind.TRANSFER_IN,
        vials=count,
        user=user,
        reason=back,
        related=out,
        at=out.at,
    )
    return out, inward


@transaction.atomic
def stock_adjust(
    *, lot: Lot, vials: Any, reason: str, user: User | None, at: dt.datetime | None = None
) -> Movement:
    """Correct a lot's on-hand by a signed number of vials, with the reason (a count, a find)."""
    current = locked(lot)
    if not reason.strip():
        raise ValidationError({"reason": "Every adjustment needs a reason."})
    try:
        change = int(str(vials).strip())
    except ValueError:
        raise ValidationError({"vials": "Enter a whole number of vials, e.g. -2 or 3."}) from None
    if change == 0:
        raise ValidationError({"vials": "An adjustment of 0 vials changes nothing."})
    return record(
        lot=current, kind=Kind.ADJUST, vials=change, user=user, reason=reason.strip(), at=at
    )


@transaction.atomic
def stock_return(
    *, lot: Lot, vials: Any, reason: str, user: User, at: dt.datetime | None = None
) -> Movement:
    """Return vials to the vendor (recall, short-dated, wrong item), with the reason."""
    current = locked(lot)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the vials go back (recall, wrong item…)."})
    count = whole_vials(vials)
    return record(
        lot=current, kind=Kind.RETURN, vials=-count, user=user, reason=reason.strip(), at=at
    )


@transaction.atomic
def stock_expire(*, lot: Lot, user: User, at: dt.datetime | None = None) -> Movement:
    """Take every remaining vial of an expired lot off the shelf."""
    current = locked(lot)
    when, day = moment(at, current.storage_place.location)
    if not current.is_expired_on(day):
        raise ValidationError(
            f"Lot {current.lot_number} may be used until {current.expires_on:%m/%d/%Y}."
        )
    if current.on_hand == 0:
        raise ValidationError(f"Lot {current.lot_number} has nothing left on the shelf.")
    return record(
        lot=current,
        kind=Kind.EXPIRE,
        vials=-current.on_hand,
        user=user,
        reason=f"Expired {current.expires_on:%m/%d/%Y}",
        at=when,
    )


@transaction.atomic
def stock_expire_lots(
    *, lots: list[tuple[Lot, int]], user: User, at: dt.datetime | None = None
) -> list[Movement]:
    """Take expired lots off the shelf, all or nothing, as the pharmacist confirmed them.

    ``lots`` pairs each lot with the vials on hand that the confirmation page showed; a lot
    that holds another number now (a dispense or count since) refuses the whole removal, so
    what is written is what was confirmed.
    """
    if not lots:
        raise ValidationError("No expired lots were chosen.")
    moves = []
    for lot, shown in lots:
        current = locked(lot)
        if current.on_hand != shown:
            raise ValidationError(
                f"Lot {current.lot_number} now holds {current.on_hand} vials, not the {shown} "
                "shown: nothing was removed; look at the list again."
            )
        moves.append(stock_expire(lot=current, user=user, at=at))
    return moves
