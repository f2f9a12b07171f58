"""Factories for visit tests: a drug with real packages, an order, a checked-in appointment,
stock on the shelf, staff, a drawn signature, and a visit walked to any step."""

from __future__ import annotations

import base64
import datetime as dt
import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from PIL import Image, ImageDraw

from chairside.access.referrals.models import ReferringProvider, TreatmentOrder
from chairside.formulary.models import Drug
from chairside.inventory.models import Lot, StoragePlace
from chairside.scheduling.models import Appointment
from chairside.tenancy.models import StaffMember
from chairside.treatments import services
from chairside.treatments.models import Preparation, Visit
from tests import factories as f

TZ = ZoneInfo("America/New_York")
DAY = f.DAY  # a Tuesday

# Facts from chairside/formulary/data/formulary.json (FDA labels, How Supplied).
INFLIXIMAB = {
    "key": "infliximab",
    "generic_name": "infliximab",
    "brand_name": "Remicade",
    "hcpcs": "J1745",
    "billing_unit_mg": Decimal("10"),
    "admin_category": "chemo",
    "first_infusion_minutes": 120,
    "subsequent_infusion_minutes": 120,
    "observation_minutes": 0,
    "packages": [("57894003001", "100 mg lyophilized powder, single-dose vial", "100")],
}
NATALIZUMAB = {
    "key": "natalizumab",
    "generic_name": "natalizumab",
    "brand_name": "Tysabri",
    "hcpcs": "J2323",
    "billing_unit_mg": Decimal("1"),
    "admin_category": "chemo",
    "first_infusion_minutes": 60,
    "subsequent_infusion_minutes": 60,
    "observation_minutes": 60,
    "special_program": "TOUCH Prescribing Program (natalizumab REMS)",
    "packages": [("64406000801", "300 mg/15 mL single-dose vial", "300")],
}


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ)


def make_drug(org: Any, spec: dict[str, Any] = INFLIXIMAB, **kw: Any) -> Drug:
    """The drug of ``spec`` with its packages, keyed ``<spec key>-<n>`` (a new one per call)."""
    fields = {k: v for k, v in spec.items() if k not in ("key", "packages")}
    fields.update(kw)
    # As before: the key is always the stem (``key=`` or the spec's) and a new number.
    fields["key_stem"] = fields.pop("key", spec["key"])
    return f.DrugFactory.create(organization=org, packages=spec["packages"], **fields)


def make_provider(org: Any, **kw: Any) -> ReferringProvider:
    """Dr Marsh, who wants her visit reports by fax."""
    kw.setdefault("report_preference", "fax")
    kw.setdefault("fax", "(555) 020-2001")
    return f.ReferringProviderFactory.create(organization=org, **kw)


def make_order(patient: Any, drug: Drug | None = None, **kw: Any) -> TreatmentOrder:
    """Infliximab 5 mg/kg at 70 kg (350 mg) by default (a flat ``dose_mg`` replaces it)."""
    org = patient.organization
    if "ordering_provider" not in kw:
        kw["ordering_provider"] = make_provider(org)
    return f.TreatmentOrderFactory.create(patient=patient, drug=drug or make_drug(org), **kw)


def make_staff(org: Any, credential: str = "RN", user: Any = None, **kw: Any) -> StaffMember:
    """Named for the credential (Jordan the RN, Dr Elena, Priya the NP, Sam), with a
    Pennsylvania license whatever the credential, and an NPI for prescribers."""
    kw.setdefault(
        "first_name", {"RN": "Jordan", "MD": "Elena", "NP": "Priya"}.get(credential, "Sam")
    )
    kw.setdefault("licensed", True)
    return f.StaffMemberFactory.create(organization=org, credential=credential, user=user, **kw)


def make_appointment(
    order: TreatmentOrder,
    location: Any,
    *,
    status: str = "checked_in",
    start: dt.datetime | None = None,
    minutes: int = 180,
    nurse: StaffMember | None = None,
) -> Appointment:
    chair = location.chairs.order_by("sort_order").first()
    start = start or at("09:00")
    return Appointment.objects.create(
        organization=order.organization,
        patient=order.patient,
        order=order,
        location=location,
        chair=chair,
        nurse=nurse,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        status=status,
        checked_in_at=start if status == "checked_in" else None,
    )


