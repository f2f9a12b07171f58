from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.clinical.regimens import Regimen
from chairside.rules.scheduling.booking import (
    BLS,
    CHEMO_BIOLOGIC,
    PIV_INSERTION,
    Competence,
    DayRules,
    NurseDay,
    Span,
    chair_problem,
    clashes,
    competency_problem,
    dose_not_before,
    dose_problem,
    free_starts,
    grace_for_gap,
    hours_problem,
    is_intravenous,
    nearest_weekday,
    nurse_problem,
    occupancy,
    overlaps,
    patient_problem,
    peak_with,
    pick_nurse,
    ratio_problem,
    required_competencies,
    shift_problem,
    utilization,
)

TZ = ZoneInfo("America/New_York")
DAY = date(2026, 12, 1)  # a Tuesday
INFLIXIMAB = Regimen((0, 14, 42), 56)  # Remicade label §2: weeks 0, 2, 6, then every 8 weeks
IRON_SUCROSE = Regimen((0, 3, 7, 10, 14), None)  # Venofer NDD-CKD: 5 doses over 14 days


def at(hhmm: str, day: date = DAY) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ)


def span(a: str, b: str, label: str = "") -> Span:
    return Span(at(a), at(b), label)


ALL_SKILLS = (
    Competence(BLS, date(2027, 6, 30)),
    Competence(PIV_INSERTION, date(2027, 6, 30)),
    Competence(CHEMO_BIOLOGIC, date(2027, 6, 30)),
)


def nurse(
    name: str = "J. Blake",
    shifts=(("07:00", "15:30"),),
    patients=(),
    ratio: int = 4,
    skills: tuple[Competence, ...] = ALL_SKILLS,
):
    return NurseDay(
        key=name,
        name=name,
        shifts=tuple(span(a, b) for a, b in shifts),
        patients=tuple(span(a, b) for a, b in patients),
        max_patients=ratio,
        competencies=skills,
    )


def open_day(**kw) -> DayRules:
    kw.setdefault("chairs", {"C01": [], "C02": []})
    return DayRules(location="Eastgate", opens=at("08:00"), closes=at("17:00"), **kw)


class TestSpans:
    def test_it_treats_touching_spans_as_free(self) -> None:
        assert not overlaps(at("08:00"), at("10:00"), at("10:00"), at("11:00"))
        assert overlaps(at("08:00"), at("10:01"), at("10:00"), at("11:00"))

    def test_it_refuses_a_span_that_ends_before_it_starts(self) -> None:
        with pytest.raises(ValueError, match="must end after it starts"):
            Span(at("10:00"), at("09:00"))

    def test_it_lists_clashes_earliest_first(self) -> None:
        taken = [span("13:00", "14:00", "b"), span("09:00", "11:00", "a")]
        assert [s.label for s in clashes(at("08:00"), at("18:00"), taken)] == ["a", "b"]

    def test_it_finds_the_peak_inside_the_new_span(self) -> None:
        others = [span("08:00", "10:00"), span("09:30", "12:00"), span("11:00", "13:00")]
        assert peak_with(at("09:00"), at("12:00"), others) == (3, at("09:30"))

    @given(
        st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), max_size=12),
        st.integers(0, 40),
        st.integers(1, 12),
    )
    def test_it_matches_counting_every_quarter_hour(self, raw, new_start, new_len) -> None:
        base = at("07:00")
        q = timedelta(minutes=15)
        others = [Span(base + s * q, base + (s + n) * q) for s, n in raw]
        start, end = base + new_start * q, base + (new_start + new_len) * q
        expected = max(
            1 + sum(1 for o in others if o.start <= start + k * q < o.end) for k in range(new_len)
        )
        assert peak_with(start, end, others)[0] == expected


class TestHours:
    def test_it_names_the_closure(self) -> None:
        thanksgiving = date(2026, 11, 26)
        day = open_day(closure="Thanksgiving Day")
        problem = hours_problem(day, at("10:00", thanksgiving), at("11:00", thanksgiving))
        assert problem == "Eastgate is closed on Thanksgiving Day, 11/26/2026"

    def test_it_refuses_a_closed_weekday(self) -> None:
        day = DayRules(location="Eastgate", opens=None, closes=None)
        sunday = date(2026, 12, 6)
        assert hours_problem(day, at("10:00", sunday), at("11:00", sunday)) == (
            "Eastgate is closed on Sundays"
        )

    def test_it_refuses_running_past_closing(self) -> None:
        problem = hours_problem(open_day(), at("15:30"), at("17:30"))
        assert problem == (
            "Eastgate is open 08:00–17:00 on Tuesdays; this appointment would run 15:30–17:30"
        )

    def test_it_accepts_the_whole_opening(self) -> None:
        assert hours_problem(open_day(), at("08:00"), at("17:00")) is None


