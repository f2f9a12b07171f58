from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.billing.reimbursement import (
    ContractTerms,
    DrugTerms,
    Expected,
    expected_line,
    secondary_share,
)

D = Decimal

MEDICARE = ContractTerms("medicare_b", admin_fees={"96413": D("150.00")})
COMMERCIAL = ContractTerms(
    "commercial",
    drug_default=DrugTerms("asp", D(120)),
    drug_overrides={"J3262": DrugTerms("fixed", rate=D("4.00")), "J0490": DrugTerms("wac", D(95))},
    admin_fees={"96413": D("210.00")},
    patient_share_percent=D(10),
)


class TestExpectedLine:
    def test_it_pays_medicare_the_payment_limit_80_percent_less_sequestration(self):
        """Limit 38.50 x 35 units = 1347.50 allowed; Medicare 1347.50 x 0.8 x 0.98 = 1056.44;
        the patient 20% = 269.50 (rules.payment.medicare_part_b)."""
        got = expected_line(MEDICARE, kind="drug", code="J1745", units=35, asp_limit=D("38.50"))
        assert got == Expected(D("1347.50"), D("1056.44"), D("269.50"))

    def test_it_pays_the_medicare_administration_fee_the_same_way(self):
        got = expected_line(MEDICARE, kind="administration", code="96413", units=1)
        assert got == Expected(D("150.00"), D("117.60"), D("30.00"))

    def test_it_pays_a_percent_of_asp_with_coinsurance(self):
        got = expected_line(COMMERCIAL, kind="drug", code="J1745", units=35, asp_limit=D("38.50"))
        assert got == Expected(D("1617.00"), D("1455.30"), D("161.70"))

    def test_it_pays_a_fixed_rate_or_a_percent_of_wac(self):
        fixed = expected_line(COMMERCIAL, kind="drug", code="J3262", units=400, asp_limit=D(9))
        wac = expected_line(COMMERCIAL, kind="drug", code="J0490", units=10, wac=D("41.00"))
        assert fixed == Expected(D("1600.00"), D("1440.00"), D("160.00"))
        assert wac == Expected(D("389.50"), D("350.55"), D("38.95"))

    def test_it_returns_none_when_the_price_is_not_on_file(self):
        assert expected_line(COMMERCIAL, kind="drug", code="J1745", units=1) is None
        assert expected_line(COMMERCIAL, kind="administration", code="96415", units=1) is None

    def test_it_rejects_bad_terms(self):
        with pytest.raises(ValueError, match="asp, wac or fixed"):
            DrugTerms("awp")
        with pytest.raises(ValueError, match="fixed drug rate"):
            DrugTerms("fixed")
        with pytest.raises(ValueError, match="units"):
            expected_line(MEDICARE, kind="drug", code="J1745", units=-1, asp_limit=D(1))

    @given(
        limit=st.decimals(min_value=0, max_value=5000, places=3),
        units=st.integers(min_value=0, max_value=2000),
        share=st.integers(min_value=0, max_value=100),
    )
    def test_it_never_splits_more_than_was_allowed(self, limit, units, share):
        terms = ContractTerms("commercial", patient_share_percent=D(share))
        got = expected_line(terms, kind="drug", code="J1745", units=units, asp_limit=limit)
        assert got is not None
        assert got.payer + got.patient == got.allowed
        assert got.allowed == got.allowed.quantize(D("0.01"))


class TestSecondaryShare:
    def test_it_covers_the_medicare_coinsurance_in_full(self):
        primary = Expected(D("1347.50"), D("1056.44"), D("269.50"))
        medigap = ContractTerms("commercial")
        assert secondary_share(primary, medigap) == Expected(D("269.50"), D("269.50"), D(0))

    def test_it_leaves_the_patient_share_without_a_secondary(self):
        primary = Expected(D(100), D(80), D(20))
        assert secondary_share(primary, None) == Expected(D(20), D(0), D(20))
