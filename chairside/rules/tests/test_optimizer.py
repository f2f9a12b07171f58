"""The day-schedule optimizer, its command line, and the day generator that feeds it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.sim.day_generator import generate_day
from chairside.rules.scheduling.first_fit import first_fit, leveling
from chairside.rules.scheduling.optimizer import solve
from chairside.rules.scheduling.schedule_model import (
    answer_from_dict,
    check_answer,
    instance_to_dict,
    load_instance,
    placeable_alone,
)
from chairside.rules.tests.test_schedule_model import appt, day, example

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def example_small():
    return load_instance(str(example("example-small.json")))


@pytest.fixture(scope="module")
def small_answers(example_small):
    return first_fit(example_small), solve(example_small, time_limit_s=3.0)


class TestSolve:
    def test_it_gives_a_valid_answer_on_the_small_example(self, example_small, small_answers):
        assert check_answer(example_small, small_answers[1]) == []

    def test_it_places_at_least_as_many_as_first_fit(self, small_answers):
        baseline, answer = small_answers
        assert answer.objective.scheduled >= baseline.objective.scheduled

    def test_it_lowers_the_peak_below_first_fit(self, small_answers):
        baseline, answer = small_answers
        assert answer.objective.peak_patients <= baseline.objective.peak_patients

    def test_it_keeps_within_the_time_limit(self, small_answers):
        assert small_answers[1].solve_seconds <= 3.0

    def test_it_leaves_out_what_no_chair_can_take(self):
        instance = day(appt("A1", "09:00"), appt("A2", "09:00", kind="recliner"))
        answer = solve(instance, time_limit_s=1.0)
        assert answer.unscheduled == ("A2",)
        assert check_answer(instance, answer) == []

    @pytest.mark.parametrize("seed", [101, 303])
    def test_it_meets_the_targets_on_days_it_was_not_tuned_on(self, seed):
        # The targets: every placeable appointment placed, and a peak at least 20%
        # below first-fit's. These seeds were first used for this test; 4 s (not the 30 s of
        # the bench) keeps the suite quick and still leaves room on a busy machine.
        instance = generate_day(8, seed=seed)
        baseline, answer = first_fit(instance), solve(instance, time_limit_s=4.0)
        assert check_answer(instance, answer) == []
        assert answer.objective.scheduled == placeable_alone(instance) == 28
        assert answer.objective.peak_patients <= 0.8 * baseline.objective.peak_patients

    def test_it_never_returns_worse_than_a_good_hint(self):
        instance = generate_day(8, seed=3)
        hint = leveling(instance, seconds=0.5)
        again = solve(instance, time_limit_s=1.0, hint=hint)
        assert again.objective.key() <= hint.objective.key()
        assert check_answer(instance, again) == []


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m chairside.rules.scheduling.optimizer ARGS`` from the project root."""
    return subprocess.run(  # noqa: S603 -- our own interpreter and module, test-made paths
        [sys.executable, "-m", "chairside.rules.scheduling.optimizer", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


class TestCommandLine:
    def test_it_prints_an_answer_naming_every_appointment_once(self, tmp_path):
        instance = generate_day(8, seed=11)
        path = tmp_path / "day.json"
        path.write_text(json.dumps(instance_to_dict(instance)))
        run = run_cli(str(path), "--time-limit", "5")
        assert run.returncode == 0, run.stderr
        data = json.loads(run.stdout)
        ids = [a["id"] for a in data["assignments"]] + data["unscheduled"]
        assert sorted(ids) == sorted(a.id for a in instance.appointments)
        # The base format's keys, and Chairside's bounds and gaps (docs/SCHEDULE_FORMAT.md).
        assert set(data) == {
            "assignments",
            "unscheduled",
            "objective",
            "solve_seconds",
            "bounds",
            "gap",
        }
        assert data["bounds"]["scheduled"] >= data["objective"]["scheduled"]
        assert data["bounds"]["peak_patients"] <= data["objective"]["peak_patients"]
        assert data["gap"]["scheduled"] >= 0 and data["gap"]["peak_patients"] >= 0
        assert check_answer(instance, answer_from_dict(data)) == []

    def test_it_reports_a_bad_instance(self, tmp_path):
        path = tmp_path / "bad.json"
        path.write_text('{"open": "7am"}')
        run = run_cli(str(path))
        assert run.returncode == 2
        assert "HH:MM" in run.stderr


class TestGenerateDay:
    def test_it_gives_the_same_day_for_the_same_seed(self):
        assert generate_day(24, seed=1) == generate_day(24, seed=1)
        assert generate_day(24, seed=1) != generate_day(24, seed=2)

    @pytest.mark.parametrize(("chairs", "appointments"), [(8, 28), (24, 85), (42, 149)])
    def test_it_sizes_the_day_like_the_example(self, chairs, appointments):
        instance = generate_day(chairs, seed=0)
        assert len(instance.chairs) == chairs
        assert len(instance.appointments) == appointments
        assert any(c.kind == "bed" for c in instance.chairs)
        assert {n.max_patients for n in instance.nurses} == {4}

    def test_it_gives_every_appointment_a_start_some_shift_can_hold(self):
        instance = generate_day(24, seed=4)
        for a in instance.appointments:
            starts = instance.candidate_starts(a)
            assert any(
                n.start <= s and s + a.duration <= n.end for s in starts for n in instance.nurses
            ), a.id

    def test_it_clusters_preferred_starts_mid_morning(self):
        instance = generate_day(42, seed=0)
        mid_morning = [a for a in instance.appointments if 8 * 60 <= a.preferred_start < 11 * 60]
        assert len(mid_morning) > len(instance.appointments) / 2
