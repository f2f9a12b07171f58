from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.billing.admin_codes import (
    ADDON_PRIMARIES,
    Administration,
    AdminLine,
    addons_without_primary,
    administration_codes,
    administration_lines,
)

DAY = datetime(2024, 5, 6, tzinfo=UTC)
INITIAL_CODES = {"96360", "96365", "96374", "96409", "96413"}
IV = ("infusion", "push")


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def given_for(
    category: str,
    method: str,
    minutes: int,
    start: datetime = DAY,
    *,
    drug: str | None = None,
    hormonal: bool = False,
) -> Administration:
    end = start + timedelta(minutes=minutes)
    return Administration(category, method, start, end, drug, hormonal)


class TestTimeRules:
    @pytest.mark.parametrize(
        ("minutes", "expected"),
        [
            (16, [("96365", 1)]),
            (60, [("96365", 1)]),
            (90, [("96365", 1)]),
            (91, [("96365", 1), ("96366", 1)]),
            (150, [("96365", 1), ("96366", 1)]),
            (151, [("96365", 1), ("96366", 2)]),
            (210, [("96365", 1), ("96366", 2)]),
            (211, [("96365", 1), ("96366", 3)]),
        ],
    )
    def test_it_adds_an_hour_only_past_30_minutes_into_it(self, minutes, expected):
        """CPT: 96366 "for infusion intervals of greater than 30 minutes beyond 1-hour
        increments" (FCSO Part A infusion and hydration services; UWHC IV Infusion Mini
        Manual: 1 h 30 min is one hour, 1 h 31 min is two; codingclarified: 1:31-2:30 is
        one unit of 96366)."""
        assert administration_codes([given_for("therapeutic", "infusion", minutes)]) == expected

    def test_it_counts_chemo_hours_with_96415(self):
        """iframe.ai CPT 96415: 1 h 15 min of chemo is 96413 alone; 1 h 45 min adds one
        96415."""
        assert administration_codes([given_for("chemo", "infusion", 75)]) == [("96413", 1)]
        assert administration_codes([given_for("chemo", "infusion", 105)]) == [
            ("96413", 1),
            ("96415", 1),
        ]

    @pytest.mark.parametrize(("category", "code"), [("therapeutic", "96374"), ("chemo", "96409")])
    def test_it_reports_an_infusion_of_15_minutes_or_less_as_a_push(self, category, code):
        """CPT push definition: "an infusion of 15 minutes or less" (Noridian JF
        "Chemotherapy and Nonchemotherapy"; ASCO hotline Q&A quoted on AAPC forum: two drugs
        in one bag over 15 minutes is one push)."""
        assert administration_codes([given_for(category, "infusion", 15)]) == [(code, 1)]
        assert administration_codes([given_for(category, "infusion", 16)]) != [(code, 1)]

    def test_it_reports_a_push_whatever_its_length(self):
        assert administration_codes([given_for("therapeutic", "push", 20)]) == [("96374", 1)]


