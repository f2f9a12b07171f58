"""The demo home infusion pharmacy's past home visits, documented and signed (demo data).

Every past visit of Riverside Home Infusion's route (a nurse assigned, not yet documented)
is written through the documentation services a nurse uses on her tablet
(``homecare.services.documentation``): arrival at the planned time, vital signs, the dose of
the patient's home order in force (intermittent doses given and stopped during the visit; a
continuous pump or a parenteral nutrition cycle is checked and recorded in the notes, since
it runs on after the nurse leaves; a visit after the order's last day is the end-of-therapy
visit, line removal in the notes), departure after the booked minutes, and the assigned
nurse's signature. Billing then reads the documented minutes (99601/99602).

One immune globulin visit has a grade 2 infusion reaction (paused, antihistamine, resolved,
resumed) that nobody has reviewed yet, so the pharmacy's Today page has a home reaction to
review. The LPN on the route (``iferreira``, password ``chairside-demo``) gets a log-in so
her visits are signed by her. Idempotent: only visits still scheduled are documented.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from chairside.demo.keys import DEMO_PASSWORD
from chairside.homecare.models import HomeInfusionOrder, HomeVisit
from chairside.homecare.services import documentation as doc
from chairside.patients.models import BodyMeasurement
from chairside.tenancy.models import Membership, Organization, StaffMember
from chairside.treatments.models import Administration, VitalReadings

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LPN_LOGIN = ("iferreira", "Ines", "Ferreira")
# Orders whose dose the nurse does not give and stop within the visit.
RUNS_ON = frozenset({HomeInfusionOrder.TherapyType.PARENTERAL_NUTRITION})
PER_KG: dict[str, str] = {
    HomeInfusionOrder.DoseUnit.G_PER_KG: "g",
    HomeInfusionOrder.DoseUnit.MG_PER_KG: "mg",
}
REACTION_THERAPIES = frozenset(
    {HomeInfusionOrder.TherapyType.IVIG, HomeInfusionOrder.TherapyType.SCIG}
)


def _lpn_user(org: Organization) -> None:
    """A log-in for the LPN of the route, who documents and signs her own visits."""
    username, first, last = LPN_LOGIN
    staff = StaffMember.objects.filter(organization=org, first_name=first, last_name=last).first()
    if staff is None or staff.user_id is not None:
        return
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": "nurse"})
    staff.user = user
    staff.save(update_fields=["user"])


def _given(order: HomeInfusionOrder, patient: Any) -> tuple[Decimal, str] | None:
    """The dose given at the visit: a per-kg dose on the latest weight; None for a dose
    that runs on after the visit (continuous pump, parenteral nutrition cycle)."""
    if order.continuous or order.therapy_type in RUNS_ON:
        return None
    unit = str(order.dose_unit)
    if unit in PER_KG:
        weight = (
            BodyMeasurement.objects.filter(patient=patient, weight_kg__isnull=False)
            .order_by("-measured_on")
            .values_list("weight_kg", flat=True)
            .first()
        )
        if weight is None:
            return None
        return (order.dose_amount * weight).quantize(Decimal("0.1")), PER_KG[unit]
    return order.dose_amount, unit


def _document(visit: HomeVisit, user: User, *, reaction: bool) -> None:
    """Document and sign one past visit as its nurse would."""
    orders = doc.visit_orders(visit)
    order = orders[0] if orders else None
    tz = visit.location.tz
    arrived = visit.planned_at or dt.datetime.combine(visit.date, visit.window_start, tzinfo=tz)
    minutes = int(visit.duration_minutes)
    departed = arrived + dt.timedelta(minutes=minutes)
    doc.home_vitals_record(
        home_visit=visit,
        user=user,
        phase=VitalReadings.Phase.PRE,
        taken_at=arrived + dt.timedelta(minutes=5),
        systolic=124,
        diastolic=78,
        pulse=76,
        temperature_c=Decimal("36.8"),
        spo2=97,
        respiratory_rate=16,
    )
    given = _given(order, visit.patient) if order is not None else None
    if order is None:
        notes = "End of therapy: the order's course is complete; line removed intact, site "
        notes += "clean, discharge teaching given (demo)."
    elif given is None:
        notes = (
            f"{order.drug_display}: pump running as ordered, rate and line checked, "
            "next bag connected by the caregiver as taught (demo)."
        )
    else:
        notes = "Line site clean, dressing intact; patient tolerating therapy at home (demo)."
        _dose(visit, user, order, given, arrived, minutes, reaction=reaction)
    doc.home_visit_times_and_notes(
        home_visit=visit, user=user, arrived_at=arrived, departed_at=departed, notes=notes
    )
    doc.home_visit_sign(home_visit=visit, user=user)
    # The seed runs today: the demo dates the signature at the departure, as the nurse would
    # have signed before leaving the home (the audit row keeps the real time of the seed).
    HomeVisit.objects.filter(pk=visit.pk).update(signed_at=departed + dt.timedelta(minutes=2))


def _dose(  # noqa: PLR0917 (the one visit's facts, from _document only)
    visit: HomeVisit,
    user: User,
    order: HomeInfusionOrder,
    given: tuple[Decimal, str],
    arrived: dt.datetime,
    minutes: int,
    *,
    reaction: bool,
) -> None:
    subcutaneous = order.therapy_type == HomeInfusionOrder.TherapyType.SCIG
    start = arrived + dt.timedelta(minutes=10)
    stop = start + dt.timedelta(minutes=max(15, min(60, minutes - 25)))
    doc.home_administration_record(
        home_visit=visit,
        user=user,
        home_order=order,
        started_at=start,
        stopped_at=stop,
        dose_amount=given[0],
        dose_unit=given[1],
        method=Administration.Method.SUBCUTANEOUS if subcutaneous else "infusion",
        site="Abdomen" if subcutaneous else "",
        lot_number="DEMO-LOT",
    )
    if reaction:
        onset = start + dt.timedelta(minutes=10)
        doc.home_reaction_record(
            home_visit=visit,
            user=user,
            onset_at=onset,
            grade=2,
            signs=["flushing", "chills"],
            actions=["paused", "antihistamine"],
            outcome="resumed",
            outcome_at=onset + dt.timedelta(minutes=4),
            notes="Rate halved on restart; caregiver shown what to watch for (demo).",
        )
    doc.home_vitals_record(
        home_visit=visit,
        user=user,
        phase=VitalReadings.Phase.POST,
        taken_at=stop + dt.timedelta(minutes=2),
        systolic=120,
        diastolic=76,
        pulse=80,
        temperature_c=Decimal("36.9"),
        spo2=98,
        respiratory_rate=16,
    )


def document_past_visits(org: Organization) -> tuple[int, int]:
    """Document and sign every past, still scheduled visit of the pharmacy that has a nurse;
    returns (signed, left undocumented because the nurse has no log-in)."""
    _lpn_user(org)
    today = timezone.localdate()
    visits = (
        HomeVisit.objects.filter(
            organization=org,
            date__lt=today,
            nurse__isnull=False,
            status=HomeVisit.Status.SCHEDULED,
            signed_at__isnull=True,
        )
        .select_related("nurse__user", "location", "patient", "organization")
        .order_by("-date", "window_start", "id")
    )
    signed = skipped = 0
    reacted = False
    for visit in visits:
        user = visit.nurse.user if visit.nurse else None
        if user is None:
            skipped += 1
            continue
        therapy = _therapy(visit)
        reaction = not reacted and therapy in REACTION_THERAPIES
        _document(visit, user, reaction=reaction)
        signed += 1
        reacted = reacted or reaction
    return signed, skipped


def _therapy(visit: HomeVisit) -> str:
    orders = doc.visit_orders(visit)
    return str(orders[0].therapy_type) if orders else ""
