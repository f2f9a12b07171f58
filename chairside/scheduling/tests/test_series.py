from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.scheduling import services, slots
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests.factories import DAY, at


def propose(order: Any, location: Any, **kw: Any) -> list[slots.SeriesDose]:
    kw.setdefault("at", dt.time(9, 0))
    return slots.series_propose(order=order, location=location, **kw)


class TestSeriesPropose:
    def test_it_proposes_every_dose_of_the_order_on_the_preferred_weekday(
        self, order: Any, location: Any
    ) -> None:
        order.number_of_doses = 5
        order.save()
        doses = propose(order, location, weekday=DAY.weekday())
        # Infliximab weeks 0, 2, 6, 14, 22 from Tuesday 12/08/2026 (Remicade label §2).
        assert [d.day for d in doses] == [
            dt.date(2026, 12, 8),
            dt.date(2026, 12, 22),
            dt.date(2027, 1, 19),
            dt.date(2027, 3, 16),
            dt.date(2027, 5, 11),
        ]
        assert all(d.bookable for d in doses)
        assert [d.chair.name if d.chair else None for d in doses] == ["C01"] * 5

    def test_a_preferred_weekday_never_pulls_a_dose_too_early(
        self, order: Any, location: Any
    ) -> None:
        order.number_of_doses = 3
        order.save()
        doses = propose(order, location, weekday=0)  # Mondays
        # Dose 2 is due Tue 12/22: Monday 12/21 is within the 3 days' grace.
        assert doses[1].day == dt.date(2026, 12, 21)
        assert doses[1].bookable

    def test_it_shows_the_conflict_of_each_date(
        self, org: Any, coordinator: Any, order: Any, location: Any
    ) -> None:
        order.number_of_doses = 3
        order.save()
        services.holidays_load(organization=org, year=2027)
        # Dose 3 is week 6 from 12/07/2026 = Mon 01/18/2027, Martin Luther King Jr. Day.
        order.first_dose_on = dt.date(2026, 12, 7)
        order.save()
        doses = propose(order, location, weekday=None, first_on=None)
        doses = [d for d in doses if d.number == 3]
        assert "closed on Martin Luther King Jr. Day, 01/18/2027" in doses[0].problems[0]


class TestSeriesBook:
    def test_it_books_the_chosen_doses_under_one_series(
        self, org: Any, coordinator: Any, order: Any, location: Any
    ) -> None:
        order.number_of_doses = 3
        order.save()
        doses = propose(order, location, weekday=DAY.weekday())
        items = [services.SeriesItem(d.number, d.start, d.chair) for d in doses if d.chair]
        booked = services.series_book(organization=org, user=coordinator, order=order, items=items)
        series = {b.appointment.series_id for b in booked}
        assert len(series) == 1 and None not in series
        assert [b.appointment.dose_number for b in booked] == [1, 2, 3]
        assert propose(order, location, weekday=DAY.weekday())[0].booked is not None

    def test_one_refused_dose_books_nothing(
        self, org: Any, coordinator: Any, order: Any, location: Any, chairs: Any
    ) -> None:
        items = [
            services.SeriesItem(1, at("09:00"), chairs["C01"]),
            services.SeriesItem(2, at("09:00", dt.date(2026, 12, 10)), chairs["C01"]),
        ]
        with pytest.raises(ValidationError) as exc:
            services.series_book(organization=org, user=coordinator, order=order, items=items)
        assert "Dose 2 on 12/10/2026: Dose 2 is not due until 12/22/2026" in exc.value.messages[0]
        assert exc.value.messages[-1] == "Nothing was booked."
        assert Appointment.objects.count() == 0