class TestHydration:
    def test_it_reports_three_hours_from_11_pm_as_96360_and_two_96361(self):
        """CPT introduction, "Time": hydration from 11 pm to 2 am is 96360 once and 96361
        twice (quoted on AAPC forum "IV Hydration question")."""
        night = Administration("hydration", "infusion", at(23), at(26))
        assert administration_codes([night]) == [("96360", 1), ("96361", 2)]

    def test_it_drops_the_last_20_minutes_of_a_3_h_20_min_hydration(self):
        """Coding Ahead CPT 96361 worked example: 9:00-12:20 is 96360 + 96361 x 2."""
        fluid = Administration("hydration", "infusion", at(9), at(12, 20))
        assert administration_codes([fluid]) == [("96360", 1), ("96361", 2)]

    @pytest.mark.parametrize(("minutes", "expected"), [(30, []), (31, [("96360", 1)])])
    def test_it_needs_more_than_30_minutes(self, minutes, expected):
        """CPT 96360 "31 minutes to 1 hour"; 30 minutes or less is not reported (FCSO)."""
        assert administration_codes([given_for("hydration", "infusion", minutes)]) == expected

    def test_it_reports_hydration_after_another_initial_service_as_96361(self):
        """CPT 96361: "hydration provided as a secondary or subsequent service after a
        different initial service" (Select Health policy #09)."""
        items = [
            Administration("hydration", "infusion", at(9), at(10)),
            Administration("therapeutic", "push", at(10, 5), at(10, 7)),
        ]
        assert administration_codes(items) == [("96374", 1), ("96361", 1)]

    @pytest.mark.parametrize(
        ("minutes", "units"), [(30, 0), (31, 1), (90, 1), (91, 2), (150, 2), (151, 3)]
    )
    def test_it_counts_secondary_hydration_by_the_hour(self, minutes, units):
        items = [
            given_for("hydration", "infusion", minutes, at(10)),
            given_for("therapeutic", "push", 2, at(9)),
        ]
        expected = [("96374", 1)] + ([("96361", units)] if units else [])
        assert administration_codes(items) == expected

    def test_it_does_not_report_hydration_running_with_a_drug_infusion(self):
        """Hydration concurrent with another infusion is not reported (AAPC HEALTHCON 2023
        "Infusion Confusion"; Select Health policy #09)."""
        items = [
            Administration("chemo", "infusion", at(9), at(10)),
            Administration("hydration", "infusion", at(9), at(10)),
        ]
        assert administration_codes(items) == [("96413", 1)]

    def test_it_counts_only_hydration_time_outside_drug_infusions(self):
        # 9:00-11:00 fluids, drug 9:30-10:00: 90 minutes of hydration alone -> one 96361.
        items = [
            Administration("hydration", "infusion", at(9), at(11)),
            Administration("therapeutic", "infusion", at(9, 30), at(10)),
        ]
        assert administration_codes(items) == [("96365", 1), ("96361", 1)]

    def test_it_adds_up_consecutive_bags(self):
        items = [
            Administration("hydration", "infusion", at(9), at(9, 20)),
            Administration("hydration", "infusion", at(9, 20), at(9, 40)),
        ]
        assert administration_codes(items) == [("96360", 1)]


class TestInitialService:
    def test_it_puts_chemo_first_whatever_started_first(self):
        """CPT facility hierarchy: chemo before therapeutic before hydration; infusions
        before pushes before injections (RMC "Infusions, Injections and Hydration";
        AAPC 2021 "Coding Infusions, Hydration, and Injections"). The pre-medication push
        and infusion become 96375 and 96367."""
        items = [
            Administration("therapeutic", "push", at(9), at(9, 2)),
            Administration("therapeutic", "infusion", at(9, 5), at(9, 35)),
            Administration("chemo", "infusion", at(9, 40), at(10, 40)),
        ]
        assert administration_codes(items) == [("96413", 1), ("96367", 1), ("96375", 1)]

    def test_it_codes_the_first_push_after_an_initial_infusion_as_subsequent(self):
        """CPT, quoted by Select Health #09: "the first IV push subsequent to an initial
        infusion is reported using a subsequent IV push code"."""
        items = [
            Administration("therapeutic", "infusion", at(10), at(11)),
            Administration("therapeutic", "push", at(9), at(9, 3)),
        ]
        assert administration_codes(items) == [("96365", 1), ("96375", 1)]

    def test_it_puts_a_chemo_push_before_a_therapeutic_infusion(self):
        items = [
            Administration("therapeutic", "infusion", at(9), at(10, 40)),
            Administration("chemo", "push", at(10, 45), at(10, 50)),
        ]
        assert administration_codes(items) == [("96409", 1), ("96366", 1), ("96367", 1)]

    def test_it_codes_pushes_after_an_initial_push(self):
        items = [given_for("therapeutic", "push", 2, at(9, m)) for m in (0, 10, 20)]
        assert administration_codes(items) == [("96374", 1), ("96375", 2)]

    def test_it_codes_further_chemo_pushes_with_96411(self):
        items = [given_for("chemo", "push", 3, at(9, m)) for m in (0, 10)]
        assert administration_codes(items) == [("96409", 1), ("96411", 1)]

    def test_it_never_lets_an_injection_lead_an_iv_infusion(self):
        """Injections are never the initial service beside an IV one: 96367 would have no
        primary (CPT: report 96367 with 96365, 96374, 96409 or 96413)."""
        items = [
            Administration("therapeutic", "infusion", at(9), at(9, 40)),
            Administration("chemo", "subcutaneous", at(10), at(10, 5)),
        ]
        assert administration_codes(items) == [("96365", 1), ("96401", 1)]

    def test_it_codes_a_push_after_an_injection_as_the_initial_push(self):
        # An SC injection given first does not turn the push into 96375.
        items = [
            Administration("chemo", "subcutaneous", at(9), at(9, 5)),
            Administration("therapeutic", "push", at(9, 10), at(9, 12)),
        ]
        assert administration_codes(items) == [("96374", 1), ("96401", 1)]

    def test_it_codes_hydration_after_an_injection_as_initial_hydration(self):
        items = [
            Administration("therapeutic", "intramuscular", at(9), at(9, 1)),
            Administration("hydration", "infusion", at(9, 5), at(10, 5)),
        ]
        assert administration_codes(items) == [("96360", 1), ("96372", 1)]

    def test_it_still_codes_injections_alone(self):
        items = [given_for("therapeutic", "subcutaneous", 2, at(9, m)) for m in (0, 10)]
        assert administration_codes(items) == [("96372", 2)]


