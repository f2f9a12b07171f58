"""Lot reservations: each appointment of the next business days holds its vials (issue 16)."""

# The scheduling fixtures are imported by name, and pytest passes them by that name.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chairside.formulary.models import Package
from chairside.inventory import selectors
from chairside.inventory import services as inventory
from chairside.inventory.models import Lot, Reservation
from chairside.inventory.services.reservations import reserve_upcoming
from chairside.inventory.tests import factories as inv
from chairside.scheduling import services
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.conftest import (  # noqa: F401
    chairs,
    clock,
    coordinator,
    nurse,
    order,
    s,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def _package(s: Any) -> Package:
    return Package.objects.create(
        drug=s.order.drug,
        ndc11="57894003001",
        description="100 mg lyophilized powder, single-dose vial",
        strength_mg=Decimal(100),
    )


@pytest.fixture
def lots(s: Any) -> tuple[Lot, Lot]:
    """Two lots of 100 mg vials: A expires first (FEFO takes it first)."""
    place, pkg = inv.make_place(s.location), _package(s)
    first = inv.make_lot(place, pkg, vials=6, expires_in=60, lot_number="EARLY1")
    later = inv.make_lot(place, pkg, vials=10, expires_in=300, lot_number="LATER2")
    return first, later


def _book(s: Any, when: str = "09:00", day: dt.date = sf.DAY, chair: str = "C01") -> Any:
    sf.make_shift(s.nurse, s.location, day=day)
    return services.appointment_book(
        organization=s.org,
        user=s.coordinator,
        order=s.order,
        chair=s.chairs[chair],
        start=sf.at(when, day),
    ).appointment


def _held(appointment: Any) -> list[tuple[str, int]]:
    return [
        (r.lot.lot_number, r.vials)
        for r in Reservation.objects.filter(appointment=appointment, status="active")
    ]


class TestBooking:
    def test_a_booking_in_the_window_reserves_its_vials_first_expiry_first(
        self, s: Any, lots: Any
    ) -> None:
        appointment = _book(s)
        assert _held(appointment) == [("EARLY1", 4)]  # 350 mg = 4 x 100 mg

    def test_the_forecast_sees_only_the_free_vials_and_not_the_reserved_dose(
        self, s: Any, lots: Any
    ) -> None:
        _book(s)
        [row] = selectors.demand_forecast(organization=s.org, location=s.location).rows
        assert (row.on_hand, row.reserved, row.booked) == (12, 4, 0)

    def test_a_second_patient_never_gets_vials_already_reserved(self, s: Any, lots: Any) -> None:
        first = _book(s)
        other = sf.make_order(f.make_patient(s.org), drug=s.order.drug, location=s.location)
        second = services.appointment_book(
            organization=s.org,
            user=s.coordinator,
            order=other,
            chair=s.chairs["C02"],
            start=sf.at("09:00"),
        ).appointment
        assert _held(first) == [("EARLY1", 4)]
        assert _held(second) == [("EARLY1", 2), ("LATER2", 2)]
        for lot in lots:
            held = sum(r.vials for r in lot.reservations.filter(status="active"))
            assert held <= lot.on_hand

    def test_nothing_is_reserved_when_the_free_stock_cannot_cover_the_dose(self, s: Any) -> None:
        inv.make_lot(inv.make_place(s.location), _package(s), vials=2)
        appointment = _book(s)
        assert _held(appointment) == []


class TestRelease:
    def test_a_cancellation_gives_the_vials_back(self, s: Any, lots: Any) -> None:
        appointment = _book(s)
        services.appointment_cancel(
            appointment=appointment, user=s.coordinator, reason_code="patient_request"
        )
        row = Reservation.objects.get(appointment=appointment)
        assert (row.status, row.reason) == ("released", "Appointment cancelled")

    def test_a_move_out_of_the_window_releases_and_the_new_booking_waits(
        self, s: Any, lots: Any
    ) -> None:
        appointment = _book(s)
        later = dt.date(2026, 12, 15)
        sf.make_shift(s.nurse, s.location, day=later)
        moved = services.appointment_move(
            appointment=appointment, user=s.coordinator, start=sf.at("09:00", later)
        ).appointment
        assert _held(appointment) == [] and _held(moved) == []
        assert Reservation.objects.get(appointment=appointment).status == "released"

    def test_the_nightly_job_reserves_what_enters_the_window(self, s: Any, lots: Any) -> None:
        later = dt.date(2026, 12, 10)  # Thursday: the fourth business day from Monday
        appointment = _book(s, day=later)
        assert _held(appointment) == []
        s.clock.move_to(dt.datetime(2026, 12, 8, 2, 0, tzinfo=sf.TZ))  # the night after
        assert reserve_upcoming() == (1, 0)
        assert _held(appointment) == [("EARLY1", 4)]
        assert reserve_upcoming() == (0, 0)  # idempotent


class TestDispense:
    def test_dispensing_the_dose_consumes_its_reservation(self, s: Any, lots: Any) -> None:
        appointment = _book(s)
        early, _ = lots
        inventory.stock_dispense(
            lot=early,
            vials=4,
            patient=s.patient,
            user=s.coordinator,
            visit_ref=str(appointment.public_id),
        )
        row = Reservation.objects.get(appointment=appointment)
        assert (row.status, row.reason) == ("consumed", "Dispensed")

    def test_another_patient_cannot_take_reserved_vials(self, s: Any, lots: Any) -> None:
        _book(s)
        early, _ = lots
        with pytest.raises(ValidationError, match="4 of its 6 vials are reserved"):
            inventory.stock_dispense(
                lot=early, vials=3, patient=f.make_patient(s.org), user=s.coordinator
            )
        picks = inventory.dispense_suggestion(
            organization=s.org,
            location=s.location,
            dose_mg=Decimal(300),
            patient=f.make_patient(s.org),
            drug=s.order.drug,
        )
        assert [(lot.lot_number, n) for lot, n in picks] == [("EARLY1", 2), ("LATER2", 1)]


class TestPages:
    def test_the_lot_and_the_reserved_page_show_the_reservation(self, s: Any, lots: Any) -> None:
        appointment = _book(s)
        client = f.login(f.make_user(s.org, "pharmacist"))
        page = client.get(f"/inventory/lots/{lots[0].public_id}/").content.decode()
        assert "Reserved for appointments" in page and "4 of 6 vials held; 2 free" in page
        page = client.get("/inventory/reservations/").content.decode()
        assert f'id="reserved-{appointment.public_id}"' in page and "EARLY1" in page

    def test_reserve_now_reserves_once_stock_arrives(self, s: Any) -> None:
        appointment = _book(s)
        assert _held(appointment) == []
        inv.make_lot(inv.make_place(s.location), _package(s), vials=5, lot_number="NEW5")
        client = f.login(f.make_user(s.org, "pharmacist"))
        response = client.post(
            f"/inventory/reservations/{appointment.public_id}/reserve/",
            {"back": "/schedule/readiness/"},
        )
        assert response.status_code == 302 and response["Location"] == "/schedule/readiness/"
        assert _held(appointment) == [("NEW5", 4)]


on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks under real concurrency need PostgreSQL"
)


