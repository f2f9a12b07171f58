"""The 837I writer (hospital outpatient facility claim), checked by pyx12's 005010X223A2 map."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from chairside.rules.billing.charges import (
    ClaimLine,
    EncounterFacts,
    Person,
    Provider,
    derive_claim_lines,
)
from chairside.rules.billing.x12.x12_837i import (
    CLAIM_FILING_837I,
    InstitutionalClaim,
    InstitutionalInterchange,
    institutional_lines,
    revenue_code,
    write_837i,
)
from chairside.rules.billing.x12.x12_837p import BillingProvider, OtherPayer, Party
from chairside.rules.billing.x12.x12_validate import validate_x12
from chairside.rules.tests.billing_examples import MEDICARE, MEDIGAP, TZ, infliximab_visit

HOSPITAL = BillingProvider(
    "Riverside General Hospital Outpatient Infusion",
    "1234567893",
    "12-3456789",
    "200 Hospital Drive",
    "Riverside",
    "PA",
    "19000-1234",
)
ATTENDING = Provider("1902847312", "Marsh", "Elena", "MD")  # made up, check digit valid
CHARGES = {"96413": Decimal("450.00"), "96415": Decimal("95.00"), "J1745": Decimal("77.00")}


def facility_visit(**changes: Any) -> EncounterFacts:
    return infliximab_visit(place_of_service="22", **changes)


def claim(facts=None, **changes: Any) -> InstitutionalClaim:
    facts = facts or facility_visit()
    lines = institutional_lines(derive_claim_lines(facts), CHARGES, control_prefix="L")
    base = InstitutionalClaim(
        "H000001", facts, 0, CLAIM_FILING_837I["medicare_b"], lines, ATTENDING
    )
    return replace(base, **changes)


def interchange(*claims: InstitutionalClaim) -> InstitutionalInterchange:
    return InstitutionalInterchange(
        sender=Party("Riverside General", "RIVERGEN01", "Nina Alvarez", "555-010-2000"),
        receiver=Party("Demo Clearinghouse", "DEMOCH"),
        billing_provider=HOSPITAL,
        control_number=77,
        created_at=dt.datetime(2026, 3, 11, 9, 30, tzinfo=TZ),
        claims=claims,
    )


class TestWrite837I:
    def test_it_writes_a_facility_claim_pyx12_accepts(self) -> None:
        text = write_837i(interchange(claim()))
        assert validate_x12(text) == []
        assert "GS*HC*RIVERGEN01*DEMOCH*20260311*0930*77*X*005010X223A2~" in text

    def test_it_writes_type_of_bill_statement_dates_and_revenue_coded_lines(self) -> None:
        text = write_837i(interchange(claim()))
        # 450 + 95 + 35 x 77 (350 mg given) + 5 x 77 (50 mg discarded, JW)
        assert "CLM*H000001*3625***13:A:1**A*Y*Y~" in text
        assert "DTP*434*RD8*20260310-20260310~" in text
        assert "CL1**2*01~" in text
        assert "SBR*P*18*******MA~" in text
        assert "HI*ABK:K5090~" in text
        assert "NM1*71*1*MARSH*ELENA****XX*1902847312~" in text
        assert "SV2*0335*HC:96413*450*UN*1~" in text
        assert "SV2*0636*HC:J1745*2695*UN*35~" in text
        assert "SV2*0636*HC:J1745:JW*385*UN*5~" in text
        assert "LIN**N4*57894003001~\nCTP****0.5*UN~" in text

    def test_the_se_count_matches_the_segments(self) -> None:
        lines = write_837i(interchange(claim())).splitlines()
        st = lines.index("ST*837*0001*005010X223A2~")
        se = next(i for i, line in enumerate(lines) if line.startswith("SE*"))
        assert lines[se] == f"SE*{se - st + 1}*0001~"

    def test_a_replacement_names_the_original_and_carries_frequency_7(self) -> None:
        text = write_837i(interchange(claim(frequency_code="7", original_reference="ICN123")))
        assert validate_x12(text) == []
        assert "13:A:7" in text and "REF*F8*ICN123~" in text
        assert claim(frequency_code="7").type_of_bill == "0137"

    def test_a_dependant_secondary_claim_with_value_and_condition_codes_validates(self) -> None:
        spouse = Person(
            "Doe",
            "John",
            dt.date(1950, 5, 5),
            "M",
            address_line1="12 Elm Street",
            city="Riverside",
            state="PA",
            postal_code="19000",
        )
        facts = facility_visit(
            coverages=(MEDICARE, replace(MEDIGAP, relationship="spouse", subscriber=spouse)),
            diagnoses=("K50.90", "D50.9"),
        )
        primary_paid = OtherPayer(
            facts.coverages[0], "P", "MA", Decimal("100"), facts.date_of_service
        )
        text = write_837i(
            interchange(
                claim(
                    facts,
                    coverage_index=1,
                    claim_filing="CI",
                    other_payers=(primary_paid,),
                    value_codes=(("A1", Decimal("250")),),
                    condition_codes=("B4",),
                )
            )
        )
        assert validate_x12(text) == []
        assert "PAT*01~" in text and "HI*ABF:D509~" in text
        assert "HI*BE:A1:::250~" in text and "HI*BG:B4~" in text

    def test_what_cannot_be_written_is_refused(self) -> None:
        with pytest.raises(ValueError, match="attending"):
            write_837i(interchange(claim(attending=None)))
        with pytest.raises(ValueError, match="original claim"):
            write_837i(interchange(claim(frequency_code="8")))
        with pytest.raises(ValueError, match="no lines"):
            write_837i(interchange(claim(lines=())))


def _line(code: str, kind: str = "admin") -> ClaimLine:
    return ClaimLine(kind, code, 1, (), (1,), "22", dt.date(2026, 3, 10), code)


class TestRevenueCode:
    @pytest.mark.parametrize(
        ("code", "kind", "expected"),
        [
            ("J1745", "drug", "0636"),
            ("96413", "admin", "0335"),
            ("96415", "admin", "0335"),
            ("96401", "admin", "0331"),
            ("96365", "admin", "0260"),
            ("96376", "admin", "0260"),
            ("96372", "admin", "0510"),
        ],
    )
    def test_each_line_gets_its_cost_center(self, code: str, kind: str, expected: str) -> None:
        assert revenue_code(_line(code, kind)) == expected

    def test_the_hospitals_chargemaster_overrides_and_unknown_codes_are_refused(self) -> None:
        assert revenue_code(_line("96372"), {"96372": "0761"}) == "0761"
        with pytest.raises(ValueError, match="99213"):
            revenue_code(_line("99213"))