class TestOfficeSetting:
    """CPT physician instructions / CMS Pub. 100-04 ch. 12 §30.5: in the office the initial
    code is the primary reason for the encounter; 96376 is facility-only (MPFS status X)."""

    def test_it_keeps_the_facility_call_working(self):
        items = [given_for("therapeutic", "push", 2, at(9, m), drug="ondansetron") for m in (0, 45)]
        assert administration_codes(items) == [("96374", 1), ("96376", 1)]
        assert administration_codes(items, setting="facility") == [("96374", 1), ("96376", 1)]

    def test_it_never_reports_96376_in_the_office(self):
        items = [given_for("therapeutic", "push", 2, at(9, m), drug="ondansetron") for m in (0, 45)]
        assert administration_codes(items, setting="office") == [("96374", 1)]

    def test_it_reports_the_marked_primary_reason_as_initial_in_the_office(self):
        # A long antibiotic infusion then the reason for the visit: a therapeutic push.
        items = [
            Administration("therapeutic", "infusion", at(9), at(10), drug="a"),
            Administration("therapeutic", "push", at(10, 5), at(10, 7), drug="b", primary=True),
        ]
        assert administration_codes(items, setting="office") == [("96374", 1), ("96367", 1)]
        assert administration_codes(items, setting="facility") == [("96365", 1), ("96375", 1)]

    def test_it_falls_back_to_the_hierarchy_without_a_mark(self):
        items = [
            Administration("therapeutic", "push", at(9), at(9, 2)),
            Administration("chemo", "infusion", at(9, 10), at(10, 10)),
        ]
        assert administration_codes(items, setting="office") == [("96413", 1), ("96375", 1)]

    def test_it_ignores_a_mark_that_would_orphan_an_add_on(self):
        # Hydration marked primary beside a drug infusion: 96367 is never billed with 96360.
        items = [
            Administration("hydration", "infusion", at(8), at(9), primary=True),
            Administration("therapeutic", "infusion", at(9), at(10)),
        ]
        assert administration_codes(items, setting="office") == [("96365", 1), ("96361", 1)]

    def test_it_ignores_a_mark_on_an_injection_beside_iv_services(self):
        items = [
            Administration("therapeutic", "subcutaneous", at(9), at(9, 1), primary=True),
            Administration("therapeutic", "push", at(9, 5), at(9, 7)),
        ]
        assert administration_codes(items, setting="office") == [("96374", 1), ("96372", 1)]

    def test_it_rejects_an_unknown_setting(self):
        with pytest.raises(ValueError, match="setting"):
            administration_codes([], setting="hospital")


