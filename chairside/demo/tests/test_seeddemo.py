from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from chairside.billing.models import Claim, ClaimExport
from chairside.demo.hospital import ORG_NAME as HOSPITAL_NAME
from chairside.demo.keys import DEMO_TOTP_KEY, DEMO_TOTP_SECRET
from chairside.demo.panel import NOT_READY_NOTE, PANEL_PATIENTS, site_utilization
from chairside.demo.tests.test_demo_hospital import assert_every_837i_validates
from chairside.patients.models import Patient
from chairside.rules.billing.x12.x12_validate import validate_x12
from chairside.tenancy.models import Chair, Location, Membership, Organization, StaffMember


def _assert_every_837p_validates(org: Organization) -> None:
    """pyx12 over every 837P file the demo center sent (issue 8: the claims of the demo
    center pass pyx12's validator without errors). The demo's ``_submit`` raises when a file
    is refused, so an empty result would also be a failure."""
    exports = list(ClaimExport.objects.filter(organization=org))
    assert exports, "the demo center sent no 837P file"
    problems = {e.control_number: validate_x12(e.content) for e in exports}
    assert {n: [str(p) for p in found] for n, found in problems.items() if found} == {}
    sent = Claim.objects.filter(organization=org, exports__isnull=False).distinct().count()
    assert sent == sum(e.claim_count for e in exports) > 0


def _row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label != "audit"
    }


@pytest.mark.slow
@pytest.mark.django_db
class TestSeedDemo:
    def test_it_builds_the_riverside_center_and_duplicates_nothing_on_a_second_run(self) -> None:  # noqa: PLR0915
        out = StringIO()
        call_command("seeddemo", stdout=out)
        # One seed serves both checks (seeding takes about a minute).
        _assert_every_837p_validates(Organization.objects.get(name="Riverside Infusion Partners"))
        assert_every_837i_validates(Organization.objects.get(name=HOSPITAL_NAME))
        first = _row_counts()
        call_command("seeddemo", stdout=StringIO())
        assert _row_counts() == first
        riverside = Organization.objects.get(name="Riverside Infusion Partners")
        assert riverside.managed_by is not None
        main, eastgate = (
            Location.objects.get(organization=riverside, site_type="office"),
            Location.objects.get(organization=riverside, site_type="independent_clinic"),
        )
        assert Chair.objects.filter(location=main).count() == 10
        assert Chair.objects.filter(location=eastgate, kind="chair").count() == 6
        assert Chair.objects.filter(location=eastgate, kind="bed").count() == 1
        assert StaffMember.objects.filter(organization=riverside).count() >= 12
        # 300 established patients with the detailed history, and the panel (issue 16).
        assert Patient.objects.filter(organization=riverside).count() == 300 + PANEL_PATIENTS
        assert Patient.objects.filter(organization=riverside).count() > 1000
        roles = set(
            Membership.objects.filter(organization=riverside).values_list("role", flat=True)
        )
        assert roles >= {
            "admin",
            "coordinator",
            "nurse",
            "pharmacist",
            "biller",
            "provider",
            "auditor",
        }
        assert "chairside-demo" in out.getvalue()
        # The log-ins whose role needs two-factor have the published demo authenticator.
        assert DEMO_TOTP_SECRET in out.getvalue()
        enrolled = set(
            TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, confirmed=True).values_list(
                "user__username", flat=True
            )
        )
        assert enrolled == {"admin", "biller", "manager"}
        # Every demo patient has a diagnosis, a weight and a coverage.
        patients = Patient.objects.filter(mrn__startswith="DEMO-")
        assert not patients.filter(diagnoses__isnull=True).exists()
        assert not patients.filter(measurements__isnull=True).exists()
        assert not patients.filter(coverages__isnull=True).exists()
        _assert_one_npi_per_person_and_no_placeholders(riverside)
        _assert_entyvio_is_stocked_and_billed(riverside)
        _assert_no_chair_is_double_booked(riverside)
        _assert_a_sample_obeys_the_booking_rules(riverside)
        _assert_the_weekdays_are_busy(riverside)


def _assert_no_chair_is_double_booked(riverside: Organization) -> None:
    """Every appointment holding a chair, over the whole demo: none overlaps another."""
    from chairside.rules.scheduling import appointment_states as states
    from chairside.scheduling.models import Appointment

    rows = sorted(
        Appointment.objects.filter(organization=riverside, status__in=states.OCCUPYING).values_list(
            "chair_id", "start", "end", "pk"
        )
    )
    clashes = [
        (a[3], b[3]) for a, b in zip(rows, rows[1:], strict=False) if a[0] == b[0] and b[1] < a[2]
    ]
    assert len(rows) > 4000
    assert clashes == []


