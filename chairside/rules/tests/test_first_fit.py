"""First-fit (list order, closest start, first chair, least-loaded nurse) and leveling."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from bench.sim.day_generator import generate_day
from chairside.rules.scheduling.first_fit import (
    first_fit,
    leveling,
    pull_towards_preferred,
    starts_by_preference,
)
from chairside.rules.scheduling.schedule_model import (
    Answer,
    Appointment,
    Assignment,
    Chair,
    Instance,
    check_answer,
    format_hhmm,
    load_instance,
    make_answer,
    parse_hhmm,
)
from chairside.rules.tests.test_schedule_model import appt, day, example


def starts(answer: Answer) -> dict[str, str]:
    """Each placed appointment's start, as "HH:MM"."""
    return {a.id: format_hhmm(a.start) for a in answer.assignments}


def one_chair(*appointments: Appointment) -> Instance:
    """The test day with a single chair."""
    return replace(day(*appointments), chairs=(Chair("C1", "chair"),))


class TestStartOrder:
    def test_it_tries_preferred_then_later_then_earlier(self):
        instance = day(appt("A1", "09:00"))
        tried = [format_hhmm(s) for s in starts_by_preference(instance, instance.appointments[0])]
        assert tried[:5] == ["09:00", "09:15", "08:45", "09:30", "08:30"]

    def test_it_stays_inside_the_window(self):
        instance = day(appt("A1", "07:00", earliest="08:00", latest_end="10:00"))
        tried = [format_hhmm(s) for s in starts_by_preference(instance, instance.appointments[0])]
        assert tried == ["08:00", "08:15", "08:30", "08:45", "09:00"]


class TestFirstFit:
    def test_it_takes_the_later_start_on_a_tie_and_the_earlier_when_closer(self):
        # One chair. A1 holds 09:00-10:00; A2 could go at 10:00 or 08:00 (both 60 away) and
        # takes the later; A3 then finds 08:00 (60 away) before 11:00 (120 away).
        instance = one_chair(appt("A1", "09:00"), appt("A2", "09:00"), appt("A3", "09:00"))
        answer = first_fit(instance)
        assert starts(answer) == {"A1": "09:00", "A2": "10:00", "A3": "08:00"}
        assert check_answer(instance, answer) == []

    def test_it_takes_the_first_free_chair_in_list_order(self):
        instance = day(appt("A1", "09:00", setup=0), appt("A2", "09:00", setup=0))
        chairs = [a.chair for a in first_fit(instance).assignments]
        assert chairs == ["C1", "C2"]

    def test_it_gives_the_least_loaded_nurse_and_the_first_listed_on_a_tie(self):
        # At 11:00 N1 has A1 and N2 nobody: N2. At 11:30 each has one: N1, listed first.
        instance = day(
            appt("A1", "10:30", duration=120),
            appt("A2", "11:00", duration=120),
            appt("A3", "11:30", duration=120, kind="bed"),
        )
        answer = first_fit(instance)
        assert [a.nurse for a in answer.assignments] == ["N1", "N2", "N1"]
        assert check_answer(instance, answer) == []

    def test_it_keeps_one_nurse_setups_apart(self):
        # Only N1 works at 08:00; A2 waits for A1's setup to end.
        instance = day(appt("A1", "08:00"), appt("A2", "08:00"))
        assert starts(first_fit(instance)) == {"A1": "08:00", "A2": "08:15"}

    def test_it_keeps_a_nurse_within_her_ratio(self):
        instance = day(
            *(appt(f"A{i}", "08:00", setup=0, takedown=0) for i in range(3)), max_patients=1
        )
        answer = first_fit(instance)
        assert starts(answer) == {"A0": "08:00", "A1": "09:00", "A2": "07:00"}
        assert check_answer(instance, answer) == []

    def test_it_leaves_out_what_cannot_be_placed(self):
        instance = day(appt("A1", "09:00", kind="recliner"))
        answer = first_fit(instance)
        assert answer.unscheduled == ("A1",)
        assert answer.objective.scheduled == 0

    @pytest.mark.parametrize("name", ["example-small.json", "example-day.json"])
    def test_it_obeys_every_rule_on_the_examples(self, name):
        instance = load_instance(str(example(name)))
        assert check_answer(instance, first_fit(instance)) == []

    @pytest.mark.parametrize("chairs", [8, 24])
    def test_it_obeys_every_rule_on_generated_days(self, chairs):
        instance = generate_day(chairs, seed=7)
        assert check_answer(instance, first_fit(instance)) == []


class TestLeveling:
    def test_it_flattens_a_generated_day_within_the_rules(self):
        instance = generate_day(8, seed=5)
        answer = leveling(instance, seconds=0.3)
        assert check_answer(instance, answer) == []
        baseline = first_fit(instance).objective
        assert answer.objective.scheduled >= baseline.scheduled
        assert answer.objective.peak_patients < baseline.peak_patients

    def test_it_books_only_the_appointments_asked_for(self):
        instance = generate_day(8, seed=5)
        some = {a.id for a in instance.appointments[:10]}
        answer = leveling(instance, seconds=0.1, only=some)
        assert {a.id for a in answer.assignments} <= some
        assert check_answer(instance, answer) == []


class TestPullTowardsPreferred:
    def test_it_moves_starts_closer_without_raising_the_peak(self):
        instance = generate_day(8, seed=6)
        leveled = leveling(instance, seconds=0.3)
        pulled = pull_towards_preferred(instance, leveled, deadline=time.perf_counter() + 5)
        assert check_answer(instance, pulled) == []
        assert pulled.objective.scheduled == leveled.objective.scheduled
        assert pulled.objective.peak_patients <= leveled.objective.peak_patients
        assert (
            pulled.objective.preference_deviation_minutes
            < leveled.objective.preference_deviation_minutes
        )

    def test_it_moves_a_lone_appointment_to_its_preferred_start(self):
        instance = day(appt("A1", "09:00"))
        far = make_answer(instance, [Assignment("A1", parse_hhmm("11:00"), "C1", "N1")], 0.0)
        pulled = pull_towards_preferred(instance, far, deadline=time.perf_counter() + 5)
        assert starts(pulled) == {"A1": "09:00"}