def make_place(location: Any) -> StoragePlace:
    """A new medication fridge at the location."""
    return f.StoragePlaceFactory.create(location=location)


def make_lot(
    location: Any,
    drug: Drug,
    *,
    vials: int = 10,
    lot_number: str | None = None,
    expires_on: dt.date = dt.date(2027, 6, 30),
    patient: Any = None,
    user: Any = None,
    place: StoragePlace | None = None,
) -> Lot:
    """Vials of the drug's largest package, in a new fridge unless ``place`` is given, from
    the one test distributor (or the patient's own supply)."""
    kw: dict[str, Any] = {"lot_number": lot_number} if lot_number else {}
    if patient is None:
        kw["vendor"] = f.VendorFactory.create(
            organization=location.organization, name="Specialty Distributor (test)"
        )
    return f.LotFactory.create(
        storage_place=place or make_place(location),
        package=drug.packages.order_by("-strength_mg").first(),
        expires_on=expires_on,
        vials=vials,
        patient=patient,
        user=user,
        **kw,
    )


def signature_png(width: int = 300, height: int = 100, drawn: bool = True) -> str:
    """A drawn signature as the canvas sends it (transparent PNG data URL)."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if drawn:
        ImageDraw.Draw(image).line(
            [(20, 70), (120, 30), (220, 75), (280, 40)], fill="black", width=3
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


# --- walking a visit through its steps ---------------------------------------------------


def do_checks(visit: Visit, user: Any, *, weight: str = "70.0") -> Visit:
    services.consent_record(
        patient=visit.patient,
        drug=visit.order.drug,
        order=visit.order,
        user=user,
        signer_name=visit.patient.full_name,
        signature=signature_png(),
    )
    visit = services.visit_update(
        visit=visit,
        user=user,
        identifiers=["name", "dob"],
        allergies_reviewed=True,
        # The patient states no allergies when the chart holds none (the check needs a status).
        no_known_allergies=not (
            visit.patient.no_known_allergies or visit.patient.allergies.exists()
        ),
        weight_kg=Decimal(weight),
    )
    services.vitals_record(
        visit=visit,
        user=user,
        phase="pre",
        taken_at=at("09:05"),
        systolic=122,
        diastolic=78,
        pulse=72,
        temperature_c=Decimal("36.8"),
        spo2=98,
        respiratory_rate=16,
    )
    return visit


def do_preparation(
    visit: Visit, user: Any, lot: Lot, checker: StaffMember, preparer: StaffMember
) -> None:
    services.preparation_dispense(visit=visit, user=user, picks=[(lot, 4)])
    services.preparation_save(
        visit=visit,
        user=user,
        dose_mg=Decimal(350),
        diluent="0.9% sodium chloride",
        bag_volume_ml=Decimal(250),
        final_volume_ml=Decimal(250),
        prepared_at=at("09:15"),
        prepared_by=preparer,
    )
    record_check(visit, checker)


def record_check(visit: Visit, checker: StaffMember) -> None:
    """The second person's check as a stored fact, for tests about what follows it. The
    co-sign itself (her own password, competencies, rota) is tested through
    ``services.preparation_cosign`` in test_preparation_cosign.py."""
    Preparation.objects.filter(visit=visit).update(checked_by=checker, checked_at=timezone.now())


def do_administration(visit: Visit, user: Any) -> None:
    admin = services.administration_start(
        visit=visit, user=user, started_at=at("09:30"), rate_ml_h=Decimal(10), site="L forearm"
    )
    services.administration_rate(
        administration=admin, user=user, at=at("09:45"), rate_ml_h=Decimal(125)
    )
    services.administration_stop(administration=admin, user=user, stopped_at=at("11:40"))


def do_discharge(visit: Visit, user: Any, provider: StaffMember | None = None) -> None:
    services.vitals_record(
        visit=visit,
        user=user,
        phase="post",
        taken_at=at("11:45"),
        systolic=118,
        diastolic=76,
        pulse=70,
        temperature_c=Decimal("36.7"),
        spo2=98,
        respiratory_rate=16,
    )
    services.visit_discharge(
        visit=visit,
        user=user,
        discharged_at=at("11:50"),
        condition="stable",
        supervising_provider=provider,
    )