class TestChairAndPatient:
    def test_it_names_the_chair_and_the_time_it_is_taken(self) -> None:
        taken = [span("10:00", "12:30")]
        assert chair_problem("C03", at("11:00"), at("12:00"), taken) == (
            "Chair C03 is taken 10:00–12:30 by another patient"
        )

    def test_it_names_what_the_patient_is_booked_for(self) -> None:
        theirs = [span("09:00", "11:00", "infliximab at Riverside Main")]
        assert patient_problem("Grace Hopper", at("10:00"), at("12:00"), theirs) == (
            "Grace Hopper is already booked 09:00–11:00 (infliximab at Riverside Main)"
        )


class TestNurse:
    def test_it_names_the_nurse_the_count_and_the_ratio(self) -> None:
        busy = nurse(patients=[("09:00", "12:00")] * 4)
        assert ratio_problem(busy, at("10:30"), at("11:30")) == (
            "Nurse J. Blake would have 5 patients at 10:30 (ratio 1:4)"
        )

    def test_it_refuses_outside_the_shift(self) -> None:
        assert shift_problem(nurse(), at("14:00"), at("16:00")) == (
            "J. Blake's shift is 07:00–15:30; this appointment would run 14:00–16:00"
        )

    def test_it_refuses_a_nurse_without_a_shift(self) -> None:
        off = nurse(shifts=())
        assert "has no shift here on 12/01/2026" in str(nurse_problem(off, at("9:00"), at("10:00")))

    def test_it_picks_the_least_loaded_nurse_on_shift(self) -> None:
        early = nurse("A", patients=[("08:00", "11:00")] * 2)
        late = nurse("B", shifts=(("10:30", "19:00"),))
        other = nurse("C", patients=[("08:00", "11:00")])
        chosen = pick_nurse([early, late, other], at("09:00"), at("10:00"))
        assert chosen is other

    def test_it_picks_nobody_when_all_are_full(self) -> None:
        full = nurse(patients=[("08:00", "11:00")] * 4)
        assert pick_nurse([full], at("09:00"), at("10:00")) is None


class TestFreeStarts:
    def test_it_skips_taken_chairs_and_the_patients_own_bookings(self) -> None:
        day = open_day(chairs={"C01": [span("08:00", "12:00")]})
        starts = list(
            free_starts(
                day,
                timedelta(hours=2),
                timedelta(minutes=15),
                patient_busy=[span("12:00", "13:00")],
            )
        )
        assert starts[0].start == at("13:00")
        assert all(s.chair == "C01" for s in starts)
        assert starts[-1].start == at("15:00")

    def test_it_needs_a_nurse_on_a_day_with_shifts(self) -> None:
        day = open_day(nurses=[nurse(shifts=(("10:00", "14:00"),))])
        starts = list(free_starts(day, timedelta(hours=1), timedelta(hours=1)))
        assert [s.start for s in starts] == [at("10:00"), at("11:00"), at("12:00"), at("13:00")]
        assert {s.nurse for s in starts} == {"J. Blake"}

    def test_it_offers_nothing_on_a_closure(self) -> None:
        day = open_day(closure="Christmas Day")
        assert list(free_starts(day, timedelta(hours=1), timedelta(minutes=15))) == []

    @given(
        st.lists(st.tuples(st.integers(0, 35), st.integers(1, 12)), max_size=10),
        st.integers(1, 16),
    )
    def test_every_offered_start_obeys_every_rule(self, raw, length) -> None:
        q = timedelta(minutes=15)
        taken = [Span(at("08:00") + s * q, at("08:00") + (s + n) * q) for s, n in raw]
        day = open_day(
            chairs={"C01": taken[::2], "C02": taken[1::2]},
            nurses=[nurse(patients=[("09:00", "11:00")] * 3, ratio=4)],
        )
        for slot in free_starts(day, length * q, q):
            assert hours_problem(day, slot.start, slot.end) is None
            assert chair_problem(slot.chair, slot.start, slot.end, day.chairs[slot.chair]) is None
            assert nurse_problem(day.nurses[0], slot.start, slot.end) is None


