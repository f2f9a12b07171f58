"""Compounding use cases: keep a master formulation, compound a dose from stock, verify it.

Each write is keyword-only, runs in one transaction and is audited. Stock leaves through the
inventory's own ``stock_dispense`` (row lock, never below zero, expired and quarantined lots
refused, another patient's stock refused), so a refused ingredient leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.accounts.services import cosigner_authenticate
from chairside.audit.services import audit_record, snapshot
from chairside.compounding.models import (
    CompoundingArea,
    CompoundingIngredient,
    CompoundingRecord,
    MasterFormulation,
    MasterIngredient,
)
from chairside.core.actors import acting_user
from chairside.inventory.models import Lot
from chairside.inventory.services import stock_dispense
from chairside.rules.inventory import compounding as rules
from chairside.tenancy.models import Membership, Organization, StaffMember
from chairside.tenancy.roles import Perm, has_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CLOCK_SLACK = dt.timedelta(minutes=5)
PHARMACIST = "PharmD"
RECORD_FIELDS = [
    "number",
    "formulation",
    "patient",
    "area",
    "category",
    "storage",
    "started_at",
    "diluent",
    "diluent_lot",
    "diluent_expires_on",
    "final_volume_ml",
    "dose_mg",
    "concentration_mg_ml",
    "beyond_use_at",
    "bud_limited_by",
    "prepared_by_name",
    "status",
]


@dataclass(frozen=True)
class Draw:
    """What the preparer drew for one ingredient: from which lot, how many vials, how much."""

    ingredient: MasterIngredient
    lot: Lot
    vials: int
    amount_mg: Decimal


def _same_organization(organization: Organization, **rows: Any) -> None:
    for name, row in rows.items():
        owner = getattr(row, "organization_id", None)
        if owner != organization.pk:
            raise ValidationError({name: "Choose one of your organization's own records."})


def _decimal(value: Any, field: str, what: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"“{value}” is not a number of {what}."}) from None
    if not number.is_finite() or number <= 0:
        raise ValidationError({field: f"Enter the {what} (more than 0)."})
    return number


def person_name(user: User, organization: Organization) -> str:
    staff = StaffMember.objects.filter(user_id=user.pk, organization=organization).first()
    if staff is not None:
        return str(staff)
    return str(user.get_full_name() or user.get_username())


def _check_rules(category: str, storage: str, area_kind: str) -> None:
    try:
        rules.bud_limit(category, storage)
        problem = rules.area_problem(category, area_kind)
    except ValueError as exc:
        raise ValidationError({"category": str(exc)}) from None
    if problem:
        raise ValidationError({"area_kind": problem})


@transaction.atomic
def formulation_create(
    *,
    organization: Organization,
    user: User | None,
    name: str,
    drugs: Sequence[tuple[Any, Decimal | None]],
    diluent: str,
    final_volume_ml: Any,
    category: str,
    storage: str,
    area_kind: str,
    container: str = "IV bag",
    stability_hours: Decimal | None = None,
    instructions: str = "",
    is_demo: bool = False,
) -> MasterFormulation:
    """A master formulation record: its drugs (an empty amount: the patient's ordered dose),
    diluent, final volume, category, storage and the area it is made in. Refused when USP
    <797> gives the category no BUD for that storage or does not allow it in that area."""
    if not name.strip():
        raise ValidationError({"name": "Name the formulation."})
    if not drugs:
        raise ValidationError({"drug": "A formulation has at least one drug."})
    for drug, _ in drugs:
        _same_organization(organization, drug=drug)
    _check_rules(category, storage, area_kind)
    if MasterFormulation.objects.filter(organization=organization, name=name.strip()).exists():
        raise ValidationError({"name": f"A formulation named “{name.strip()}” exists already."})
    formulation = MasterFormulation(
        organization=organization,
        name=name.strip(),
        container=container.strip() or "IV bag",
        diluent=diluent.strip(),
        final_volume_ml=_decimal(final_volume_ml, "final_volume_ml", "final volume in mL"),
        category=category,
        storage=storage,
        area_kind=area_kind,
        stability_hours=stability_hours,
        instructions=instructions.strip(),
        is_demo=is_demo,
        created_by=acting_user(user),
    )
    formulation.full_clean(exclude=["organization", "created_by"])
    formulation.save()
    for position, (drug, amount) in enumerate(drugs, start=1):
        MasterIngredient.objects.create(
            formulation=formulation, drug=drug, amount_mg=amount, position=position
        )
    audit_record(
        action="create",
        user=user,
        organization=organization,
        obj=formulation,
        changes={k: [None, v] for k, v in snapshot(formulation).items() if v not in ("", None)},
    )
    return formulation


def _check_draws(
    formulation: MasterFormulation, area: CompoundingArea, draws: Sequence[Draw]
) -> None:
    wanted = list(formulation.ingredients.select_related("drug"))
    if sorted(d.ingredient.pk for d in draws) != sorted(i.pk for i in wanted):
        names = ", ".join(i.drug.generic_name for i in wanted)
        raise ValidationError({"lot": f"Draw each ingredient of the formulation once: {names}."})
    for draw in draws:
        drug = draw.ingredient.drug
        field = f"lot_{draw.ingredient.public_id}"
        if draw.lot.package.drug_id != drug.pk:
            raise ValidationError(
                {
                    field: f"Lot {draw.lot.lot_number} is {draw.lot.package.drug.generic_name}, "
                    f"not {drug.generic_name}."
                }
            )
        if draw.lot.storage_place.location_id != area.location_id:
            raise ValidationError(
                {
                    field: f"Lot {draw.lot.lot_number} is kept at "
                    f"{draw.lot.storage_place.location}, not where {area.name} is."
                }
            )
        problem = rules.drawn_problem(draw.amount_mg, draw.vials, draw.lot.package.strength_mg)
        if problem:
            raise ValidationError({field: f"{drug.generic_name}: {problem}"})
        if draw.ingredient.amount_mg and draw.amount_mg != draw.ingredient.amount_mg:
            raise ValidationError(
                {
                    field: f"The formulation takes {draw.ingredient.amount_mg.normalize():f} mg of "
                    f"{drug.generic_name}, not {draw.amount_mg.normalize():f} mg."
                }
            )


def _check_start(started_at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if started_at is None:
        return now
    if timezone.is_naive(started_at):
        raise ValidationError({"started_at": "The start time must carry its time zone."})
    if started_at > now + CLOCK_SLACK:  # a clock a little ahead of the server's
        raise ValidationError({"started_at": "Preparation cannot start in the future."})
    if started_at < now - dt.timedelta(days=2):
        raise ValidationError({"started_at": "Record a preparation within two days of making it."})
    return started_at


def _check_area(organization: Organization, area: CompoundingArea, category: str) -> None:
    _same_organization(organization, area=area)
    if not area.is_active:
        raise ValidationError({"area": f"{area.name} is not in use."})
    problem = rules.area_problem(category, area.kind)
    if problem:
        raise ValidationError({"area": problem})


def _components(
    draws: Sequence[Draw], diluent: str, lot: str, expires: dt.date, tz: Any
) -> list[rules.Component]:
    parts = [
        rules.Component(
            name=d.ingredient.drug.generic_name,
            lot=d.lot.lot_number,
            expires_at=rules.expiry_end(d.lot.expires_on, tz),
        )
        for d in draws
    ]
    parts.append(rules.Component(name=diluent, lot=lot, expires_at=rules.expiry_end(expires, tz)))
    return parts


@transaction.atomic
def compounding_record_create(
    *,
    organization: Organization,
    user: User,
    formulation: MasterFormulation,
    patient: Any,
    area: CompoundingArea,
    draws: Sequence[Draw],
    diluent_lot: str,
    diluent_expires_on: dt.date,
    storage: str | None = None,
    started_at: dt.datetime | None = None,
    notes: str = "",
    is_demo: bool = False,
) -> CompoundingRecord:
    """Record one dose compounded for a patient and draw its ingredients from stock.

    Each ingredient's vials leave the ledger as a dispense to the patient (the inventory
    refuses an expired or quarantined lot, another patient's stock and more vials than the
    lot holds); the BUD follows USP <797> from the start of preparation, capped by every
    component's expiry and the formulation's in-use stability. All or nothing.
    """
    _same_organization(organization, formulation=formulation, patient=patient)
    if not formulation.is_active:
        raise ValidationError({"formulation": f"{formulation} is no longer in use."})
    category, store = formulation.category, storage or formulation.storage
    _check_area(organization, area, category)
    for draw in draws:
        _same_organization(organization, lot=draw.lot)
    _check_draws(formulation, area, draws)
    problem = rules.immediate_use_problem(category, len(draws) + 1)
    if problem:
        raise ValidationError({"formulation": problem})
    if not diluent_lot.strip():
        raise ValidationError({"diluent_lot": "Enter the diluent's lot number."})
    start = _check_start(started_at)
    tz = area.location.tz
    record = CompoundingRecord(organization=organization)
    local = timezone.localtime(start, tz)
    record.number = f"CR-{local:%y%m%d}-{record.public_id.hex[:6].upper()}"
    moves = [
        stock_dispense(
            lot=d.lot, vials=d.vials, patient=patient, user=user, visit_ref=record.number
        )
        for d in draws
    ]
    try:
        bud = rules.beyond_use(
            category=category,
            storage=store,
            started_at=start,
            components=_components(
                draws, formulation.diluent, diluent_lot.strip(), diluent_expires_on, tz
            ),
            stability_hours=formulation.stability_hours,
        )
    except ValueError as exc:
        raise ValidationError({"diluent_expires_on": str(exc)}) from None
    first = draws[0].ingredient.drug
    dose = sum((d.amount_mg for d in draws if d.ingredient.drug_id == first.pk), Decimal(0))
    fields = dict(
        formulation=formulation,
        patient=patient,
        location=area.location,
        area=area,
        category=category,
        storage=store,
        started_at=start,
        diluent=formulation.diluent,
        diluent_lot=diluent_lot.strip().upper(),
        diluent_expires_on=diluent_expires_on,
        final_volume_ml=formulation.final_volume_ml,
        dose_mg=dose,
        concentration_mg_ml=rules.concentration(dose, formulation.final_volume_ml),
        beyond_use_at=bud.at,
        bud_limited_by=bud.limited_by,
        prepared_by=user,
        prepared_by_name=person_name(user, organization),
        notes=notes.strip(),
        is_demo=is_demo,
    )
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean(
        exclude=["organization", "formulation", "patient", "location", "area", "prepared_by"],
        validate_constraints=False,
    )
    record.save()
    for draw, move in zip(draws, moves, strict=True):
        CompoundingIngredient.objects.create(
            record=record,
            drug=draw.ingredient.drug,
            lot=draw.lot,
            vials=draw.vials,
            amount_mg=draw.amount_mg,
            movement=move,
        )
    changes: dict[str, Any] = {k: [None, v] for k, v in snapshot(record, RECORD_FIELDS).items()}
    changes["ingredients"] = [
        None,
        [
            f"{d.amount_mg} mg {d.ingredient.drug.generic_name} lot {d.lot.lot_number} "
            f"({d.vials} vial{'s' if d.vials != 1 else ''})"
            for d in draws
        ],
    ]
    audit_record(
        action="create",
        user=user,
        organization=organization,
        obj=record,
        patient=patient,
        changes=changes,
    )
    return record


def compounding_record_verify(
    *, record: CompoundingRecord, user: User, username: str, password: str, ip_address: str | None
) -> CompoundingRecord:
    """The pharmacist's verification, confirmed by her own user name and password.

    Re-authenticated and throttled like the log-in (``accounts.services.cosigner_authenticate``,
    the double check's pattern); she must be another person than the preparer, may compound
    and verify here (``compounding.edit``) and be a pharmacist (PharmD) on the staff list —
    a Chairside policy following the state boards of pharmacy, which make the pharmacist
    answerable for the final check of a compounded preparation. Audited as her action.
    """

    # Outside the transaction: a wrong password must stay recorded for the throttle.
    verifier = cosigner_authenticate(
        username=username,
        password=password,
        organization=record.organization,
        ip_address=ip_address,
    )
    return _record_verify(record=record, user=user, verifier=verifier)


def _verifier_problem(current: CompoundingRecord, verifier: User) -> str | None:
    if verifier.pk == current.prepared_by_id:
        return (
            f"{current.prepared_by_name} prepared this dose and cannot verify it: a second "
            "person (a pharmacist) verifies it with her own user name and password."
        )
    membership = Membership.objects.filter(
        user=verifier, organization=current.organization, is_active=True
    ).first()
    if membership is None or not has_perm(membership.role, Perm.COMPOUNDING_EDIT):
        return f"{verifier.get_username()} may not verify compounded doses here."
    staff = StaffMember.objects.filter(user=verifier, organization=current.organization).first()
    if staff is None or staff.credential != PHARMACIST:
        return (
            f"{staff or verifier.get_username()} is not a pharmacist (PharmD) on the staff list: "
            "a pharmacist verifies compounded doses."
        )
    return None


@transaction.atomic
def _record_verify(*, record: CompoundingRecord, user: User, verifier: User) -> CompoundingRecord:
    current = CompoundingRecord.objects.select_for_update().get(pk=record.pk)
    if current.is_verified:
        raise ValidationError(
            {"cosigner": f"{current.number} was verified by {current.verified_by_name} already."}
        )
    problem = _verifier_problem(current, verifier)
    if problem:
        raise ValidationError({"cosigner": problem})
    now = timezone.now()
    if now >= current.beyond_use_at:
        raise ValidationError(
            {
                "cosigner": f"{current.number} is past its beyond-use date: discard it, do not "
                "verify it."
            }
        )
    current.verified_by = verifier
    current.verified_by_name = person_name(verifier, current.organization)
    current.verified_at = now
    current.status = CompoundingRecord.Status.VERIFIED
    current.save(
        update_fields=["verified_by", "verified_by_name", "verified_at", "status", "updated_at"]
    )
    audit_record(
        action="update",
        user=verifier,
        organization=current.organization,
        obj=current,
        patient=current.patient,
        changes={
            "status": ["prepared", "verified"],
            "verified_by": [None, current.verified_by_name],
            "confirmed_on_device_of": [None, getattr(user, "username", "")],
        },
    )
    return current
