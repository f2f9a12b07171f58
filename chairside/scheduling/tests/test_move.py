from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.access.authorizations.models import AuthorizationUsage
from chairside.audit.models import AuditEvent
from chairside.scheduling import services
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import at
from tests import factories as f


@pytest.fixture
def booked(org: Any, coordinator: Any, order: Any, chairs: Any) -> Appointment:
    return services.appointment_book(
        organization=org, user=coordinator, order=order, chair=chairs["C01"], start=at("09:00")
    ).appointment


class TestMoveWithinTheDay:
    def test_it_moves_time_and_chair_and_audits_both(
        self, coordinator: Any, booked: Appointment, chairs: Any
    ) -> None:
        services.appointment_move(
            appointment=booked, user=coordinator, start=at("10:15"), chair=chairs["C02"]
        )
        booked.refresh_from_db()
        assert (booked.start, booked.end, booked.chair.name) == (at("10:15"), at("12:15"), "C02")
        event = AuditEvent.objects.filter(action="update", object_id=booked.public_id).get()
        assert set(event.changes) >= {"start", "end", "chair"}

    def test_it_refuses_a_taken_chair_and_leaves_the_appointment(
        self, org: Any, coordinator: Any, booked: Appointment, chairs: Any, location: Any
    ) -> None:
        other = sf.make_order(f.make_patient(org), location=location)
        services.appointment_book(
            organization=org, user=coordinator, order=other, chair=chairs["C02"], start=at("11:00")
        )
        with pytest.raises(ValidationError, match="Chair C02 is taken 11:00–13:00"):
            services.appointment_move(
                appointment=booked, user=coordinator, start=at("10:00"), chair=chairs["C02"]
            )
        booked.refresh_from_db()
        assert (booked.start, booked.chair.name) == (at("09:00"), "C01")

    def test_it_does_not_move_a_patient_in_the_chair(
        self, coordinator: Any, booked: Appointment, clock: Any
    ) -> None:
        clock.move_to(at("09:05"))
        services.appointment_check_in(appointment=booked, user=coordinator)
        services.appointment_seat(appointment=booked, user=coordinator)
        with pytest.raises(ValidationError, match="in chair appointment cannot be moved"):
            services.appointment_move(appointment=booked, user=coordinator, start=at("11:00"))


class TestReschedule:
    def test_another_day_reschedules_and_keeps_the_dose(
        self, coordinator: Any, booked: Appointment
    ) -> None:
        moved = services.appointment_move(
            appointment=booked,
            user=coordinator,
            start=at("13:00", dt.date(2026, 12, 9)),
            reason="Patient asked for Wednesday",
        ).appointment
        booked.refresh_from_db()
        assert booked.status == "rescheduled"
        assert moved.rescheduled_from == booked
        assert moved.dose_number == booked.dose_number == 1
        assert moved.start == at("13:00", dt.date(2026, 12, 9))

    def test_the_reservation_follows_the_new_date(
        self, coordinator: Any, booked: Appointment
    ) -> None:
        moved = services.appointment_move(
            appointment=booked, user=coordinator, start=at("13:00", dt.date(2026, 12, 9))
        ).appointment
        live = AuthorizationUsage.objects.filter(order=booked.order, released_at__isnull=True)
        assert [u.source_id for u in live] == [str(moved.public_id)]

    def test_a_refused_reschedule_changes_nothing(
        self, coordinator: Any, booked: Appointment, chairs: Any
    ) -> None:
        christmas = dt.date(2026, 12, 25)
        services.holidays_load(organization=booked.organization, year=2026)
        with pytest.raises(ValidationError, match="closed on Christmas Day"):
            services.appointment_move(
                appointment=booked, user=coordinator, start=at("09:00", christmas)
            )
        booked.refresh_from_db()
        assert booked.status == "booked"
        assert Appointment.objects.count() == 1


class TestAssignNurse:
    def test_it_refuses_a_nurse_off_shift(
        self, org: Any, coordinator: Any, booked: Appointment, location: Any
    ) -> None:
        late = sf.make_nurse(org, "Kevin", "Liu")
        sf.make_shift(late, location, starts="12:00", ends="19:00")
        with pytest.raises(ValidationError, match="K. Liu's shift is 12:00–19:00"):
            services.appointment_assign_nurse(appointment=booked, user=coordinator, nurse=late)

    def test_it_assigns_a_nurse_on_shift(
        self, coordinator: Any, booked: Appointment, nurse: Any, location: Any
    ) -> None:
        sf.make_shift(nurse, location)
        services.appointment_assign_nurse(appointment=booked, user=coordinator, nurse=nurse)
        booked.refresh_from_db()
        assert booked.nurse == nurse
