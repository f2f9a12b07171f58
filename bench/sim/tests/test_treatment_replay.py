from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bench.sim.treatment_replay import (
    BookingHabits,
    SimPatient,
    SimRegimen,
    demo_like_patients,
    dose_days,
    generate_appointments,
    regimens_for,
)
from chairside.rules.clinical.regimens import DoseRule, Regimen

D = Decimal
MON = date(2026, 1, 5)
# Remicade label: 5 mg/kg at weeks 0, 2 and 6, then every 8 weeks.
INFLIXIMAB = SimRegimen("infliximab", Regimen((0, 14, 42), 56), DoseRule(mg_per_kg=D(5)))
# Ocrevus label: 300 mg on day 1 and day 15, then 600 mg every 6 months.
OCRELIZUMAB = SimRegimen(
    "ocrelizumab", Regimen((0, 14, 182), 182), DoseRule(mg=D(300)), maintenance_dose_mg=D(600)
)
IRON = SimRegimen("iron-sucrose", Regimen((0, 3, 7, 10, 14), None), DoseRule(mg=D(200)))


class TestDoseDays:
    def test_it_follows_the_label_schedule_and_weight(self):
        days = dose_days(SimPatient("p", D(70), INFLIXIMAB, MON), MON + timedelta(days=120))
        assert [d for d, _ in days] == [MON + timedelta(days=n) for n in (0, 14, 42, 98)]
        assert {dose for _, dose in days} == {D(350)}

    def test_it_uses_the_maintenance_dose_after_loading(self):
        days = dose_days(SimPatient("p", D(70), OCRELIZUMAB, MON), MON + timedelta(days=400))
        assert [dose for _, dose in days] == [D(300), D(300), D(600), D(600)]

    def test_it_repeats_a_fixed_course_when_asked(self):
        once = dose_days(SimPatient("p", D(70), IRON, MON), MON + timedelta(days=400))
        again = dose_days(SimPatient("p", D(70), IRON, MON, (120, 130)), MON + timedelta(days=400))
        assert len(once) == 5
        assert len(again) >= 10


class TestGenerateAppointments:
    def test_it_books_ahead_on_weekdays_and_never_on_sunday(self):
        patients = [
            SimPatient(f"p{n}", D(60 + n), INFLIXIMAB, MON + timedelta(days=n)) for n in range(30)
        ]
        booked = generate_appointments(patients, MON, MON + timedelta(days=200), seed=2)
        habits = BookingHabits()
        assert booked
        for a in booked:
            assert a.booked_on.weekday() < 5
            assert a.day.weekday() != 6
            assert (a.day - a.booked_on).days >= habits.min_notice_days
            if a.cancelled_on is not None:
                assert a.booked_on <= a.cancelled_on < a.day

    def test_it_replaces_moved_and_missed_appointments(self):
        patients = [SimPatient(f"p{n}", D(70), INFLIXIMAB, MON) for n in range(60)]
        habits = BookingHabits(no_show_rate=0.3, reschedule_rate=0.3)
        booked = generate_appointments(patients, MON, MON + timedelta(days=100), habits, seed=4)
        moved = [a for a in booked if a.cancelled_on]
        missed = [a for a in booked if a.no_show]
        assert moved
        assert missed
        kept = [a for a in booked if not a.cancelled_on and not a.no_show]
        assert len(kept) == 60 * 4  # every dose still happens once

    def test_it_is_the_same_every_time_for_a_seed(self):
        patients = [SimPatient("p", D(70), INFLIXIMAB, MON)]
        end = MON + timedelta(days=300)
        assert generate_appointments(patients, MON, end, seed=7) == generate_appointments(
            patients, MON, end, seed=7
        )


class TestDemoLikePatients:
    def test_it_maps_diagnoses_to_label_regimens(self):
        assert regimens_for("K50.90")[0][0] == "infliximab"
        assert regimens_for("M06.9") == regimens_for("M05.79")
        assert regimens_for("G43.709") == []

    def test_it_skips_patients_with_no_stocked_regimen(self):
        plans = {("infliximab", "Crohn's disease / ulcerative colitis (adult)"): INFLIXIMAB}
        rows = [("a", "K50.90", D(70)), ("b", "G43.709", D(70)), ("c", "G35.A", D(70))]
        found = demo_like_patients(rows, plans, MON)
        assert [p.patient_id for p in found] == ["a"]
