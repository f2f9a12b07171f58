from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chairside.rules.billing.cost_share import (
    Benefit,
    CourseVisit,
    assistance_advice,
    billed_units,
    estimate_course,
    medicare_part_b_benefit,
)

D = Decimal
JAN = date(2026, 1, 12)


def visits(
    count: int, allowed: str, start: date = JAN, every: int = 56
) -> list[tuple[date, Decimal]]:
    return [(start + timedelta(days=every * n), D(allowed)) for n in range(count)]


class TestMedicarePartB:
    def test_it_takes_the_2026_deductible_then_20_percent(self):
        estimate = estimate_course(visits(2, "1000.00"), medicare_part_b_benefit(2026))
        first, second = estimate.visits
        # 283.00 deductible + 20% of the remaining 717.00
        assert first.patient_owes == D("426.40")
        # Medicare pays 80% of 717.00 less the 2% sequestration
        assert first.primary_pays == D("562.13")
        assert second.patient_owes == D("200.00")
        assert second.primary_pays == D("784.00")
        assert estimate.patient_owes == D("626.40")

    def test_medigap_plan_g_leaves_only_the_part_b_deductible(self):
        plan_g = Benefit(covers_primary_deductible=False)
        estimate = estimate_course(visits(2, "1000.00"), medicare_part_b_benefit(2026), plan_g)
        assert estimate.patient_owes == D("283.00")
        assert estimate.secondary_pays == D("343.40")

    def test_medigap_plan_f_pays_everything_the_patient_would_owe(self):
        estimate = estimate_course(visits(2, "1000.00"), medicare_part_b_benefit(2026), Benefit())
        assert estimate.patient_owes == D("0.00")

    def test_it_ignores_an_out_of_pocket_maximum_for_original_medicare(self):
        benefit = Benefit(deductible=D("283"), medicare_part_b=True, out_of_pocket_max=D("100"))
        assert estimate_course(visits(1, "1000.00"), benefit).patient_owes == D("426.40")

    def test_it_does_not_know_a_deductible_it_has_no_source_for(self):
        with pytest.raises(ValueError, match="not in Chairside's table"):
            medicare_part_b_benefit(2031)


class TestCommercial:
    PLAN = Benefit(
        deductible=D("1500"),
        deductible_met=D("1000"),
        coinsurance_percent=D("20"),
        out_of_pocket_max=D("3000"),
        out_of_pocket_met=D("1000"),
    )

    def test_it_stops_at_the_out_of_pocket_maximum(self):
        estimate = estimate_course(visits(3, "5000.00"), self.PLAN)
        assert [v.patient_owes for v in estimate.visits] == [D("1400.00"), D("600.00"), D("0")]
        assert estimate.primary_pays == D("13000.00")

    def test_it_adds_the_copay(self):
        plan = Benefit(copay=D("50"), coinsurance_percent=D("10"))
        assert estimate_course(visits(1, "2000"), plan).patient_owes == D("250.00")

    def test_it_starts_the_deductible_again_in_a_new_plan_year(self):
        plan = Benefit(
            deductible=D("500"),
            deductible_met=D("500"),
            coinsurance_percent=D("10"),
            plan_year=2026,
        )
        estimate = estimate_course(
            [(date(2026, 12, 15), D("1000")), (date(2027, 1, 12), D("1000"))], plan
        )
        assert [v.patient_owes for v in estimate.visits] == [D("100.00"), D("550.00")]

    def test_without_coverage_the_patient_owes_everything(self):
        assert estimate_course(visits(2, "700.50"), None).patient_owes == D("1401.00")

    def test_it_rejects_a_coinsurance_above_100_percent(self):
        with pytest.raises(ValueError, match="between 0 and 100"):
            estimate_course(visits(1, "10"), Benefit(coinsurance_percent=D("120")))

    def test_it_rejects_a_negative_allowed_amount(self):
        with pytest.raises(ValueError, match="must not be negative"):
            estimate_course(visits(1, "-10"), Benefit())

    def test_it_gives_nothing_for_no_visits(self):
        assert estimate_course([], Benefit()).patient_owes == 0

    money = st.decimals(min_value=0, max_value=20000, places=2)

    # Small inputs; a busy CI machine must not turn slowness into a failure.
    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(money, min_size=1, max_size=12),
        money,
        money,
        st.decimals(min_value=0, max_value=100, places=2),
        st.one_of(st.none(), money),
    )
    def test_the_split_adds_up_and_respects_the_maximum(
        self, amounts, deductible, copay, percent, oop_max
    ):
        plan = Benefit(
            deductible=deductible,
            copay=copay,
            coinsurance_percent=percent,
            out_of_pocket_max=oop_max,
        )
        course = [(JAN + timedelta(days=7 * n), a) for n, a in enumerate(amounts)]
        estimate = estimate_course(course, plan)
        for v in estimate.visits:
            assert v.primary_pays + v.patient_owes == v.allowed
            assert D(0) <= v.patient_owes <= v.allowed
        if oop_max is not None:
            assert estimate.patient_owes <= oop_max