class TestDoseSpacing:
    FIRST = date(2026, 9, 1)

    def test_grace_is_at_most_a_quarter_of_the_gap(self) -> None:
        assert grace_for_gap(56) == 3
        assert grace_for_gap(7) == 1
        assert grace_for_gap(3) == 0

    def test_it_refuses_a_dose_before_the_regimen_allows(self) -> None:
        # Dose 4 of infliximab is week 14: 12/08/2026; three days' grace allows 12/05.
        problem = dose_problem(INFLIXIMAB, self.FIRST, 4, date(2026, 12, 1))
        assert problem == "Dose 4 is not due until 12/08/2026 (earliest 12/05/2026)"
        assert dose_problem(INFLIXIMAB, self.FIRST, 4, date(2026, 12, 5)) is None

    def test_a_late_previous_dose_pushes_the_next_one(self) -> None:
        # Dose 3 given 10 days late (10/23 instead of 10/13): dose 4 keeps ~8 weeks from it.
        earliest = dose_not_before(INFLIXIMAB, self.FIRST, 4, previous_dose_on=date(2026, 10, 23))
        assert earliest == date(2026, 12, 15)

    def test_short_loading_intervals_keep_their_spacing(self) -> None:
        assert dose_not_before(IRON_SUCROSE, self.FIRST, 2) == date(2026, 9, 4)
        assert "not in this regimen" in str(dose_problem(IRON_SUCROSE, self.FIRST, 6, DAY))

    @given(st.integers(2, 30), st.integers(0, 7))
    def test_it_never_allows_more_than_the_grace_early(self, number, grace) -> None:
        earliest = dose_not_before(INFLIXIMAB, self.FIRST, number, grace_days=grace)
        due = dose_not_before(INFLIXIMAB, self.FIRST, number, grace_days=0)
        assert timedelta(0) <= due - earliest <= timedelta(days=grace)

    @given(st.dates(date(2026, 1, 1), date(2027, 12, 31)), st.integers(0, 6), st.integers(0, 3))
    def test_the_nearest_weekday_is_in_the_allowed_week(self, due, weekday, grace) -> None:
        chosen = nearest_weekday(due, weekday, grace)
        assert chosen.weekday() == weekday
        assert due - timedelta(days=grace) <= chosen <= due + timedelta(days=6 - grace)


class TestTheDay:
    def test_it_counts_patients_in_chairs_every_quarter_hour(self) -> None:
        spans = [span("08:00", "09:00"), span("08:30", "10:00")]
        assert occupancy(spans, at("08:00"), at("10:00"), timedelta(minutes=30)) == [1, 2, 1, 1]

    def test_utilization_is_booked_chair_time_over_open_chair_time(self) -> None:
        spans = [span("08:00", "12:30"), span("07:00", "09:00")]  # the second starts early
        value = utilization(spans, 2, at("08:00"), at("17:00"))
        assert value == pytest.approx((4.5 + 1) / 18)


CHEMO_IV = required_competencies("chemo", intravenous=True)
INJECTION = required_competencies("injection", intravenous=False)