class TestSecondAccessSite:
    """CPT: one initial service "unless protocol requires that two separate IV sites must
    be used"; the second site's initial code carries XU (or 59)."""

    def test_it_reports_a_second_initial_code_with_xu(self):
        first = [Administration("chemo", "infusion", at(9), at(10, 45), drug="a")]
        second = [Administration("therapeutic", "infusion", at(9), at(10), drug="b")]
        assert administration_lines(first, second_site=second) == [
            AdminLine("96413", 1),
            AdminLine("96365", 1, ("XU",)),
            AdminLine("96415", 1),
        ]

    def test_it_takes_modifier_59_for_payers_without_x_modifiers(self):
        first = [Administration("therapeutic", "infusion", at(9), at(10), drug="a")]
        second = [Administration("therapeutic", "infusion", at(9), at(10), drug="b")]
        lines = administration_lines(first, second_site=second, distinct_modifier="59")
        assert lines == [AdminLine("96365", 1), AdminLine("96365", 1, ("59",))]

    def test_it_codes_one_site_as_before(self):
        first = [Administration("therapeutic", "infusion", at(9), at(10), drug="a")]
        assert administration_lines(first) == [AdminLine("96365", 1)]
        assert administration_lines([], second_site=first) == [AdminLine("96365", 1)]

    def test_it_refuses_another_modifier(self):
        with pytest.raises(ValueError, match="XU"):
            administration_lines([], distinct_modifier="25")


class TestSequentialAndConcurrentInfusions:
    def test_it_codes_a_concurrent_infusion_beside_chemo_with_96368(self):
        """AAPC Oncology Coding Alert, "Know these codes for concurrent, sequential chemo
        infusions": oxaliplatin and leucovorin both 9:33-12:15 on one line -> 96413,
        +96368, and 96415 for the 1 h 42 min past the first hour (2 units)."""
        items = [
            Administration("therapeutic", "infusion", at(9, 33), at(12, 15), "leucovorin"),
            Administration("chemo", "infusion", at(9, 33), at(12, 15), "oxaliplatin"),
        ]
        assert administration_codes(items) == [("96413", 1), ("96368", 1), ("96415", 2)]

    def test_it_codes_two_antibiotics_together_as_initial_and_concurrent(self):
        """AAPC Oncology Coding Alert reader question (2006): two antibiotics in separate
        bags through one line over an hour -> initial infusion + concurrent infusion."""
        items = [given_for("therapeutic", "infusion", 60), given_for("therapeutic", "infusion", 60)]
        assert administration_codes(items) == [("96365", 1), ("96368", 1)]

    def test_it_treats_an_infusion_outlasting_another_by_15_minutes_as_concurrent(self):
        items = [
            Administration("therapeutic", "infusion", at(9), at(10)),
            Administration("therapeutic", "infusion", at(9, 30), at(10, 15)),
        ]
        assert administration_codes(items) == [("96365", 1), ("96368", 1)]

    def test_it_treats_an_infusion_outlasting_another_by_16_minutes_as_sequential(self):
        items = [
            Administration("therapeutic", "infusion", at(9), at(10)),
            Administration("therapeutic", "infusion", at(9, 30), at(10, 16)),
        ]
        assert administration_codes(items) == [("96365", 1), ("96367", 1)]

    def test_it_reports_96368_once_per_encounter(self):
        items = [given_for("therapeutic", "infusion", 60) for _ in range(4)]
        assert administration_codes(items) == [("96365", 1), ("96368", 1)]

    def test_it_does_not_count_overlapping_time_twice(self):
        """Medlearn pharmacy Q&A (Jan 31 2022): drug A 6:00-7:30 and drug B 7:00-16:00 on
        one line -> 96365 + 96366 x 8 for B, and 96367 for A's 60 minutes outside B."""
        items = [
            Administration("therapeutic", "infusion", at(6), at(7, 30)),
            Administration("therapeutic", "infusion", at(7), at(16)),
        ]
        assert administration_codes(items) == [("96365", 1), ("96366", 8), ("96367", 1)]

    def test_it_codes_a_second_chemo_drug_with_96417_and_its_hours_with_96415(self):
        """CPT 96417 "each additional sequential infusion (different substance/drug), up to
        1 hour", further hours 96415 (carecostestimate "CPT 96417")."""
        items = [
            Administration("chemo", "infusion", at(9), at(10)),
            Administration("chemo", "infusion", at(10), at(11, 45)),
        ]
        assert administration_codes(items) == [("96413", 1), ("96415", 1), ("96417", 1)]

    def test_it_codes_a_therapeutic_infusion_after_chemo_with_96367(self):
        items = [
            Administration("chemo", "infusion", at(9), at(10)),
            Administration("therapeutic", "infusion", at(10), at(11, 35)),
        ]
        assert administration_codes(items) == [("96413", 1), ("96366", 1), ("96367", 1)]

    def test_it_reports_a_concurrent_chemo_infusion_as_unlisted(self):
        """No CPT code exists for concurrent chemo; CPT Assistant Nov 2005 says 96549
        (AAPC Oncology Coding Alert reader question, Feb 2006)."""
        items = [
            Administration("chemo", "infusion", at(9), at(11)),
            Administration("chemo", "infusion", at(9, 30), at(10, 30)),
        ]
        assert administration_codes(items) == [("96413", 1), ("96415", 1), ("96549", 1)]