class TestAssistanceAdvice:
    def test_it_points_commercial_patients_to_the_copay_program(self):
        assert "copay program" in assistance_advice("commercial", D("900"))

    @pytest.mark.parametrize("kind", ["medicare_b", "medicare_advantage", "medicaid", "tricare"])
    def test_it_never_offers_copay_cards_with_government_insurance(self, kind):
        advice = assistance_advice(kind, D("900"))
        assert "foundation" in advice
        assert "cannot" in advice

    def test_it_points_the_uninsured_to_free_drug_programs(self):
        assert "free drug" in assistance_advice(None, D("5000"))

    def test_it_stays_quiet_below_the_threshold(self):
        assert assistance_advice("commercial", D("249.99")) == ""

    def test_a_program_already_joined_is_not_advised_again(self):
        copay = frozenset({"copay"})
        assert "Enroll" not in assistance_advice("commercial", D("900"), enrolled=copay)
        assert "foundation" in assistance_advice("commercial", D("900"), enrolled=copay)
        both = frozenset({"copay", "foundation"})
        assert "payment plan" in assistance_advice("commercial", D("900"), enrolled=both)
        grant = frozenset({"foundation"})
        assert "second fund" in assistance_advice("medicare_b", D("900"), enrolled=grant)
        assert assistance_advice("commercial", D("100"), enrolled=copay) == ""


class TestIssue12CostShare:
    def test_a_course_into_a_new_year_starts_that_years_part_b_deductible(self):
        # 2025's $257 met in December; January 2026 starts the $283 deductible (CMS-8091-N).
        course = [(date(2025, 12, 15), D("1000.00")), (date(2026, 1, 12), D("1000.00"))]
        estimate = estimate_course(course, medicare_part_b_benefit(2025, deductible_met=D(257)))
        december, january = estimate.visits
        assert december.patient_owes == D("200.00")
        assert january.patient_owes == D("283.00") + D("143.40")  # 20% of 717.00

    def test_the_asp_files_reduced_coinsurance_replaces_20_percent_on_the_drug(self):
        # Drug 900 of a 1000 visit at the quarter's 12.4% (IRA), administration at 20%.
        visit = CourseVisit(
            JAN, D("1000.00"), drug_allowed=D("900.00"), drug_coinsurance_percent=D("12.4")
        )
        met = medicare_part_b_benefit(2026, deductible_met=D(283))
        [estimate] = estimate_course([visit], met).visits
        assert estimate.patient_owes == D("131.60")  # 111.60 + 20.00
        assert estimate.primary_pays == D("851.03")  # (1000 - 131.60) x 0.98

    def test_without_a_reduced_percentage_it_stays_20(self):
        visit = CourseVisit(JAN, D("1000.00"), drug_allowed=D("900.00"))
        met = medicare_part_b_benefit(2026, deductible_met=D(283))
        assert estimate_course([visit], met).patient_owes == D("200.00")

    def test_a_qualified_medicare_beneficiary_is_shown_no_coinsurance(self):
        qmb = replace(medicare_part_b_benefit(2026), qualified_medicare_beneficiary=True)
        estimate = estimate_course(visits(2, "1000.00"), qmb)
        assert estimate.patient_owes == D("0.00")
        assert estimate.visits[0].primary_pays == D("562.13")  # Medicare's part unchanged

    def test_units_include_the_discarded_drug(self):
        # Infliximab 350 mg from 100 mg vials at 10 mg a unit: 35 given + 5 JW = 40.
        assert billed_units(D(350), D(10), [D(100)]) == 40
        # Ocrelizumab 600 mg from 300 mg vials: nothing discarded.
        assert billed_units(D(600), D(1), [D(300)]) == 600
        assert billed_units(D(355), D(10), []) == 36
