from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from chairside.scheduling import services
from chairside.scheduling.models import Closure, NurseShift
from chairside.scheduling.tests.factories import DAY, at
from chairside.tenancy.models import StaffMember
from tests.factories import someone


def add_shift(org: Any, nurse: Any, location: Any, **kw: Any) -> list[NurseShift]:
    kw.setdefault("date", DAY)
    kw.setdefault("starts", dt.time(7))
    kw.setdefault("ends", dt.time(15, 30))
    return services.nurse_shift_add(
        organization=org, user=someone(), staff=nurse, location=location, **kw
    )


class TestNurseShifts:
    def test_it_repeats_a_shift_weekly(self, org: Any, nurse: Any, location: Any) -> None:
        shifts = add_shift(org, nurse, location, repeat_weeks=2)
        assert [s.date for s in shifts] == [DAY, DAY + dt.timedelta(7), DAY + dt.timedelta(14)]

    def test_it_skips_closed_days_when_repeating(self, org: Any, nurse: Any, location: Any) -> None:
        services.closure_add(
            organization=org, user=None, date=DAY + dt.timedelta(7), reason="Snow day"
        )
        shifts = add_shift(org, nurse, location, repeat_weeks=2)
        assert [s.date for s in shifts] == [DAY, DAY + dt.timedelta(14)]

    def test_it_refuses_a_shift_on_a_closed_day(self, org: Any, nurse: Any, location: Any) -> None:
        services.closure_add(
            organization=org, user=None, date=DAY, reason="Staff training", location=location
        )
        with pytest.raises(ValidationError, match="is closed on Staff training, 12/08/2026"):
            add_shift(org, nurse, location)
        assert not NurseShift.objects.exists()

    def test_it_refuses_shifts_after_the_license_expires(
        self, org: Any, nurse: Any, location: Any
    ) -> None:
        nurse.license_expires = DAY + dt.timedelta(10)
        nurse.save()
        with pytest.raises(ValidationError, match="RN license expires 12/18/2026"):
            add_shift(org, nurse, location, repeat_weeks=2)
        assert not NurseShift.objects.exists()
        assert len(add_shift(org, nurse, location, repeat_weeks=1)) == 2

    def test_it_refuses_overlapping_shifts_of_one_nurse(
        self, org: Any, nurse: Any, location: Any
    ) -> None:
        add_shift(org, nurse, location)
        with pytest.raises(ValidationError, match="J. Blake already works 07:00–15:30 on 12/08"):
            add_shift(org, nurse, location, starts=dt.time(12), ends=dt.time(19))

    def test_only_nurses_take_patients(self, org: Any, location: Any) -> None:
        assistant = StaffMember.objects.create(
            organization=org, first_name="Derek", last_name="Foster", credential="MA"
        )
        with pytest.raises(ValidationError, match="is not a nurse"):
            add_shift(org, assistant, location)

    def test_removing_a_shift_leaves_its_patients_without_a_nurse(self, s: Any) -> None:
        shift = add_shift(s.org, s.nurse, s.location)[0]
        booked = services.appointment_book(
            organization=s.org,
            user=s.coordinator,
            order=s.order,
            chair=s.chairs["C01"],
            start=at("09:00"),
        ).appointment
        assert booked.nurse == s.nurse
        result = services.nurse_shift_remove(
            shift=shift, user=s.coordinator, reason="called in sick"
        )
        booked.refresh_from_db()
        assert result.unassigned == 1 and booked.nurse is None


class TestClosures:
    def test_it_loads_the_federal_holidays_once(self, org: Any) -> None:
        assert services.holidays_load(organization=org, year=2026) == 12
        assert services.holidays_load(organization=org, year=2026) == 0
        thanksgiving = Closure.objects.get(organization=org, date=dt.date(2026, 11, 26))
        assert thanksgiving.reason == "Thanksgiving Day" and thanksgiving.location is None

    def test_the_command_loads_a_year(self, org: Any) -> None:
        out = StringIO()
        call_command("loadholidays", "--year", "2027", stdout=out)
        assert "US federal holiday closures for 2027" in out.getvalue()
        assert Closure.objects.filter(organization=org, date__year=2027).count() >= 11

    def test_a_location_closure_needs_a_reason_and_is_unique(self, org: Any, location: Any) -> None:
        with pytest.raises(ValidationError, match="Say why"):
            services.closure_add(
                organization=org, user=None, date=DAY, reason=" ", location=location
            )
        services.closure_add(
            organization=org, user=None, date=DAY, reason="Snow", location=location
        )
        with pytest.raises(ValidationError, match="already closed"):
            services.closure_add(
                organization=org, user=None, date=DAY, reason="Snow", location=location
            )
