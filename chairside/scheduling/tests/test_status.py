from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.access.authorizations.models import AuthorizationUsage
from chairside.scheduling import services
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests.factories import at


@pytest.fixture
def booked(org: Any, coordinator: Any, order: Any, chairs: Any) -> Appointment:
    return services.appointment_book(
        organization=org, user=coordinator, order=order, chair=chairs["C01"], start=at("09:00")
    ).appointment


def live_usage(appointment: Appointment) -> AuthorizationUsage | None:
    return AuthorizationUsage.objects.filter(
        source_id=str(appointment.public_id), released_at__isnull=True
    ).first()


class TestCancel:
    def test_it_needs_a_reason(self, coordinator: Any, booked: Appointment) -> None:
        with pytest.raises(ValidationError, match="Choose why"):
            services.appointment_cancel(appointment=booked, user=coordinator, reason_code="")
        with pytest.raises(ValidationError, match="Say what happened"):
            services.appointment_cancel(appointment=booked, user=coordinator, reason_code="other")

    def test_it_frees_the_chair_and_the_authorization_visit(
        self, org: Any, coordinator: Any, booked: Appointment, chairs: Any, order: Any
    ) -> None:
        services.appointment_cancel(
            appointment=booked, user=coordinator, reason_code="illness", reason="Fever"
        )
        booked.refresh_from_db()
        assert (booked.status, booked.reason_code, booked.reason) == (
            "cancelled",
            "illness",
            "Fever",
        )
        assert live_usage(booked) is None
        again = services.appointment_book(
            organization=org, user=coordinator, order=order, chair=chairs["C01"], start=at("09:00")
        )
        assert again.appointment.dose_number == 1


class TestNoShow:
    def test_it_cannot_be_recorded_before_the_start(
        self, coordinator: Any, booked: Appointment
    ) -> None:
        with pytest.raises(ValidationError, match="It is not yet 09:00 on 12/08/2026"):
            services.appointment_mark_no_show(appointment=booked, user=coordinator)

    def test_it_records_the_reason_and_releases_the_visit(
        self, coordinator: Any, booked: Appointment, clock: Any
    ) -> None:
        clock.move_to(at("09:40"))
        services.appointment_mark_no_show(
            appointment=booked, user=coordinator, reason_code="no_contact", reason="2 calls"
        )
        booked.refresh_from_db()
        assert booked.status == "no_show"
        assert live_usage(booked) is None

    def test_a_late_arrival_can_still_check_in(
        self, coordinator: Any, booked: Appointment, clock: Any
    ) -> None:
        clock.move_to(at("09:40"))
        services.appointment_mark_no_show(appointment=booked, user=coordinator)
        clock.move_to(at("10:05"))
        services.appointment_check_in(appointment=booked, user=coordinator)
        booked.refresh_from_db()
        assert booked.status == "checked_in"
        assert live_usage(booked) is not None


class TestDayOfTreatment:
    def test_check_in_is_only_on_the_day(self, coordinator: Any, booked: Appointment) -> None:
        with pytest.raises(ValidationError, match="This appointment is on 12/08/2026, not today"):
            services.appointment_check_in(appointment=booked, user=coordinator)

    def test_a_visit_runs_from_check_in_to_completed_and_uses_the_visit(
        self, coordinator: Any, booked: Appointment, clock: Any
    ) -> None:
        clock.move_to(at("08:50"))
        services.appointment_confirm(appointment=booked, user=coordinator)
        services.appointment_check_in(appointment=booked, user=coordinator)
        services.appointment_seat(appointment=booked, user=coordinator)
        services.appointment_complete(appointment=booked, user=coordinator)
        booked.refresh_from_db()
        assert booked.status == "completed"
        assert booked.checked_in_at is not None
        usage = live_usage(booked)
        assert usage is not None and usage.kind == "consumed"

    def test_it_refuses_a_step_out_of_order(self, coordinator: Any, booked: Appointment) -> None:
        with pytest.raises(ValidationError, match="cannot go from Booked to Completed"):
            services.appointment_complete(appointment=booked, user=coordinator)


class TestWorkQueueContract:
    def test_it_lists_orders_with_an_appointment_still_to_come(
        self, org: Any, booked: Appointment, order: Any
    ) -> None:
        from chairside.scheduling.selectors import order_ids_with_appointments

        found = order_ids_with_appointments(
            organization=org,
            order_ids=[order.pk],
            start=booked.start.date(),
            end=booked.start.date(),
        )
        assert found == {order.pk}
        assert not order_ids_with_appointments(
            organization=org,
            order_ids=[order.pk],
            start=booked.start.date() + dt.timedelta(days=1),
            end=booked.start.date() + dt.timedelta(days=9),
        )
