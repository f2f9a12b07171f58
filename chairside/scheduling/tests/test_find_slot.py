from __future__ import annotations

import datetime as dt
from typing import Any

from chairside.scheduling import services, slots
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import DAY, at
from tests import factories as f


class TestFindSlots:
    def test_it_offers_the_next_free_starts_an_hour_apart(self, order: Any, location: Any) -> None:
        found = slots.find_slots(order=order, location=location, from_date=DAY, days=1)
        assert [o.start for o in found.options] == [at("07:00"), at("08:00"), at("09:00")]
        assert found.minutes == 120

    def test_it_skips_times_the_chairs_are_full_and_the_patient_is_busy(
        self, org: Any, coordinator: Any, order: Any, location: Any, chairs: Any
    ) -> None:
        for chair in chairs.values():
            other = sf.make_order(f.make_patient(org), location=location)
            services.appointment_book(
                organization=org,
                user=coordinator,
                order=other,
                chair=chair,
                start=at("07:00"),
                minutes=240,
            )
        found = slots.find_slots(order=order, location=location, from_date=DAY, days=1)
        assert found.options[0].start == at("11:00")

    def test_it_says_why_days_were_skipped(
        self, org: Any, coordinator: Any, order: Any, location: Any, chairs: Any
    ) -> None:
        services.appointment_book(
            organization=org, user=coordinator, order=order, chair=chairs["C01"], start=at("09:00")
        )
        found = slots.find_slots(
            order=order, location=location, from_date=DAY + dt.timedelta(days=1), days=14
        )
        first, last, reason = found.skipped[0]
        assert (first, last) == (dt.date(2026, 12, 9), dt.date(2026, 12, 18))
        assert reason.startswith("Dose 2 is not due until 12/22/2026")
        assert found.options[0].start.date() == dt.date(2026, 12, 19)
        assert found.options[0].dose_number == 2

    def test_it_keeps_to_the_part_of_the_day_asked_for(self, order: Any, location: Any) -> None:
        found = slots.find_slots(
            order=order, location=location, from_date=DAY, days=1, after=dt.time(13)
        )
        assert found.options[0].start == at("13:00")


class TestNextDose:
    def test_with_dose_one_booked_it_looks_for_dose_two(
        self, org: Any, coordinator: Any, order: Any, location: Any, chairs: Any
    ) -> None:
        services.appointment_book(
            organization=org, user=coordinator, order=order, chair=chairs["C01"], start=at("09:00")
        )
        found = slots.find_slots(
            order=order, location=location, from_date=dt.date(2026, 12, 7), days=16
        )
        assert found.skipped[0][0] == dt.date(2026, 12, 7)
        assert "Dose 2 is not due until 12/22/2026" in found.skipped[0][2]
        assert {o.dose_number for o in found.options} == {2}


class TestFirstDose:
    """Issue 13.8: with no dose given yet, every date proposed is dose 1."""

    def test_every_proposed_date_is_dose_one_until_a_dose_is_booked(
        self, order: Any, location: Any
    ) -> None:
        found = slots.find_slots(
            order=order, location=location, from_date=DAY, days=21, per_day=1, limit=30
        )
        days = [o.start.date() for o in found.options]
        assert {o.dose_number for o in found.options} == {1}
        assert dt.date(2026, 12, 16) in days  # was refused as "dose 2 is not due"
        assert dt.date(2026, 12, 28) in days
        assert not [s for s in found.skipped if "Dose 2" in s[2]]

    def test_booking_after_the_planned_first_date_books_dose_one(
        self, org: Any, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        late = DAY + dt.timedelta(days=10)
        booked = services.appointment_book(
            organization=org,
            user=coordinator,
            order=order,
            chair=chairs["C01"],
            start=at("09:00", late),
        )
        assert booked.appointment.dose_number == 1
