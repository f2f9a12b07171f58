from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.rules.scheduling.schedule_model import Assignment as InstanceAssignment
from chairside.rules.scheduling.schedule_model import (
    check_answer,
    instance_from_dict,
    instance_to_dict,
    make_answer,
)
from chairside.scheduling import services
from chairside.scheduling.models import Appointment
from chairside.scheduling.services.optimize import build_day_model
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import DAY, at
from tests import factories as f


@pytest.fixture
def crowded(org: Any, coordinator: Any, location: Any, clock: Any) -> list[Appointment]:
    """Eight 2-hour infusions booked by hand into the mid-morning: a peak of 4 chairs."""
    for n, (first, last) in enumerate([("Jordan", "Blake"), ("Maria", "Santos")]):
        sf.make_shift(
            sf.make_nurse(org, first, last),
            location,
            starts=["07:00", "10:30"][n],
            ends=["15:30", "19:00"][n],
        )
    booked = []
    for n in range(8):
        order = sf.make_order(f.make_patient(org), location=location)
        chair = location.chairs.get(name=f"C0{n % 4 + 1}")
        booked.append(
            services.appointment_book(
                organization=org,
                user=coordinator,
                order=order,
                chair=chair,
                start=at("09:00") if n < 4 else at("11:00"),
                earliest_start=at("07:00"),
                latest_end=at("19:00"),
            ).appointment
        )
    return booked


class TestBuildInstance:
    def test_it_models_the_day_and_the_current_schedule_is_a_valid_answer(
        self, crowded: list[Appointment], location: Any
    ) -> None:
        model = build_day_model(location, DAY)
        instance = model.instance
        assert (instance.open, instance.close, instance.slot_minutes) == (420, 1140, 15)
        assert [c.id for c in instance.chairs] == ["C01", "C02", "C03", "C04"]
        assert {n.max_patients for n in instance.nurses} == {4}
        assert len(instance.appointments) == 8 and len(model.flexible) == 8
        current = [
            InstanceAssignment(
                f"A{a.pk}",
                model.minutes(a.start),
                a.chair.name,
                next(k for k, s in model.nurses.items() if s == a.nurse),
            )
            for a in crowded
        ]
        problems = check_answer(instance, make_answer(instance, current, 0.0))
        # Booking by hand knows chairs, shifts and ratios; only the optimizer's stricter rule
        # that a nurse starts (or ends) one infusion at a time can be broken by it.
        assert problems and all("setup" in p or "takedown" in p for p in problems)
        again = instance_from_dict(json.loads(json.dumps(instance_to_dict(instance))))
        assert again == instance

    def test_a_confirmed_appointment_is_fixed_in_place(
        self, crowded: list[Appointment], location: Any, coordinator: Any
    ) -> None:
        services.appointment_confirm(appointment=crowded[0], user=coordinator)
        model = build_day_model(location, DAY)
        fixed = next(a for a in model.instance.appointments if a.id == f"A{crowded[0].pk}")
        assert (fixed.earliest, fixed.latest_end) == (9 * 60, 11 * 60)
        assert f"A{crowded[0].pk}" not in model.flexible

    def test_it_lists_only_nurses_with_current_competencies_as_eligible(
        self, crowded: list[Appointment], location: Any, org: Any
    ) -> None:
        # An LPN with BLS only may not start the IV infusions (rules.booking needs PIV too).
        lpn = sf.make_nurse(org, "Tom", "Becker", credential="LPN", competencies={"bls": None})
        lpn_shift = sf.make_shift(lpn, location, starts="07:00", ends="19:00")
        model = build_day_model(location, DAY)
        others = {n.id for n in model.instance.nurses} - {f"N{lpn_shift.pk}"}
        assert len(others) == 2
        for appointment in model.instance.appointments:
            assert set(appointment.eligible_nurses or ()) == others

    def test_the_proposal_never_hands_a_patient_to_an_ineligible_nurse(
        self, crowded: list[Appointment], location: Any, org: Any
    ) -> None:
        lpn = sf.make_nurse(org, "Tom", "Becker", credential="LPN", competencies={"bls": None})
        sf.make_shift(lpn, location, starts="07:00", ends="19:00")
        proposal = services.day_optimize_propose(location=location, day=DAY, time_limit=2)
        assert proposal.changes
        assert all(c.nurse != lpn for c in proposal.changes)

    def test_it_needs_the_rota(
        self, org: Any, location: Any, order: Any, chairs: Any, coordinator: Any
    ) -> None:
        services.appointment_book(
            organization=org, user=coordinator, order=order, chair=chairs["C01"], start=at("09:00")
        )
        with pytest.raises(ValidationError, match="No nurse shifts on this day"):
            build_day_model(location, DAY)


