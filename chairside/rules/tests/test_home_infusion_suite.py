"""Suite (ambulatory infusion suite) visits: the per diem with SS at the payer's suite place
of service, the suite nurse billed or included by the payer's terms, Medicare refusing
suite visits, home days untouched."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chairside.rules.billing.home_infusion_billing import HomeDrug, HomeTherapy, NursingVisit
from chairside.rules.billing.home_infusion_suite import (
    NURSING_BILLED,
    SuiteTerms,
    propose_claim_with_suite,
)

D1 = dt.date(2026, 3, 2)
D2, D3 = D1 + dt.timedelta(days=1), D1 + dt.timedelta(days=2)
MICAFUNGIN = HomeDrug("J2248", "Micafungin 100 mg", 100, "63323-728-10", Decimal(2), "UN")
THERAPY = HomeTherapy("anti_infective", drug=MICAFUNGIN, every_hours=24)
HOME_VISIT = NursingVisit(D1, 90)
SUITE_VISIT = NursingVisit(D2, 200, in_home=False)


def lines(terms: SuiteTerms | None = None, payer: str = "commercial") -> list[tuple[object, ...]]:
    proposed = propose_claim_with_suite(
        payer_category=payer,
        therapy=THERAPY,
        therapy_days=[D1, D2, D3],
        visits=[HOME_VISIT, SUITE_VISIT],
        terms=terms or SuiteTerms(),
    )
    return [
        (x.date_of_service, x.code, x.units, x.modifiers, x.place_of_service)
        for x in sorted(proposed.lines, key=lambda line: line.date_of_service)
    ]


def test_a_suite_day_bills_the_per_diem_with_ss_at_pos_49_and_the_nurse_inside_it() -> None:
    assert lines() == [
        (D1, "S9500", 1, (), "12"),
        (D1, "J2248", 100, (), "12"),
        (D1, "99601", 1, (), "12"),
        (D2, "S9500", 1, ("SS",), "49"),
        (D2, "J2248", 100, (), "49"),
        (D3, "S9500", 1, (), "12"),
        (D3, "J2248", 100, (), "12"),
    ]


def test_it_says_why_the_suite_nurse_is_not_billed() -> None:
    proposed = propose_claim_with_suite(
        payer_category="medicaid", therapy=THERAPY, therapy_days=[D2], visits=[SUITE_VISIT]
    )
    assert any("included in the per diem" in note for note in proposed.refused)


def test_a_payer_that_pays_the_suite_nurse_gets_99601_and_99602_with_ss() -> None:
    billed = lines(SuiteTerms(place_of_service="11", nursing=NURSING_BILLED))
    suite = [row for row in billed if row[0] == D2]
    assert suite == [
        (D2, "S9500", 1, ("SS",), "11"),
        (D2, "J2248", 100, (), "11"),
        (D2, "99601", 1, ("SS",), "11"),
        (D2, "99602", 1, ("SS",), "11"),  # 200 min: 2 h + 80 min past the mid-point
    ]


def test_an_unsigned_suite_visit_is_not_billed_and_its_day_stays_home() -> None:
    proposed = propose_claim_with_suite(
        payer_category="commercial",
        therapy=THERAPY,
        therapy_days=[D2],
        visits=[NursingVisit(D2, 60, signed=False, in_home=False)],
        terms=SuiteTerms(nursing=NURSING_BILLED),
    )
    assert [(x.code, x.place_of_service) for x in proposed.lines] == [
        ("S9500", "12"),
        ("J2248", "12"),
    ]
    assert any("not signed" in note for note in proposed.refused)


def test_medicare_never_pays_a_suite_visit_as_hit() -> None:
    ivig = HomeTherapy("immunotherapy", hit_category=2, via_dme_pump=True)
    proposed = propose_claim_with_suite(
        payer_category="medicare_b",
        therapy=ivig,
        therapy_days=[D1, D2],
        visits=[HOME_VISIT, SUITE_VISIT],
    )
    assert [x.date_of_service for x in proposed.lines] == [D1]
    assert any("not in the patient's home" in note for note in proposed.refused)


@pytest.mark.parametrize(
    ("pos", "nursing"), [("21", "included"), ("49", "sometimes"), ("", "billed")]
)
def test_it_refuses_terms_it_does_not_know(pos: str, nursing: str) -> None:
    with pytest.raises(ValueError, match="suite"):
        SuiteTerms(place_of_service=pos, nursing=nursing)