class TestInjections:
    def test_it_counts_each_therapeutic_injection(self):
        items = [
            given_for("therapeutic", "subcutaneous", 1, at(9)),
            given_for("therapeutic", "intramuscular", 1, at(9, 10)),
        ]
        assert administration_codes(items) == [("96372", 2)]

    def test_it_codes_a_subcutaneous_complex_biologic_with_96401(self):
        """CPT 96401 covers "certain monoclonal antibody agents" (Noridian JE A52953), e.g.
        daratumumab SC (carecostestimate "CPT 96401, 96402")."""
        item = given_for("chemo", "subcutaneous", 5, drug="daratumumab-hyaluronidase")
        assert administration_codes([item]) == [("96401", 1)]

    def test_it_codes_a_hormonal_anti_neoplastic_with_96402(self):
        item = given_for("chemo", "intramuscular", 2, drug="fulvestrant", hormonal=True)
        assert administration_codes([item, item]) == [("96402", 2)]

    def test_it_reports_injections_beside_an_infusion(self):
        items = [
            given_for("therapeutic", "infusion", 60, at(9)),
            given_for("therapeutic", "subcutaneous", 1, at(10, 5)),
        ]
        assert administration_codes(items) == [("96365", 1), ("96372", 1)]


class TestSameDrug:
    def test_it_codes_a_repeat_push_of_the_same_drug_with_96376(self):
        """CPT 96376: same drug, facility, not within 30 minutes of a reported push of it
        (codingclarified; wearemedicalcoders "IV Push Injection Coding")."""
        items = [
            given_for("therapeutic", "push", 2, at(9), drug="ondansetron"),
            given_for("therapeutic", "push", 2, at(9, 20), drug="Ondansetron"),
            given_for("therapeutic", "push", 2, at(10), drug="ondansetron"),
        ]
        assert administration_codes(items) == [("96374", 1), ("96376", 1)]

    def test_it_treats_pushes_without_a_drug_as_different_substances(self):
        items = [given_for("therapeutic", "push", 2, at(9, m)) for m in (0, 5)]
        assert administration_codes(items) == [("96374", 1), ("96375", 1)]

    def test_it_codes_a_push_of_the_infused_drug_as_a_repeat(self):
        items = [
            given_for("therapeutic", "infusion", 60, at(9), drug="methylprednisolone"),
            given_for("therapeutic", "push", 2, at(10, 30), drug="methylprednisolone"),
        ]
        assert administration_codes(items) == [("96365", 1), ("96376", 1)]

    def test_it_does_not_report_a_repeat_chemo_push_of_the_same_drug(self):
        items = [
            given_for("chemo", "push", 3, at(9), drug="bortezomib"),
            given_for("chemo", "push", 3, at(11), drug="bortezomib"),
        ]
        assert administration_codes(items) == [("96409", 1)]

    def test_it_adds_up_a_resumed_infusion_of_the_same_drug(self):
        # Stopped for a reaction and resumed: one infusion of 100 minutes, not a 96367.
        items = [
            given_for("therapeutic", "infusion", 40, at(9), drug="rituximab"),
            given_for("therapeutic", "infusion", 60, at(10), drug="rituximab"),
        ]
        assert administration_codes(items) == [("96365", 1), ("96366", 1)]


