from __future__ import annotations

import pytest

from chairside.rules.scheduling import appointment_states as s


class TestAppointmentStates:
    def test_it_walks_a_visit_from_booking_to_completion(self) -> None:
        path = [s.BOOKED, s.CONFIRMED, s.CHECKED_IN, s.IN_CHAIR, s.COMPLETED]
        for current, target in zip(path, path[1:], strict=False):
            s.APPOINTMENT.check(current, target)
        assert s.APPOINTMENT.is_final(s.COMPLETED)

    def test_it_needs_a_reason_to_cancel_or_mark_a_no_show(self) -> None:
        with pytest.raises(ValueError, match="reason"):
            s.APPOINTMENT.check(s.BOOKED, s.CANCELLED)
        with pytest.raises(ValueError, match="reason"):
            s.APPOINTMENT.check(s.CONFIRMED, s.NO_SHOW, "  ")
        s.APPOINTMENT.check(s.CONFIRMED, s.NO_SHOW, "did not answer two calls")

    def test_it_refuses_to_cancel_a_patient_already_in_the_chair(self) -> None:
        with pytest.raises(ValueError, match="cannot go from In chair to Cancelled"):
            s.APPOINTMENT.check(s.IN_CHAIR, s.CANCELLED, "changed mind")

    def test_a_late_no_show_can_still_check_in(self) -> None:
        s.APPOINTMENT.check(s.NO_SHOW, s.CHECKED_IN)

    def test_only_live_bookings_hold_a_chair(self) -> None:
        assert s.CANCELLED not in s.OCCUPYING
        assert s.NO_SHOW not in s.OCCUPYING
        assert s.RESCHEDULED not in s.OCCUPYING
        assert s.FLEXIBLE <= s.MOVABLE <= s.OCCUPYING