class TestCompetencies:
    def test_a_chemo_biologic_infusion_needs_bls_chemo_and_peripheral_iv(self) -> None:
        assert CHEMO_IV == (BLS, CHEMO_BIOLOGIC, PIV_INSERTION)

    def test_an_iv_therapeutic_or_hydration_needs_no_chemo_competency(self) -> None:
        for category in ("therapeutic", "hydration"):
            assert required_competencies(category, intravenous=True) == (BLS, PIV_INSERTION)

    def test_a_therapeutic_injection_needs_only_bls(self) -> None:
        assert INJECTION == (BLS,)
        only_bls = (Competence(BLS, date(2027, 1, 31)),)
        assert competency_problem("Tom Becker", only_bls, INJECTION, DAY) is None

    def test_an_unknown_category_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown administration category"):
            required_competencies("oral", intravenous=False)

    def test_only_an_iv_route_outside_the_injection_category_is_an_infusion(self) -> None:
        assert is_intravenous("chemo", ["IV"])
        assert is_intravenous("therapeutic", [" iv ", "SC"])
        assert not is_intravenous("injection", ["SC"])
        assert not is_intravenous("injection", ["IV"])  # the category says SC/IM injection
        assert not is_intravenous("chemo", ["SC"])  # a complex biologic given SC: no line

    def test_it_names_the_nurse_and_the_expired_competency(self) -> None:
        lapsed = (
            Competence(BLS, date(2027, 6, 30)),
            Competence(PIV_INSERTION, date(2027, 6, 30)),
            Competence(CHEMO_BIOLOGIC, date(2026, 11, 30)),
        )
        assert (
            competency_problem("Maria Santos", lapsed, CHEMO_IV, DAY)
            == "Maria Santos: Chemotherapy / biologic administration expired 11/30/2026"
        )

    def test_it_names_a_competency_with_no_record(self) -> None:
        lpn = (Competence(BLS, None), Competence(PIV_INSERTION, date(2027, 1, 1)))
        assert (
            competency_problem("Tom Becker", lpn, CHEMO_IV, DAY)
            == "Tom Becker: no Chemotherapy / biologic administration on record"
        )

    def test_a_lapsed_bls_rules_out_every_patient_that_day(self) -> None:
        held = (Competence(BLS, date(2026, 11, 19)), *ALL_SKILLS[1:])
        for needs in (CHEMO_IV, INJECTION, required_competencies("hydration", intravenous=True)):
            assert competency_problem("Kevin Liu", held, needs, DAY) == (
                "Kevin Liu: Basic life support (BLS) expired 11/19/2026"
            )

    def test_a_competency_is_current_through_its_expiry_date(self) -> None:
        # Decision: valid through the expiry date, lapsed from the next day (the rota treats
        # a licence's expiry date the same way, and the staff page flags "expired" after it).
        held = (Competence(BLS, DAY),)
        assert competency_problem("A. Nurse", held, INJECTION, DAY) is None
        assert competency_problem("A. Nurse", held, INJECTION, DAY + timedelta(days=1)) == (
            "A. Nurse: Basic life support (BLS) expired 12/01/2026"
        )

    def test_it_lists_every_missing_competency(self) -> None:
        message = competency_problem("A. Nurse", (), CHEMO_IV, DAY)
        assert message == (
            "A. Nurse: no Basic life support (BLS) on record; "
            "no Chemotherapy / biologic administration on record; "
            "no Peripheral IV insertion on record"
        )

    def test_a_competency_without_expiry_stays_current(self) -> None:
        assert (
            competency_problem("A. Nurse", (Competence(BLS),), INJECTION, date(2040, 1, 1)) is None
        )

    def test_nurse_problem_checks_competencies_only_when_asked(self) -> None:
        lpn = nurse("T. Becker", skills=(Competence(BLS), Competence(PIV_INSERTION)))
        assert nurse_problem(lpn, at("09:00"), at("10:00")) is None
        assert nurse_problem(lpn, at("09:00"), at("10:00"), CHEMO_IV) == (
            "T. Becker: no Chemotherapy / biologic administration on record"
        )

    def test_pick_nurse_skips_a_nurse_not_competent_for_the_visit(self) -> None:
        lpn = nurse("T. Becker", skills=(Competence(BLS), Competence(PIV_INSERTION)))
        busy = nurse("J. Blake", patients=(("08:00", "12:00"), ("08:00", "12:00")))
        # The LPN is free and listed first, but cannot give a biologic: the busier RN can.
        assert pick_nurse([lpn, busy], at("09:00"), at("10:00"), CHEMO_IV) == busy
        # She can give an injection, and is the least loaded.
        assert pick_nurse([lpn, busy], at("09:00"), at("10:00"), INJECTION) == lpn
        assert pick_nurse([lpn], at("09:00"), at("10:00"), CHEMO_IV) is None

    def test_free_starts_needs_a_competent_nurse_when_the_day_has_a_rota(self) -> None:
        no_bls = nurse("K. Liu", skills=(Competence(BLS, date(2026, 11, 19)), *ALL_SKILLS[1:]))
        day = open_day(nurses=[no_bls])
        hour = timedelta(hours=1)
        assert list(free_starts(day, hour, hour, needs=INJECTION)) == []
        # Without competencies asked for (the optimizer's own checks), the rota alone counts.
        assert next(free_starts(day, hour, hour)).nurse == "K. Liu"
