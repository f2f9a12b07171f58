"""Compounding reads, always scoped to the organization; and the lot recall."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from chairside.audit.services import audit_record
from chairside.compounding.models import (
    CompoundingArea,
    CompoundingIngredient,
    CompoundingRecord,
    MasterFormulation,
    MasterIngredient,
)
from chairside.inventory.models import Lot, Movement, StoragePlace
from chairside.treatments.models import PreparationVial

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def formulations(*, organization: Any, active_only: bool = False) -> QuerySet[MasterFormulation]:
    found = MasterFormulation.objects.filter(organization=organization)
    if active_only:
        found = found.filter(is_active=True)
    return found.prefetch_related("ingredients__drug")


def access_formulation(*, organization: Any, public_id: Any) -> MasterFormulation:
    return get_object_or_404(formulations(organization=organization), public_id=public_id)


def ingredients_by_id(formulation: MasterFormulation) -> dict[Any, MasterIngredient]:
    """The formulation's ingredients by public id (the formulation is already the org's)."""
    return {i.public_id: i for i in MasterIngredient.objects.filter(formulation=formulation)}


def draw_lot(*, organization: Any, public_id: Any) -> Lot | None:
    """The organization's lot an ingredient is drawn from, with its drug and place, or None."""
    return (
        Lot.objects.filter(organization=organization, public_id=public_id)
        .select_related("package__drug", "storage_place")
        .first()
    )


def access_area(*, organization: Any, public_id: Any) -> CompoundingArea:
    """The organization's compounding area with its site, or 404."""
    return get_object_or_404(
        CompoundingArea.objects.select_related("location"),
        organization=organization,
        public_id=public_id,
    )


def areas(*, organization: Any) -> QuerySet[CompoundingArea]:
    return CompoundingArea.objects.filter(organization=organization, is_active=True).select_related(
        "location"
    )


def records(*, organization: Any, status: str = "", query: str = "") -> QuerySet[CompoundingRecord]:
    found = CompoundingRecord.objects.filter(organization=organization).select_related(
        "formulation", "patient", "area", "location"
    )
    if status:
        found = found.filter(status=status)
    if query.strip():
        found = found.filter(number__icontains=query.strip()) | found.filter(
            patient__mrn__iexact=query.strip()
        )
    return found


def access_record(*, organization: Any, public_id: Any) -> CompoundingRecord:
    """The organization's compounding record, or 404 — never another organization's."""
    return get_object_or_404(
        CompoundingRecord.objects.select_related(
            "formulation", "patient", "area", "location", "organization"
        ).prefetch_related("ingredients__lot__package__drug", "ingredients__drug"),
        organization=organization,
        public_id=public_id,
    )


def usable_lots(*, organization: Any, location: Any, drug: Any, day: dt.date) -> list[Lot]:
    """Lots of the drug at the site a preparer may draw from: in stock, unexpired, not in
    quarantine, first expiry first."""
    return list(
        Lot.objects.filter(
            organization=organization,
            storage_place__location=location,
            package__drug=drug,
            on_hand__gt=0,
            expires_on__gte=day,
            patient__isnull=True,
        )
        .exclude(storage_place__kind=StoragePlace.Kind.QUARANTINE)
        .select_related("package", "storage_place")
        .order_by("expires_on", "pk")
    )


# --- Lot recall -----------------------------------------------------------------------------


@dataclass
class RecallRow:
    """One dose that received the lot: who, when, how, and where to look."""

    patient: Any
    at: dt.datetime
    kind: str
    reference: str
    drug: str
    lot_number: str
    site: str
    vials: int
    mg: Decimal | None
    status: str = ""
    given: list[str] = field(default_factory=list)
    record: CompoundingRecord | None = None
    visit: Any = None


@dataclass
class Recall:
    lot_number: str
    lots: list[Lot]
    rows: list[RecallRow]

    @property
    def patients(self) -> list[Any]:
        seen: dict[int, Any] = {}
        for row in self.rows:
            seen.setdefault(row.patient.pk, row.patient)
        return list(seen.values())


