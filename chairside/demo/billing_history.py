"""Demo billing: encounter facts for the demo center's doses that have no signed visit.

Signed visits reach billing through the real seam (``treatments`` calls
``billing.services.charges_derive_for_visit`` on sign-off). The demo center's older doses
were given before the chair-side module's history starts, so their facts are built here from
what the earlier demo steps recorded: a completed appointment (its chair time), or the
inventory step's dispense of the dose (``visit_ref`` "DEMO-<order>-<dose number>": the lots
opened, the partial-vial waste, the time), or, without inventory, the order's planned dates.
Each becomes ``EncounterFacts`` and goes through ``billing.services.charges_derive`` — the
same rules, the same checks. Synthetic data only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.referrals.models import TreatmentOrder
from chairside.inventory.models import Movement
from chairside.patients.selectors import claim_person as person  # the claim's own mapping
from chairside.patients.selectors import coverages_on
from chairside.rules.billing.admin_codes import Administration
from chairside.rules.billing.charges import CoverageFacts, DrugGiven, EncounterFacts, Provider
from chairside.rules.billing.place_of_service import administration_setting
from chairside.scheduling.models import Appointment
from chairside.tenancy.models import StaffMember
from chairside.treatments.models import Visit


@dataclass(frozen=True)
class Dose:
    """One dose the demo center gave: which order, which dose, when and where."""

    ref: str
    order: TreatmentOrder
    number: int
    start: dt.datetime
    location: Any
    minutes: int | None = None


def coverages(patient: Any, day: dt.date) -> tuple[CoverageFacts, ...]:
    found = [
        CoverageFacts(
            payer_ref=str(c.payer.public_id),
            payer_name=c.payer.name,
            payer_id=c.payer.payer_id,
            member_id=c.member_id,
            group_number=c.group_number,
            plan_name=c.plan_name,
        )
        for c in coverages_on(patient, day, billable=True)
    ]
    return tuple(found[:3])


def _provider(staff: StaffMember | None) -> Provider | None:
    if staff is None:
        return None
    return Provider(staff.npi, staff.last_name, staff.first_name, staff.credential)


def supervisor(location: Any) -> StaffMember | None:
    """The physician or NP supervising infusions at the site (incident-to billing)."""
    staff = StaffMember.objects.filter(
        organization=location.organization, credential__in=["MD", "DO", "NP"], is_active=True
    ).exclude(npi="")
    return staff.filter(home_location=location).first() or staff.first()


def _authorization(order: TreatmentOrder, day: dt.date) -> str:
    auth = (
        PriorAuthorization.objects.filter(order=order, start_on__lte=day, end_on__gte=day)
        .exclude(authorization_number="")
        .first()
    )
    return auth.authorization_number if auth is not None else ""


def _opened(ref: str) -> list[tuple[Any, int, bool]]:
    """(package, vials, center-owned) of the lots dispensed for the dose."""
    moves = Movement.objects.filter(kind="dispense", visit_ref=ref).select_related("lot__package")
    return [(m.lot.package, -m.vials, m.lot.patient_id is None) for m in moves]


def _drugs(dose: Dose, diagnoses: tuple[str, ...]) -> tuple[DrugGiven, ...]:
    order, drug = dose.order, dose.order.drug
    mg = order.dose_for_weight(order.weight_kg_at_order, dose.number)
    opened = _opened(dose.ref)
    if not opened:  # no stock record: the smallest whole vials of the first package
        package = drug.packages.order_by("-strength_mg").first()
        if package is None:
            return (_drug_given(drug, mg, mg, "", Decimal(0), center=True, diagnoses=diagnoses),)
        vials = int(-(-mg // package.strength_mg))
        opened = [(package, vials, True)]
    groups: dict[tuple[int, bool], list[tuple[Any, int]]] = defaultdict(list)
    for package, vials, center in opened:
        groups[(package.pk, center)].append((package, vials))
    total = sum((p.strength_mg * v for p, v, _ in opened), Decimal(0))
    given: list[DrugGiven] = []
    left = mg
    for n, ((_, center), rows) in enumerate(groups.items()):
        package = rows[0][0]
        vials = sum(v for _, v in rows)
        part_opened = package.strength_mg * vials
        # The dose is shared by the packages in proportion to what each opened.
        part = left if n == len(groups) - 1 else (mg * part_opened / total).quantize(Decimal("0.1"))
        left -= part
        given.append(
            _drug_given(
                drug,
                part,
                part_opened,
                package.ndc11,
                vials * package.ndc_quantity,  # N4 quantity in the package's unit
                center=center,
                diagnoses=diagnoses,
                unit=package.ndc_unit,
            )
        )
    return tuple(given)


def _drug_given(
    drug: Any,
    mg: Decimal,
    opened: Decimal,
    ndc11: str,
    vials: Decimal,
    *,
    center: bool,
    diagnoses: tuple[str, ...],
    unit: str = "UN",
) -> DrugGiven:
    return DrugGiven(
        drug_name=str(drug),
        hcpcs=drug.hcpcs,
        billing_unit_mg=drug.billing_unit_mg,
        dose_mg=mg,
        opened_mg=max(opened, mg),
        ndc11=ndc11,
        ndc_quantity=vials,
        ndc_unit=unit,
        center_supplied=center,
        diagnoses=diagnoses,
        drug_key=drug.key,
    )


def _administrations(dose: Dose) -> tuple[Administration, ...]:
    drug = dose.order.drug
    minutes = dose.minutes or (
        drug.first_infusion_minutes if dose.number == 1 else drug.subsequent_infusion_minutes
    )
    end = dose.start + dt.timedelta(minutes=max(minutes, 5))
    if drug.admin_category == "injection":
        return (
            Administration("therapeutic", "subcutaneous", dose.start, end, drug.key, primary=True),
        )
    category = "chemo" if drug.admin_category == "chemo" else "therapeutic"
    return (Administration(category, "infusion", dose.start, end, drug.key, primary=True),)


def dose_facts(dose: Dose) -> EncounterFacts:
    """The facts of one demo dose, as a chair-side record of it would state them."""
    order = dose.order
    day = dose.start.astimezone(dose.location.tz).date()
    diagnoses = tuple(
        d.icd10_code for d in order.diagnoses.order_by("-is_primary", "icd10_code")
    ) or tuple(d.icd10_code for d in order.patient.diagnoses.all())
    referring = (
        order.referral.referring_provider if order.referral is not None else order.ordering_provider
    )
    staff = supervisor(dose.location)
    return EncounterFacts(
        encounter_ref=dose.ref,
        date_of_service=day,
        place_of_service=dose.location.place_of_service,
        patient=person(order.patient),
        account_number=order.patient.mrn,
        coverages=coverages(order.patient, day),
        diagnoses=diagnoses,
        rendering_provider=_provider(staff),
        supervising_provider=_provider(staff),
        referring_provider=Provider(
            referring.npi, referring.last_name, referring.first_name, referring.credential
        ),
        prior_authorization=_authorization(order, day),
        administrations=_administrations(dose),
        drugs=_drugs(dose, diagnoses[:1]),
        setting=administration_setting(dose.location.site_type),
    )


def demo_doses(organization: Any, since: dt.date, today: dt.date) -> list[Dose]:
    """Doses given from ``since`` until yesterday that no signed visit documents.

    Completed appointments first (their chair time), then the inventory step's dispenses,
    then, without either, the orders' planned dates; one dose per (order, dose number).
    """
    seen: set[tuple[int, int]] = set()
    seen |= set(
        Visit.objects.filter(organization=organization).values_list("order_id", "dose_number")
    )
    doses = _from_appointments(organization, since, today, seen)
    doses += _from_dispenses(organization, since, today, seen)
    if not doses:
        doses = _from_orders(organization, since, today, seen)
    return sorted(doses, key=lambda d: (d.start, d.ref))


def _from_appointments(org: Any, since: dt.date, today: dt.date, seen: set[Any]) -> list[Dose]:
    found = []
    appointments = Appointment.objects.filter(
        organization=org, status="completed", start__date__gte=since, start__date__lt=today
    ).exclude(notes="Demo panel.")  # the panel's volume is not billed (demo/panel.py)
    appointments = appointments.select_related("order__drug", "order__patient", "location")
    for a in appointments:
        key = (a.order_id, a.dose_number)
        if key in seen:
            continue
        seen.add(key)
        found.append(
            Dose(
                f"DEMO-{a.order_id}-{a.dose_number}",
                a.order,
                a.dose_number,
                a.start,
                a.location,
                a.duration_minutes,
            )
        )
    return found


def _from_dispenses(org: Any, since: dt.date, today: dt.date, seen: set[Any]) -> list[Dose]:
    moves = Movement.objects.filter(
        organization=org,
        kind="dispense",
        visit_ref__startswith="DEMO-",
        at__date__gte=since,
        at__date__lt=today,
    ).order_by("at")
    firsts: dict[str, dt.datetime] = {}
    for ref, at in moves.values_list("visit_ref", "at"):
        firsts.setdefault(ref, at)
    orders = TreatmentOrder.objects.in_bulk(
        {int(ref.split("-")[1]) for ref in firsts if ref.count("-") == 2}
    )
    found = []
    for ref, at in firsts.items():
        _, order_pk, number = ref.split("-")
        order = orders.get(int(order_pk))
        if order is None or (order.pk, int(number)) in seen:
            continue
        seen.add((order.pk, int(number)))
        location = order.location or order.patient.home_location
        if location is None:
            continue
        found.append(Dose(ref, order, int(number), at + dt.timedelta(minutes=45), location))
    return found


def _from_orders(org: Any, since: dt.date, today: dt.date, seen: set[Any]) -> list[Dose]:
    found = []
    for order in TreatmentOrder.objects.filter(organization=org).select_related("drug", "patient"):
        location = order.location or order.patient.home_location
        if location is None:
            continue
        for number, day in enumerate(order.planned_dates(), start=1):
            if since <= day < today and (order.pk, number) not in seen:
                start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=location.tz)
                found.append(Dose(f"DEMO-{order.pk}-{number}", order, number, start, location))
    return found
