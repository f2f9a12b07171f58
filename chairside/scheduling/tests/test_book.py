from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.access.authorizations.models import AuthorizationUsage
from chairside.access.referrals.models import OrderLab
from chairside.audit.models import AuditEvent
from chairside.patients.services import lab_result_record
from chairside.scheduling import checks, services
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import at
from tests import factories as f
from tests.factories import someone


def book(org: Any, user: Any, order: Any, chair: Any, start: dt.datetime, **kw: Any) -> Any:
    return services.appointment_book(
        organization=org, user=user, order=order, chair=chair, start=start, **kw
    )


def refusal(org: Any, user: Any, order: Any, chair: Any, start: dt.datetime, **kw: Any) -> str:
    before = Appointment.objects.count()
    with pytest.raises(ValidationError) as exc:
        book(org, user, order, chair, start, **kw)
    assert Appointment.objects.count() == before, "a refused booking saves nothing"
    return " | ".join(exc.value.messages)


class TestBook:
    def test_it_books_with_the_formulary_duration_and_the_free_nurse(self, s: Any) -> None:
        sf.make_shift(s.nurse, s.location)
        booked = book(s.org, s.coordinator, s.order, s.chairs["C01"], at("09:00"))
        appointment = booked.appointment
        assert appointment.end == at("11:00")  # infliximab: 120 minutes, no observation
        assert appointment.nurse == s.nurse
        assert appointment.dose_number == 1
        assert appointment.status == "booked"
        assert appointment.booked_by == s.coordinator
        assert booked.warnings == ()
        event = AuditEvent.objects.get(action="create", object_id=appointment.public_id)
        assert event.patient_id == s.order.patient.public_id

    def test_it_reserves_the_authorization_it_uses(
        self, org: Any, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        order.drug.prior_auth_usually_required = True
        order.drug.save()
        auth = sf.make_authorization(order)
        appointment = book(org, coordinator, order, chairs["C01"], at("09:00")).appointment
        assert appointment.authorization == auth
        usage = AuthorizationUsage.objects.get(source_id=str(appointment.public_id))
        assert usage.units == 35  # 5 mg/kg x 70 kg = 350 mg, J1745 is per 10 mg

    def test_it_names_the_chair_that_is_taken(
        self, org: Any, coordinator: Any, order: Any, chairs: Any, patient: Any
    ) -> None:
        other = sf.make_order(f.make_patient(org), location=order.location)
        book(org, coordinator, other, chairs["C03"], at("10:00"), minutes=150)
        message = refusal(org, coordinator, order, chairs["C03"], at("11:00"))
        assert "Chair C03 is taken 10:00–12:30 by another patient" in message

    def test_it_names_the_nurse_over_her_ratio(
        self, org: Any, coordinator: Any, order: Any, location: Any, nurse: Any
    ) -> None:
        sf.make_shift(nurse, location)
        for n in range(3):
            other = sf.make_order(f.make_patient(org), location=location)
            chair = location.chairs.get(name=f"C0{n + 1}")
            book(org, coordinator, other, chair, at("09:00"), nurse=nurse)
        location.nurse_patient_ratio = 3
        location.save()
        message = refusal(
            org, coordinator, order, location.chairs.get(name="C04"), at("10:30"), nurse=nurse
        )
        assert "Nurse J. Blake would have 4 patients at 10:30 (ratio 1:3)" in message

    def test_it_refuses_a_nurse_outside_her_shift(self, s: Any) -> None:
        sf.make_shift(s.nurse, s.location, starts="07:00", ends="12:00")
        message = refusal(
            s.org, s.coordinator, s.order, s.chairs["C01"], at("11:00"), nurse=s.nurse
        )
        assert "J. Blake's shift is 07:00–12:00; this appointment would run 11:00–13:00" in message

    def test_it_refuses_a_closed_day_by_its_name(
        self, org: Any, coordinator: Any, order: Any, chairs: Any, location: Any
    ) -> None:
        services.holidays_load(organization=org, year=2026)
        christmas = dt.date(2026, 12, 25)
        message = refusal(org, coordinator, order, chairs["C01"], at("10:00", christmas))
        assert f"{location.name} is closed on Christmas Day, 12/25/2026" in message

    def test_it_refuses_a_time_outside_opening_hours(
        self, org: Any, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        message = refusal(org, coordinator, order, chairs["C01"], at("18:00"))
        assert "is open 07:00–19:00 on Tuesdays; this appointment would run 18:00–20:00" in message

    def test_it_refuses_a_patient_already_booked_then(self, s: Any) -> None:
        iron = sf.make_drug(s.org, key="iron", generic_name="iron sucrose", hcpcs="J1756")
        second = sf.make_order(
            s.patient,
            drug=iron,
            location=s.location,
            dose_mg_per_kg=None,
            dose_mg="200",
            loading_days=[0, 3, 7, 10, 14],
            maintenance_interval_days=None,
        )
        book(s.org, s.coordinator, s.order, s.chairs["C01"], at("09:00"))
        message = refusal(s.org, s.coordinator, second, s.chairs["C02"], at("10:00"))
        assert "Grace Hopper is already booked 09:00–11:00 (infliximab at" in message

    def test_it_refuses_an_expired_order(self, s: Any) -> None:
        old = sf.make_order(
            s.patient,
            location=s.location,
            signed_on=dt.date(2025, 10, 1),
            expires_on=dt.date(2026, 10, 1),
            first_dose_on=dt.date(2025, 10, 6),
        )
        message = refusal(s.org, s.coordinator, old, s.chairs["C01"], at("09:00"))
        assert "Order expired 10/01/2026" in message

    def test_it_refuses_a_dose_before_the_regimen_allows(
        self, org: Any, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        book(org, coordinator, order, chairs["C01"], at("09:00"))
        # Dose 2 of infliximab is at week 2 (12/22); three days' grace allows 12/19.
        message = refusal(
            org, coordinator, order, chairs["C01"], at("09:00", dt.date(2026, 12, 15))
        )
        assert "Dose 2 is not due until 12/22/2026 (earliest 12/19/2026)" in message
        later = book(org, coordinator, order, chairs["C01"], at("09:00", dt.date(2026, 12, 21)))
        assert later.appointment.dose_number == 2

    def test_it_refuses_when_required_labs_are_out_of_date(
        self, org: Any, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        OrderLab.objects.create(order=order, name="Tuberculosis screening (TST or IGRA)")
        message = refusal(org, coordinator, order, chairs["C01"], at("09:00"))
        assert "Tuberculosis screening (TST or IGRA) never recorded" in message

    def test_a_lab_current_today_but_lapsing_before_the_dose_is_a_warning(
        self, org: Any, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        # The clock is 12/07/2026; a CBC every 28 days drawn 11/12 falls due 12/10.
        OrderLab.objects.create(order=order, name="CBC", every_days=28)
        lab_result_record(
            patient=order.patient, user=someone(), lab_name="CBC", result_on=dt.date(2026, 11, 12)
        )
        later = at("09:00", dt.date(2026, 12, 15))
        booked = book(org, coordinator, order, chairs["C01"], later)
        assert "Draw before the visit: CBC due 12/10/2026" in booked.warnings

    def test_a_lab_already_overdue_today_still_refuses_a_later_dose(
        self, org: Any, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        OrderLab.objects.create(order=order, name="CBC", every_days=28)
        lab_result_record(
            patient=order.patient, user=someone(), lab_name="CBC", result_on=dt.date(2026, 10, 1)
        )
        message = refusal(
            org, coordinator, order, chairs["C01"], at("09:00", dt.date(2026, 12, 15))
        )
        assert "Required labs are out of date: CBC last 10/01/2026, due every 28 days" in message

    def test_it_refuses_a_start_that_has_passed(
        self, org: Any, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        message = refusal(org, coordinator, order, chairs["C01"], at("07:00", dt.date(2026, 12, 7)))
        assert "has already passed" in message

    def test_it_books_without_a_nurse_and_says_so_when_all_are_busy(self, s: Any) -> None:
        sf.make_shift(s.nurse, s.location, starts="12:00", ends="19:00")
        booked = book(s.org, s.coordinator, s.order, s.chairs["C01"], at("08:00"))
        assert booked.appointment.nurse is None
        assert "No nurse on shift is free 12/08/2026 08:00–10:00" in booked.warnings[0]


class TestAuthorizationRule:
    @pytest.fixture
    def needs_auth(self, order: Any) -> Any:
        order.drug.prior_auth_usually_required = True
        order.drug.save()
        f.make_coverage(order.patient, f.make_payer(order.organization))
        return order

    def test_it_refuses_a_date_no_authorization_covers(
        self, org: Any, coordinator: Any, needs_auth: Any, chairs: Any
    ) -> None:
        message = refusal(org, coordinator, needs_auth, chairs["C01"], at("09:00"))
        assert "No approved authorization covers 12/08/2026" in message
        assert "(override with a reason)" in message

    def test_a_coordinator_overrides_with_a_reason_shown_on_the_appointment(
        self, org: Any, coordinator: Any, needs_auth: Any, chairs: Any
    ) -> None:
        booked = book(
            org,
            coordinator,
            needs_auth,
            chairs["C01"],
            at("09:00"),
            override_reason="Payer approved by phone, ref 7781; letter to follow",
        )
        override = booked.appointment.authorization_override
        assert override is not None
        assert override.reason.startswith("Payer approved by phone")
        assert "No approved authorization covers" in override.missing
        assert AuditEvent.objects.filter(action="override", object_id=override.public_id).exists()

    def test_a_nurse_may_not_override(self, org: Any, needs_auth: Any, chairs: Any) -> None:
        nurse_user = f.make_user(org, "nurse")
        message = refusal(
            org, nurse_user, needs_auth, chairs["C01"], at("09:00"), override_reason="urgent case"
        )
        assert "Only an administrator or coordinator may override" in message


class TestOrganizationWall:
    def test_it_refuses_another_organizations_chair(
        self, org: Any, other_org: Any, coordinator: Any, order: Any
    ) -> None:
        foreign = f.make_location(other_org, chairs=1).chairs.get()
        with pytest.raises(ValidationError, match="your organization"):
            book(org, coordinator, order, foreign, at("09:00"))


class TestNoRotaYet:
    def test_a_day_without_shifts_books_quietly_without_a_nurse(self, s: Any) -> None:
        booked = book(s.org, s.coordinator, s.order, s.chairs["C01"], at("09:00"))
        assert booked.appointment.nurse is None
        assert booked.warnings == ()


class TestStockWarning:
    def test_a_short_forecast_warns_but_books(self, s: Any, monkeypatch: Any) -> None:
        from types import SimpleNamespace

        from django.core.cache import cache

        cache.clear()
        row = SimpleNamespace(drug=s.order.drug, stockout=dt.date(2026, 12, 8))
        forecast = SimpleNamespace(short_rows=[row])
        monkeypatch.setattr("chairside.inventory.booking.demand_forecast", lambda **kw: forecast)
        booked = book(s.org, s.coordinator, s.order, s.chairs["C01"], at("09:00"))
        assert booked.appointment.pk is not None
        assert "Stock forecast: infliximab runs short at" in booked.warnings[-1]
        assert "from 12/08/2026" in booked.warnings[-1]
        cache.clear()


class TestUnsignedOrder:
    """Issue 11.2: an order awaiting a provider's signature cannot be booked."""

    def test_it_refuses_to_book_an_order_awaiting_signature(self, s: Any) -> None:
        s.order.signed_at = None
        s.order.save()
        message = refusal(s.org, s.coordinator, s.order, s.chairs["C01"], at("09:00"))
        assert "The order awaits a physician's or NP's signature" in message

    def test_it_refuses_an_order_whose_signature_was_voided(self, s: Any) -> None:
        from chairside.access.referrals.services import order_update

        order_update(order=s.order, user=s.coordinator, dose_mg_per_kg=Decimal("7.5"))
        message = refusal(s.org, s.coordinator, s.order, s.chairs["C01"], at("09:00"))
        assert "signature was voided" in message
        assert "must sign it again" in message


class TestDuration:
    """Issue 13.7: access + premedication wait + the label's infusion + observation."""

    def test_infliximab_books_access_and_two_hours_then_the_orders_observation(
        self, s: Any, settings: Any
    ) -> None:
        settings.CHAIR_ACCESS_MINUTES = 15  # the center's IV-access time
        first = book(s.org, s.coordinator, s.order, s.chairs["C01"], at("09:00")).appointment
        assert first.end == at("11:15")  # 15 min access + 120 min (REMICADE label §2.11)
        s.order.observation_minutes = 30
        s.order.premedications = "Acetaminophen 650 mg PO 30 min before"
        s.order.save()
        assert checks.default_minutes(s.order, 2) == 15 + 30 + 120 + 30
        assert checks.default_minutes(s.order, 3) == 195

    def test_ocrelizumab_doses_one_and_two_are_first_infusions_dose_three_is_later(
        self, s: Any, settings: Any
    ) -> None:
        settings.CHAIR_ACCESS_MINUTES = 15
        drug = sf.make_drug(
            s.org,
            key="ocrelizumab-x",
            generic_name="ocrelizumab",
            first_infusion_minutes=150,
            subsequent_infusion_minutes=210,
            observation_minutes=60,
        )
        order = sf.make_order(
            s.patient,
            drug=drug,
            location=s.location,
            loading_days=[0, 14, 182],
            maintenance_interval_days=182,
            dose_mg_per_kg=None,
            dose_mg=Decimal(300),
            maintenance_dose_mg=Decimal(600),
            maintenance_dose_from=3,
            premedications="Methylprednisolone 100 mg IV 30 min before",
        )
        before, after = 15 + 30, 60
        assert checks.default_minutes(order, 1) == before + 150 + after
        assert checks.default_minutes(order, 2) == before + 150 + after  # still 300 mg
        assert checks.default_minutes(order, 3) == before + 210 + after  # 600 mg


class TestTheAccessQueueCountsFollowBookings:
    """The Today page's cached "due with no appointment" count reads the bookings through
    the access step's ``booking_rows`` registry: a booking or a cancellation recounts it."""

    def due_unbooked(self, s: Any) -> int:
        from chairside.access.authorizations.queues import queue_counts

        return queue_counts(s.org, timezone.localdate(), ["due-unbooked"])["due-unbooked"]

    def test_a_booking_and_its_cancellation_move_the_count_at_once(self, s: Any) -> None:
        sf.make_shift(s.nurse, s.location)
        assert self.due_unbooked(s) == 1  # the first dose is due tomorrow, nothing booked
        appointment = book(s.org, s.coordinator, s.order, s.chairs["C01"], at("09:00")).appointment
        assert self.due_unbooked(s) == 0
        services.appointment_cancel(
            appointment=appointment, user=s.coordinator, reason_code="other", reason="Unwell"
        )
        assert self.due_unbooked(s) == 1