class TestProposeAndApply:
    def test_it_flattens_the_peak_and_applies_only_when_accepted(
        self, crowded: list[Appointment], location: Any, coordinator: Any
    ) -> None:
        services.appointment_confirm(appointment=crowded[0], user=coordinator)
        proposal = services.day_optimize_propose(location=location, day=DAY, time_limit=3)
        assert proposal.peak_before == 4
        assert proposal.peak_after < proposal.peak_before
        assert proposal.changes, "the optimizer proposes moves"
        assert crowded[0].pk not in {c.appointment.pk for c in proposal.changes}
        assert Appointment.objects.get(pk=crowded[1].pk).start == at("09:00"), "nothing written"
        services.day_optimize_apply(
            location=location,
            day=DAY,
            user=coordinator,
            proposal_fingerprint=proposal.fingerprint,
            changes=proposal.changes,
        )
        after = build_day_model(location, DAY)
        starts = [a.start for a in Appointment.objects.filter(status="booked")]
        assert len(set(starts)) > 2
        assert Appointment.objects.get(pk=crowded[0].pk).start == at("09:00")
        assert len(after.appointments) == 8

    def test_it_reports_each_objective_and_the_proven_bounds(
        self, crowded: list[Appointment], location: Any
    ) -> None:
        proposal = services.day_optimize_propose(location=location, day=DAY, time_limit=3)
        assert (proposal.scheduled, proposal.total, proposal.bound_scheduled) == (8, 8, 8)
        assert proposal.bound_peak is not None and 2 <= proposal.bound_peak <= proposal.peak_after
        # Hand booking gave each nurse up to 4 at once; the proposal never makes it worse.
        assert 1 <= proposal.nurse_peak_after <= proposal.nurse_peak_before <= 4
        assert proposal.spread_after >= 0

    def test_the_objectives_and_bounds_survive_the_background_job(
        self, crowded: list[Appointment], location: Any
    ) -> None:
        """The board shows the proposal from the job's stored result: the nurse peak, the
        hands-on spread, what was placed and the proven bounds must come back from it."""
        proposal = services.day_optimize_propose(location=location, day=DAY, time_limit=3)
        data = json.loads(json.dumps(services.proposal_to_data(proposal)))
        back = services.proposal_from_data(organization=location.organization, data=data)
        fields = (
            "nurse_peak_before",
            "nurse_peak_after",
            "spread_before",
            "spread_after",
            "scheduled",
            "total",
            "bound_scheduled",
            "bound_peak",
        )
        assert {k: getattr(back, k) for k in fields} == {k: getattr(proposal, k) for k in fields}
        assert proposal.nurse_peak_before >= 1 and proposal.bound_scheduled == 8

    def test_it_refuses_a_proposal_for_a_day_that_changed(
        self, crowded: list[Appointment], location: Any, coordinator: Any
    ) -> None:
        proposal = services.day_optimize_propose(location=location, day=DAY, time_limit=2)
        services.appointment_cancel(appointment=crowded[5], user=coordinator, reason_code="illness")
        with pytest.raises(ValidationError, match="The day changed since the proposal"):
            services.day_optimize_apply(
                location=location,
                day=DAY,
                user=coordinator,
                proposal_fingerprint=proposal.fingerprint,
                changes=proposal.changes,
            )

    def test_the_curves_cover_the_opening_hours(
        self, crowded: list[Appointment], location: Any
    ) -> None:
        proposal = services.day_optimize_propose(location=location, day=DAY, time_limit=2)
        assert len(proposal.labels) == len(proposal.before) == len(proposal.after) == 48
        assert max(proposal.before) == 4
        assert sum(proposal.before) == sum(proposal.after)


class TestRearrange:
    def test_two_appointments_may_swap_chairs_in_one_change(
        self, crowded: list[Appointment], location: Any, coordinator: Any
    ) -> None:
        first, second = crowded[0], crowded[1]
        changes = [
            services.Change(first, first.start, second.chair, first.nurse),
            services.Change(second, second.start, first.chair, second.nurse),
        ]
        services.appointments_rearrange(
            location=location, day=DAY, changes=changes, user=coordinator, reason="swap"
        )
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.chair.name, second.chair.name) == ("C02", "C01")

    def test_a_change_that_double_books_a_chair_changes_nothing(
        self, crowded: list[Appointment], location: Any, coordinator: Any
    ) -> None:
        first, second = crowded[0], crowded[1]
        changes = [services.Change(first, first.start, second.chair, first.nurse)]
        with pytest.raises(ValidationError, match="Chair C02 is taken 09:00–11:00"):
            services.appointments_rearrange(
                location=location, day=DAY, changes=changes, user=coordinator, reason="x"
            )
        first.refresh_from_db()
        assert first.chair.name == "C01"
