"""The day-scheduling instance and answer: JSON at the edges, objective, feasibility rules."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from chairside.rules.scheduling.schedule_model import (
    Answer,
    Appointment,
    Assignment,
    Chair,
    Instance,
    Nurse,
    Objective,
    answer_from_dict,
    answer_to_dict,
    assign_chairs,
    check_answer,
    compute_objective,
    covered_moments,
    format_hhmm,
    grid_moments,
    instance_from_dict,
    instance_to_dict,
    lower_bound_peak,
    make_answer,
    max_overlap,
    moment_loads,
    parse_hhmm,
    placeable_alone,
)

EXAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "bench"


def example(name: str) -> Path:
    """An example instance from beside the project, or a skip when it is not there."""
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"{name} is not beside the project")
    return path


def appt(
    id: str,
    preferred: str,
    duration: int = 60,
    *,
    kind: str = "chair",
    earliest: str = "07:00",
    latest_end: str = "19:00",
    setup: int = 15,
    takedown: int = 10,
) -> Appointment:
    """An appointment with the common values filled in."""
    return Appointment(
        id=id,
        duration=duration,
        chair_kind=kind,
        earliest=parse_hhmm(earliest),
        latest_end=parse_hhmm(latest_end),
        preferred_start=parse_hhmm(preferred),
        nurse_setup=setup,
        nurse_takedown=takedown,
    )


def day(*appointments: Appointment, max_patients: int = 4) -> Instance:
    """Two chairs, a bed, an early and a late nurse."""
    return Instance(
        date="2026-12-01",
        open=parse_hhmm("07:00"),
        close=parse_hhmm("19:00"),
        slot_minutes=15,
        chairs=(Chair("C1", "chair"), Chair("C2", "chair"), Chair("B1", "bed")),
        nurses=(
            Nurse("N1", parse_hhmm("07:00"), parse_hhmm("15:30"), max_patients),
            Nurse("N2", parse_hhmm("10:30"), parse_hhmm("19:00"), max_patients),
        ),
        appointments=appointments,
    )


def at(id: str, start: str, chair: str = "C1", nurse: str = "N1") -> Assignment:
    return Assignment(id=id, start=parse_hhmm(start), chair=chair, nurse=nurse)


def problems(instance: Instance, *assignments: Assignment) -> list[str]:
    """check_answer on an answer whose objective is computed honestly."""
    return check_answer(instance, make_answer(instance, assignments, 0.0))


class TestTimes:
    def test_it_reads_and_writes_hh_mm(self):
        assert parse_hhmm("07:05") == 425
        assert format_hhmm(425) == "07:05"

    @pytest.mark.parametrize("bad", ["7:00", "24:00", "07:60", "0700", ""])
    def test_it_rejects_malformed_times(self, bad):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_hhmm(bad)


class TestInstanceJson:
    def test_it_round_trips_the_example(self):
        data = json.loads(example("example-small.json").read_text())
        assert instance_to_dict(instance_from_dict(data)) == data

    def test_it_rejects_duplicate_ids(self):
        data = instance_to_dict(day(appt("A1", "09:00"), appt("A1", "10:00")))
        with pytest.raises(ValueError, match="duplicate appointment id 'A1'"):
            instance_from_dict(data)

    def test_it_rejects_setup_and_takedown_longer_than_the_visit(self):
        data = instance_to_dict(day(appt("A1", "09:00", duration=30, setup=20, takedown=15)))
        with pytest.raises(ValueError, match="exceeds duration"):
            instance_from_dict(data)

    def test_it_rejects_a_missing_field(self):
        data = instance_to_dict(day(appt("A1", "09:00")))
        del data["appointments"][0]["duration"]
        with pytest.raises(ValueError, match="lacks 'duration'"):
            instance_from_dict(data)


class TestAnswerJson:
    def test_it_round_trips_an_answer(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:00", kind="recliner"))
        answer = make_answer(instance, [at("A1", "09:15")], 1.25)
        data = answer_to_dict(answer)
        assert data == {
            "assignments": [{"id": "A1", "start": "09:15", "chair": "C1", "nurse": "N1"}],
            "unscheduled": ["A2"],
            "objective": {
                "scheduled": 1,
                "peak_patients": 1,
                "preference_deviation_minutes": 15,
                # Chairside's extension (docs/SCHEDULE_FORMAT.md): N1 has 15 + 10 hands-on
                # minutes, N2 none.
                "nurse_peak": 1,
                "hands_on_spread_minutes": 25,
            },
            "solve_seconds": 1.25,
        }
        assert answer_from_dict(data) == answer

    def test_it_reads_and_checks_an_answer_in_the_base_format(self):
        instance = day(appt("A1", "09:00"))
        data = answer_to_dict(make_answer(instance, [at("A1", "09:15")], 0.5))
        for key in ("nurse_peak", "hands_on_spread_minutes"):
            del data["objective"][key]
        answer = answer_from_dict(data)
        assert answer.objective.nurse_peak is None
        assert check_answer(instance, answer) == []


class TestObjective:
    def test_it_does_not_count_touching_visits_as_overlapping(self):
        assert max_overlap([(0, 60), (60, 120)]) == 1
        assert max_overlap([(0, 60), (59, 120), (59, 61)]) == 3

    def test_it_sums_the_distance_from_preferred_starts(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:00"))
        objective = compute_objective(instance, [at("A1", "08:30"), at("A2", "09:15", "C2")])
        assert objective == Objective(
            scheduled=2,
            peak_patients=2,
            preference_deviation_minutes=45,
            nurse_peak=2,  # both with N1
            hands_on_spread_minutes=50,  # N1 2 x 25 minutes hands-on, N2 none
        )

    def test_it_measures_the_busiest_nurse_and_the_hands_on_spread(self):
        instance = day(appt("A1", "11:00"), appt("A2", "11:00"), appt("A3", "11:00"))
        lopsided = [at("A1", "11:00"), at("A2", "11:00", "C2"), at("A3", "11:00", "B1")]
        objective = compute_objective(instance, lopsided)
        assert (objective.nurse_peak, objective.hands_on_spread_minutes) == (3, 75)
        shared = [*lopsided[:2], at("A3", "11:00", "B1", nurse="N2")]
        better = compute_objective(instance, shared)
        assert (better.nurse_peak, better.hands_on_spread_minutes) == (2, 25)
        assert better.key() < objective.key()
        # With levelling off, the two days are equal: the base format's three objectives.
        off = replace(instance, nurse_levelling_weight=0)
        assert compute_objective(off, shared).key() == compute_objective(off, lopsided).key()

    def test_it_bounds_the_peak_by_chair_minutes_over_opening_minutes(self):
        # 13 hours of treatment in a 12-hour day: two chairs must be busy at some moment.
        instance = day(*(appt(f"A{i}", "09:00", duration=390) for i in range(2)))
        assert lower_bound_peak(instance) == 2

    def test_it_counts_only_appointments_a_chair_and_a_shift_could_hold(self):
        instance = day(
            appt("ok", "09:00"),
            appt("no-recliner", "09:00", kind="recliner"),
            appt("too-long-for-any-shift", "09:00", duration=540),
            appt("window-too-short", "09:00", duration=120, earliest="09:00", latest_end="10:30"),
            appt("bed", "12:00", kind="bed"),
        )
        assert placeable_alone(instance) == 2


class TestCheckAnswer:
    def test_it_accepts_a_valid_answer(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:00"), appt("A3", "11:00", kind="bed"))
        assert (
            problems(
                instance, at("A1", "09:00"), at("A2", "09:15", "C2"), at("A3", "11:00", "B1", "N2")
            )
            == []
        )

    def test_it_rejects_a_start_off_the_grid(self):
        assert "off the slot grid" in problems(day(appt("A1", "09:00")), at("A1", "09:05"))[0]

    def test_it_rejects_a_start_before_earliest(self):
        instance = day(appt("A1", "09:00", earliest="08:30"))
        assert "before its earliest" in problems(instance, at("A1", "08:15"))[0]

    def test_it_rejects_an_end_after_latest_end(self):
        instance = day(appt("A1", "09:00", latest_end="10:00"))
        assert "after its latest end" in problems(instance, at("A1", "09:15"))[0]

    def test_it_rejects_an_end_after_closing(self):
        instance = day(appt("A1", "18:00", duration=90))
        assert "after closing" in problems(instance, at("A1", "18:00", nurse="N2"))[0]

    def test_it_rejects_the_wrong_kind_of_chair(self):
        instance = day(appt("A1", "09:00", kind="bed"))
        assert "needs a bed" in problems(instance, at("A1", "09:00", "C1"))[0]

    def test_it_rejects_unknown_chairs_and_nurses(self):
        found = problems(day(appt("A1", "09:00")), at("A1", "09:00", "C9", "N9"))
        assert any("unknown chair" in p for p in found)
        assert any("unknown nurse" in p for p in found)

    def test_it_rejects_a_visit_outside_the_nurse_shift(self):
        instance = day(appt("A1", "15:00"))
        assert "outside the shift of nurse N1" in problems(instance, at("A1", "15:00"))[0]

    def test_it_rejects_two_visits_in_one_chair(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:30"))
        found = problems(instance, at("A1", "09:00"), at("A2", "09:30", "C1", "N1"))
        assert found == ["A1 and A2: overlap in chair C1"]

    def test_it_rejects_a_nurse_above_her_ratio(self):
        instance = day(
            *(appt(f"A{i}", "09:00", setup=0, takedown=0) for i in range(3)), max_patients=2
        )
        instance = replace(instance, chairs=tuple(Chair(f"C{i}", "chair") for i in range(3)))
        found = problems(instance, *(at(f"A{i}", "09:00", f"C{i}") for i in range(3)))
        assert found == ["nurse N1: 3 patients at once, more than 2"]

    def test_it_rejects_overlapping_setups(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:00"))
        found = problems(instance, at("A1", "09:00"), at("A2", "09:00", "C2"))
        assert found == [
            "nurse N1: A1 setup overlaps A2 setup",
            "nurse N1: A1 takedown overlaps A2 takedown",
        ]

    def test_it_rejects_a_setup_overlapping_a_takedown(self):
        # A1's takedown is 09:50-10:00; A2's setup 09:45-10:00.
        instance = day(appt("A1", "09:00"), appt("A2", "09:45"))
        found = problems(instance, at("A1", "09:00"), at("A2", "09:45", "C2"))
        assert found == ["nurse N1: A2 setup overlaps A1 takedown"]

    def test_it_lets_one_nurse_start_a_patient_as_another_setup_ends(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:15"))
        assert problems(instance, at("A1", "09:00"), at("A2", "09:15", "C2")) == []

    def test_it_rejects_missing_duplicate_and_unknown_ids(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:00"))
        answer = Answer(
            assignments=(at("A1", "09:00"), at("A9", "09:00", "C2")),
            unscheduled=("A1",),
            objective=Objective(1, 1, 0),
            solve_seconds=0.0,
        )
        found = check_answer(instance, answer)
        assert "A9: not an appointment of the instance" in found
        assert "A1: listed more than once" in found
        assert "A2: missing from the answer" in found

    def test_it_rejects_an_objective_that_does_not_match(self):
        instance = day(appt("A1", "09:00"))
        answer = replace(
            make_answer(instance, [at("A1", "09:00")], 0.0), objective=Objective(1, 1, 99)
        )
        assert "does not match" in check_answer(instance, answer)[0]


class TestGridMoments:
    def test_it_lists_the_grid_moments_of_the_opening_hours(self):
        moments = grid_moments(day())
        assert (moments[0], moments[-1], len(moments)) == (420, 1125, 48)

    def test_it_counts_the_moments_a_visit_covers(self):
        instance = day()
        # 09:00-09:50 covers 09:00, 09:15, 09:30 and 09:45, not 10:00.
        covered = covered_moments(instance, parse_hhmm("09:00"), parse_hhmm("09:50"))
        assert [grid_moments(instance)[i] for i in covered] == [540, 555, 570, 585]

    def test_it_counts_patients_in_chairs_at_each_moment(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:30"))
        answer = make_answer(instance, [at("A1", "09:00"), at("A2", "09:30", "C2")], 0.0)
        loads = moment_loads(instance, answer)
        assert loads[8:13] == [1, 1, 2, 2, 1]  # 09:00 to 10:00


class TestAssignChairs:
    def test_it_reuses_a_chair_as_soon_as_it_is_free(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:00"), appt("A3", "09:00"))
        chairs = assign_chairs(instance, [(0, 540, "N1"), (1, 570, "N1"), (2, 600, "N1")])
        assert [a.chair for a in chairs] == ["C1", "C2", "C1"]

    def test_it_keeps_beds_for_the_appointments_that_need_them(self):
        instance = day(appt("A1", "09:00", kind="bed"), appt("A2", "09:00"))
        chairs = assign_chairs(instance, [(0, 540, "N1"), (1, 540, "N2")])
        assert [a.chair for a in chairs] == ["B1", "C1"]

    def test_it_refuses_more_overlapping_visits_than_chairs(self):
        instance = day(*(appt(f"A{i}", "09:00") for i in range(3)))
        with pytest.raises(ValueError, match="no free chair"):
            assign_chairs(instance, [(i, 540, "N1") for i in range(3)])
