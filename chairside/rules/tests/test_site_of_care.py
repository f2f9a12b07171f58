from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.billing.site_of_care import CostSharing, SiteFees, compare_sites, course_cost

D = Decimal
OFFICE = SiteFees("office", D("2000"), D("150"))
HOPD = SiteFees("hospital outpatient", D("2000"), D("300"), D("450"))


class TestCourseCost:
    def test_it_splits_coinsurance_after_the_deductible(self):
        # 8 x 2150 = 17,200 allowed; patient 240 deductible + 20% of 16,960 = 3,632.
        cost = course_cost(OFFICE, 8, CostSharing(D("0.20"), D("240")))
        assert (cost.allowed, cost.patient_pays, cost.payer_pays) == (
            D("17200.00"),
            D("3632.00"),
            D("13568.00"),
        )

    def test_it_stops_at_the_out_of_pocket_maximum(self):
        cost = course_cost(HOPD, 8, CostSharing(D("0.20"), D("0"), D("3000")))
        assert cost.patient_pays == D("3000")

    def test_the_hospital_costs_both_more_for_the_same_course(self):
        office, hopd = compare_sites([OFFICE, HOPD], 8, CostSharing(D("0.20")))
        assert hopd.allowed - office.allowed == 8 * D("600")
        assert hopd.patient_pays > office.patient_pays

    def test_it_rejects_coinsurance_above_100_percent(self):
        with pytest.raises(ValueError, match="coinsurance"):
            course_cost(OFFICE, 1, CostSharing(D("1.5")))

    @given(
        st.integers(0, 60),
        st.decimals(D("0"), D("1"), places=2),
        st.decimals(D("0"), D("5000"), places=2),
    )
    def test_payer_and_patient_add_up_to_the_allowed_amount(self, n, coinsurance, deductible):
        cost = course_cost(HOPD, n, CostSharing(coinsurance, deductible))
        assert cost.payer_pays + cost.patient_pays == cost.allowed
        assert cost.payer_pays >= 0