def _visit_preparations(moves: list[Movement]) -> dict[int, Any]:
    """Dispenses made for a chair-side preparation → that visit (compounding comes after
    the visit in the flow)."""
    vials = (
        PreparationVial.objects.filter(movement__in=moves)
        .select_related("preparation__visit__location")
        .prefetch_related("preparation__visit__administrations")
    )
    return {v.movement_id: v.preparation.visit for v in vials}


def _row(
    move: Movement, compounded: dict[int, CompoundingIngredient], visits: dict[int, Any]
) -> RecallRow:
    lot = move.lot
    row = RecallRow(
        patient=move.patient,
        at=move.at,
        kind="Dispensed",
        reference=move.visit_ref,
        drug=lot.package.drug.generic_name,
        lot_number=lot.lot_number,
        site=lot.storage_place.location.name,
        vials=-move.vials,
        mg=move.mg,
    )
    part = compounded.get(move.pk)
    visit = visits.get(move.pk)
    if part is not None:
        record = part.record
        row.kind, row.reference, row.record = "Compounded dose", record.number, record
        row.mg, row.at = part.amount_mg, record.started_at
        row.status = record.get_status_display().split(":")[0]
    elif visit is not None:
        row.kind, row.reference, row.visit = (
            "Chair-side preparation",
            f"Visit {visit.date:%m/%d/%Y}",
            visit,
        )
        row.status = visit.get_status_display()
        row.given = [
            f"{a.substance} {a.get_method_display()} {a.started_at:%m/%d/%Y %H:%M}"
            for a in visit.administrations.all()
            if a.is_primary
        ]
    return row


def lot_recall(*, organization: Any, lot_number: str, user: User, export: bool = False) -> Recall:
    """Every patient and dose that received a lot (matched by its number, at every site it
    was transferred to): compounded doses, chair-side preparations and other dispenses, from
    the stock ledger, where every dispensed vial names its lot and patient. Audited as a
    view (or an export) of each patient listed."""
    number = lot_number.strip().upper()
    lots = (
        list(
            Lot.objects.filter(organization=organization, lot_number__iexact=number).select_related(
                "package__drug", "storage_place__location"
            )
        )
        if number
        else []
    )
    moves = list(
        Movement.objects.filter(lot__in=lots, kind=Movement.Kind.DISPENSE, patient__isnull=False)
        .select_related("patient", "lot__package__drug", "lot__storage_place__location")
        .order_by("at", "id")
    )
    compounded = {
        part.movement_id: part
        for part in CompoundingIngredient.objects.filter(movement__in=moves).select_related(
            "record"
        )
    }
    visits = _visit_preparations(moves)
    rows = [_row(m, compounded, visits) for m in moves]
    recall = Recall(lot_number=number, lots=lots, rows=rows)
    if number:
        audit_record(
            action="export" if export else "view",
            user=user,
            organization=organization,
            changes={
                "lot_recall": [None, number],
                "patients": [None, [str(p.public_id) for p in recall.patients]],
                "doses": [None, len(rows)],
            },
            reason=f"Lot recall {number}",
        )
    return recall


RECALL_CSV_HEADER = [
    "Lot",
    "Drug",
    "MRN",
    "Patient",
    "Date of birth",
    "When",
    "What",
    "Reference",
    "Vials",
    "mg",
    "Status",
    "Given",
    "Site",
]


def recall_csv_rows(recall: Recall, tz: Any) -> list[list[Any]]:
    rows: list[list[Any]] = [RECALL_CSV_HEADER]
    for r in recall.rows:
        rows.append(
            [
                r.lot_number,
                r.drug,
                r.patient.mrn,
                f"{r.patient.last_name}, {r.patient.first_name}",
                r.patient.date_of_birth.isoformat(),
                r.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                r.kind,
                r.reference,
                r.vials,
                "" if r.mg is None else f"{r.mg.normalize():f}",
                r.status,
                "; ".join(r.given),
                r.site,
            ]
        )
    return rows