class TestValidation:
    def test_it_returns_nothing_for_an_empty_encounter(self):
        assert administration_codes([]) == []

    @pytest.mark.parametrize(
        ("category", "method", "message"),
        [
            ("biologic", "infusion", "category"),
            ("therapeutic", "oral", "method"),
            ("hydration", "intramuscular", "hydration"),
        ],
    )
    def test_it_rejects_unknown_kinds(self, category, method, message):
        with pytest.raises(ValueError, match=message):
            administration_codes([Administration(category, method, at(9), at(10))])

    @pytest.mark.parametrize("end", [at(9), at(8, 59)])
    def test_it_rejects_an_end_not_after_the_start(self, end):
        with pytest.raises(ValueError, match="not after"):
            administration_codes([Administration("therapeutic", "infusion", at(9), end)])

    def test_it_rejects_naive_and_aware_times_together(self):
        nine = datetime(2024, 5, 6, 9)  # noqa: DTZ001
        naive = Administration("therapeutic", "push", nine, nine + timedelta(minutes=5))
        aware = Administration("therapeutic", "push", at(9), at(10))
        with pytest.raises(ValueError, match="naive"):
            administration_codes([naive, aware])

    def test_it_accepts_naive_times_throughout(self):
        start = datetime(2024, 5, 6, 9)  # noqa: DTZ001
        item = Administration("therapeutic", "infusion", start, start + timedelta(minutes=95))
        assert administration_codes([item]) == [("96365", 1), ("96366", 1)]

    def test_it_rejects_a_blank_drug_name(self):
        with pytest.raises(ValueError, match="drug"):
            administration_codes([given_for("therapeutic", "push", 2, drug="  ")])

    def test_it_rejects_hormonal_outside_chemo_injections(self):
        with pytest.raises(ValueError, match="hormonal"):
            administration_codes([given_for("therapeutic", "subcutaneous", 2, hormonal=True)])


kinds = st.sampled_from(
    [
        ("chemo", "infusion"),
        ("chemo", "push"),
        ("chemo", "subcutaneous"),
        ("therapeutic", "infusion"),
        ("therapeutic", "push"),
        ("therapeutic", "intramuscular"),
        ("hydration", "infusion"),
    ]
)


@st.composite
def administrations(draw: st.DrawFn) -> Administration:
    category, method = draw(kinds)
    start = DAY + timedelta(minutes=draw(st.integers(0, 8 * 60)))
    minutes = draw(st.integers(1, 300))
    drug = draw(st.none() | st.sampled_from(["a", "b", "c"]))
    return Administration(category, method, start, start + timedelta(minutes=minutes), drug)


encounters = st.lists(administrations(), max_size=8)


class TestProperties:
    @given(items=encounters, data=st.data())
    def test_it_gives_the_same_codes_in_any_order(self, items, data):
        shuffled = data.draw(st.permutations(items))
        assert administration_codes(shuffled) == administration_codes(items)

    @given(items=encounters)
    def test_it_reports_at_most_one_initial_code_and_puts_it_first(self, items):
        codes = administration_codes(items)
        initial = [(code, units) for code, units in codes if code in INITIAL_CODES]
        assert len(initial) <= 1
        if initial:
            assert codes[0] == initial[0]
            assert initial[0][1] == 1

    @given(items=encounters)
    def test_it_reports_exactly_one_initial_code_when_an_iv_drug_is_given(self, items):
        # Injections never lead an IV service, whatever their category.
        iv = {i.category for i in items if i.category != "hydration" and i.method in IV}
        codes = [code for code, _ in administration_codes(items)]
        if iv:
            assert len([code for code in codes if code in INITIAL_CODES]) == 1

    @given(items=encounters, setting=st.sampled_from(["facility", "office"]))
    def test_it_never_reports_an_add_on_without_its_primary(self, items, setting):
        codes = [code for code, _ in administration_codes(items, setting=setting)]
        assert addons_without_primary(codes) == []
        assert all(ADDON_PRIMARIES[c] & set(codes) for c in codes if c in ADDON_PRIMARIES)

    @given(items=encounters)
    def test_it_never_reports_96376_in_the_office(self, items):
        assert "96376" not in dict(administration_codes(items, setting="office"))

    @given(items=encounters)
    def test_it_lists_each_code_once_in_order_after_the_first(self, items):
        codes = administration_codes(items)
        names = [code for code, _ in codes]
        assert len(names) == len(set(names))
        assert names[1:] == sorted(names[1:])
        assert all(units > 0 for _, units in codes)
        assert dict(codes).get("96368", 1) == 1
