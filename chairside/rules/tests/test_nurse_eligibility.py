"""Eligible nurses (competencies) inside the model: the optional ``eligible_nurses`` list.

The extension of the instance format is described in ``docs/SCHEDULE_FORMAT.md``.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bench.sim.day_generator import generate_day
from chairside.rules.scheduling import optimizer
from chairside.rules.scheduling.first_fit import first_fit
from chairside.rules.scheduling.optimizer import solve
from chairside.rules.scheduling.schedule_model import (
    Chair,
    answer_to_dict,
    check_answer,
    instance_from_dict,
    instance_to_dict,
    load_instance,
    make_answer,
    placeable_alone,
)
from chairside.rules.tests.test_schedule_model import appt, at, day, example, problems


@pytest.fixture(autouse=True)
def one_worker(monkeypatch):
    monkeypatch.setattr(optimizer, "NUM_WORKERS", 1)


def only(instance, **eligible):
    """The instance with ``eligible_nurses`` set on the named appointments."""
    return replace(
        instance,
        appointments=tuple(
            replace(a, eligible_nurses=tuple(eligible[a.id])) if a.id in eligible else a
            for a in instance.appointments
        ),
    )


class TestFormat:
    def test_old_instances_read_and_write_unchanged(self):
        data = json.loads(example("example-small.json").read_text())
        instance = instance_from_dict(data)
        assert all(a.eligible_nurses is None for a in instance.appointments)
        assert instance.nurse_levelling_weight == 1
        written = instance_to_dict(instance)
        assert "nurse_levelling_weight" not in written
        assert all("eligible_nurses" not in a for a in written["appointments"])

    def test_it_round_trips_eligible_nurses_and_the_weight(self):
        instance = replace(only(day(appt("A1", "09:00")), A1=["N2"]), nurse_levelling_weight=3)
        again = instance_from_dict(json.loads(json.dumps(instance_to_dict(instance))))
        assert again == instance

    def test_it_rejects_an_unknown_eligible_nurse(self):
        data = instance_to_dict(only(day(appt("A1", "09:00")), A1=["N1"]))
        data["appointments"][0]["eligible_nurses"] = ["N9"]
        with pytest.raises(ValueError, match="unknown eligible nurses"):
            instance_from_dict(data)

    def test_it_rejects_a_string_instead_of_a_list(self):
        data = instance_to_dict(day(appt("A1", "09:00")))
        data["appointments"][0]["eligible_nurses"] = "N1"
        with pytest.raises(ValueError, match="list of nurse ids"):
            instance_from_dict(data)


class TestRules:
    def test_check_answer_rejects_an_ineligible_nurse(self):
        instance = only(day(appt("A1", "11:00")), A1=["N2"])
        assert any("not eligible" in p for p in problems(instance, at("A1", "11:00")))
        assert problems(instance, at("A1", "11:00", nurse="N2")) == []

    def test_an_appointment_no_nurse_may_take_cannot_be_placed(self):
        instance = only(day(appt("A1", "09:00"), appt("A2", "09:00")), A2=[])
        assert placeable_alone(instance) == 1


class TestSolverNeverPairsAnIneligibleNurse:
    def test_the_only_free_nurse_being_ineligible_leaves_the_patient_out(self):
        # Only N1 works 07:00-10:30; the patient must be done by 10:00 and may only have N2.
        instance = only(day(appt("A1", "08:00", latest_end="10:00")), A1=["N2"])
        for answer in (first_fit(instance), solve(instance, time_limit_s=1.0)):
            assert answer.assignments == ()
            assert answer.unscheduled == ("A1",)

    def test_a_full_day_with_eligibility_never_uses_an_ineligible_nurse(self):
        instance = generate_day(8, seed=5)
        nurses = [n.id for n in instance.nurses]
        # Every third patient needs a chemo-competent nurse: only the first two have it.
        instance = only(instance, **{a.id: nurses[:2] for a in instance.appointments[::3]})
        allowed = {a.id: a for a in instance.appointments}
        for answer in (first_fit(instance), solve(instance, time_limit_s=2.0)):
            assert check_answer(instance, answer) == []
            assert all(allowed[a.id].allows(a.nurse) for a in answer.assignments)

    def test_eligibility_is_kept_inside_the_model_not_by_dropping_moves(self):
        # Two patients at 11:00, N1 ratio 1: with A2 limited to N1, A1 must go to N2.
        instance = only(
            day(
                appt("A1", "11:00"),
                appt("A2", "11:00", earliest="11:00", latest_end="12:00"),
                max_patients=1,
            ),
            A2=["N1"],
        )
        answer = solve(instance, time_limit_s=1.0)
        assert answer.objective.scheduled == 2
        nurse = {a.id: a.nurse for a in answer.assignments}
        assert nurse["A2"] == "N1"
        assert check_answer(instance, answer) == []


class TestOldInstancesSolveAsBefore:
    def test_listing_every_nurse_is_the_same_as_listing_none(self):
        instance = load_instance(str(example("example-small.json")))
        everyone = [n.id for n in instance.nurses]
        listed = only(instance, **{a.id: everyone for a in instance.appointments})
        assert first_fit(listed).assignments == first_fit(instance).assignments
        plain, full = solve(instance, time_limit_s=2.0), solve(listed, time_limit_s=2.0)
        assert full.objective.scheduled == plain.objective.scheduled
        assert full.objective.peak_patients == plain.objective.peak_patients


def five_at_nine(weight: int = 1):
    """Five one-hour visits that must all start at 09:00, two nurses on all day at 1:4
    (no exclusive windows, so one nurse could take four at once)."""
    visits = [
        appt(f"A{i}", "09:00", earliest="09:00", latest_end="10:00", setup=0, takedown=0)
        for i in range(1, 6)
    ]
    instance = day(*visits)
    return replace(
        instance,
        chairs=tuple(replace(c, kind="chair") for c in instance.chairs)
        + (Chair("C3", "chair"), Chair("C4", "chair")),
        nurses=tuple(replace(n, start=7 * 60, end=19 * 60) for n in instance.nurses),
        nurse_levelling_weight=weight,
    )


class TestNurseLevelling:
    def test_a_day_with_one_nurse_at_4_of_4_and_another_at_1_is_levelled(self):
        instance = five_at_nine()
        chairs = [c.id for c in instance.chairs]
        lopsided = make_answer(
            instance,
            [at(f"A{i}", "09:00", chairs[i - 1], "N1" if i <= 4 else "N2") for i in range(1, 6)],
            0.0,
        )
        assert check_answer(instance, lopsided) == []
        assert lopsided.objective.nurse_peak == 4
        answer = solve(instance, time_limit_s=1.5, hint=lopsided)
        assert check_answer(instance, answer) == []
        assert answer.objective.scheduled == 5
        assert answer.objective.nurse_peak == 3  # 3 and 2: as level as five can be
        assert answer.objective.hands_on_spread_minutes == 0

    def test_the_nurse_stage_alone_levels_the_lopsided_day(self):
        # The whole-day CP-SAT stage, from the lopsided schedule only (no greedy answers).
        instance = five_at_nine()
        lopsided = make_answer(
            instance,
            [at(f"A{i}", "09:00", f"C{i}", "N1") for i in range(1, 5)]
            + [at("A5", "09:00", "B1", "N2")],
            0.0,
        )
        assert lopsided.objective.nurse_peak == 4
        levelled = optimizer._level_nurses(instance, lopsided, 1.0)
        assert check_answer(instance, levelled) == []
        assert levelled.objective.nurse_peak == 3

    def test_each_objective_and_the_bounds_are_reported(self):
        answer = solve(five_at_nine(), time_limit_s=1.5)
        data = answer_to_dict(answer)
        assert data["objective"]["nurse_peak"] == 3
        assert data["bounds"] == {"scheduled": 5, "peak_patients": 5}
        assert data["gap"] == {"scheduled": 0, "peak_patients": 0}