@pytest.mark.postgres_only
@on_postgres
@pytest.mark.django_db(transaction=True)
class TestConcurrentReservations:
    def test_twelve_bookings_at_once_never_over_reserve_a_lot(self) -> None:
        org = f.make_org("Reserve Race")
        location = f.make_location(org, chairs=12)
        drug = inv.make_drug(org)
        lot = inv.make_lot(inv.make_place(location), inv.package(drug), vials=20)
        chairs = list(location.chairs.all())
        appointments = [_raw_appointment(org, location, drug, chair) for chair in chairs]
        start = threading.Barrier(len(appointments))

        def reserve(appointment: Any) -> None:
            try:
                start.wait()
                inventory.reservation_reserve(appointment=appointment)
            finally:
                connection.close()

        threads = [threading.Thread(target=reserve, args=(a,)) for a in appointments]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        held = sum(r.vials for r in Reservation.objects.filter(lot=lot, status="active"))
        assert held == 20  # five doses of 4 vials; the other seven got nothing


def _raw_appointment(org: Any, location: Any, drug: Any, chair: Any) -> Any:
    from django.utils import timezone

    from chairside.scheduling.models import Appointment

    patient = f.make_patient(org)
    treatment = sf.make_order(patient, drug=drug, location=location)
    start = timezone.now() + dt.timedelta(hours=2)
    return Appointment.objects.create(
        organization=org,
        patient=patient,
        order=treatment,
        location=location,
        chair=chair,
        start=start,
        end=start + dt.timedelta(hours=2),
        status="booked",
    )