def _assert_a_sample_obeys_the_booking_rules(riverside: Organization) -> None:
    """Issue 16: the bulk-written appointments pass the rules a booking passes. A sample,
    each checked on its day without itself: opening hours and closures, the chair, the
    nurse's shift, ratio and competencies (``time_problems``); the dose within the regimen's
    days; from today on also the order, spacing and labs (``date_problems``) and the
    authorization (``authorization_check``, counting its own reservation once)."""
    import random

    from django.utils import timezone

    from chairside.access.authorizations.services.booking import authorization_check
    from chairside.rules.scheduling import appointment_states as states
    from chairside.rules.scheduling.booking import grace_for_gap
    from chairside.scheduling.checks import (
        date_problems,
        dose_context,
        load_day,
        needs_for,
        time_problems,
        units_for,
    )
    from chairside.scheduling.models import Appointment
    from chairside.scheduling.services.appointments import SOURCE

    today = timezone.localdate()
    ids = list(
        Appointment.objects.filter(organization=riverside, status__in=states.OCCUPYING)
        # The orders the demo changed after booking, for the readiness board.
        .exclude(order__appointments__notes=NOT_READY_NOTE)
        .values_list("pk", flat=True)
    )
    sample = random.Random("booking-rules").sample(sorted(ids), 80)
    problems = {}
    for appointment in Appointment.objects.filter(pk__in=sample).select_related(
        "order__drug", "patient", "location", "chair", "nurse"
    ):
        order, day = appointment.order, appointment.local_start().date()
        found = time_problems(
            load_day(appointment.location, day, exclude=[appointment.pk]),
            chair=appointment.chair,
            nurse=appointment.nurse,
            start=appointment.start,
            end=appointment.end,
            patient_name=appointment.patient.full_name,
            patient_busy=[],
            needs=needs_for(order),
        )
        dates = order.planned_dates()
        number = appointment.dose_number
        gap = (dates[number - 1] - dates[number - 2]).days if number > 1 else 12
        if not -grace_for_gap(gap) <= (day - dates[number - 1]).days <= 3:
            found.append(f"dose {number} due {dates[number - 1]}, given {day}")
        if day >= today and appointment.status in {states.BOOKED, states.CONFIRMED}:
            found += date_problems(
                order, day, dose_context(order, day, number=number, exclude=[appointment.pk])
            )
            decision = authorization_check(
                order=order,
                on_date=day,
                units=units_for(order, number),
                source_type=SOURCE,
                source_id=str(appointment.public_id),
            )
            if not decision.ok:
                found.append(decision.message)
        if found:
            problems[f"{appointment.notes} {appointment.pk} {day}"] = found
    assert problems == {}


def _assert_the_weekdays_are_busy(riverside: Organization) -> None:
    """Weekday chair utilization of 55-75% at each site, past thirteen and next four weeks
    (the share of open chair time booked, ``rules.scheduling.booking.utilization``)."""
    for location, share in site_utilization(riverside).items():
        assert 0.55 <= share <= 0.75, (location, share)


def _assert_entyvio_is_stocked_and_billed(riverside: Organization) -> None:
    """Issue 21.4: with its NDC on the formulary, Entyvio is stocked and its claims carry it."""
    from chairside.inventory.models import Lot

    assert Lot.objects.filter(organization=riverside, package__drug__key="vedolizumab").exists()
    codes = {
        (p.get("code"), p.get("message", "")[:60])
        for problems in Claim.objects.filter(organization=riverside).values_list(
            "problems", flat=True
        )
        for p in problems or []
    }
    assert {c for c in codes if c[0] in {"ndc", "tax_id"} or str(c[0]).endswith("_npi")} == set()


def _assert_one_npi_per_person_and_no_placeholders(riverside: Organization) -> None:
    """Issue 13.15: the demo's physicians refer under the NPI they render under, and no
    identifier the claims carry is a placeholder."""
    from chairside.access.referrals.models import ReferringProvider
    from chairside.billing.models import BillingProfile
    from chairside.rules.common.identifiers import ein_problem, npi_problem

    marsh = ReferringProvider.objects.get(organization=riverside, last_name="Marsh")
    staff = StaffMember.objects.get(organization=riverside, last_name="Marsh")
    assert marsh.npi == staff.npi
    npis = [riverside.group_npi, *BillingProfile.objects.values_list("npi", flat=True)]
    npis += ReferringProvider.objects.filter(organization=riverside).values_list("npi", flat=True)
    npis += (
        StaffMember.objects.filter(organization=riverside)
        .exclude(npi="")
        .values_list("npi", flat=True)
    )
    assert {n: npi_problem(n) for n in npis if npi_problem(n)} == {}
    assert ein_problem(riverside.tax_id) is None
    assert [ein_problem(p.tax_id) for p in BillingProfile.objects.all()] == [None] * (
        BillingProfile.objects.count()
    )


def test_the_django_free_code_is_django_otps_code() -> None:
    """deploy/prod_check.py and bench/load.py log in with chairside.demo.keys.totp_code."""
    from django_otp.oath import TOTP

    from chairside.demo.keys import totp_code

    for moment in (0, 59, 1_700_000_000, 2_000_000_029):
        otp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
        otp.time = moment
        assert totp_code(DEMO_TOTP_KEY, at=moment) == f"{otp.token():06d}"
