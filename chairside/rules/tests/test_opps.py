"""OPPS estimate: K drugs at ASP + 6 %, N packaged, administration at its APC, PN at 40 %."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chairside.rules.billing.charges import ClaimLine
from chairside.rules.billing.opps import OppsRate, estimate_total, opps_estimate, parse_addendum_b

D = Decimal
DAY = dt.date(2026, 3, 10)

# Made-up figures in Addendum B's layout (title lines first, as CMS publishes it).
CSV = (
    b"Addendum B.-Final OPPS Payment by HCPCS Code (test figures),,,,,\n"
    b",,,,,\n"
    b"HCPCS Code,Short Descriptor,SI,APC,Relative Weight,Payment Rate\n"
    b"96413,Chemo iv infusion 1 hr,S,5694,3.1,$310.00\n"
    b"96415,Chemo iv infusion addl hr,N,,,\n"
    b'J1745,Infliximab not biosimil 10mg,K,9999,,"$1,040.00"\n'
    b"J1200,Diphenhydramine injection,N,,,\n"
    b"96372,Ther/proph/diag inj sc/im,Q1,5692,,60.00\n"
)


def line(code: str, units: int = 1, kind: str = "administration", mods=()) -> ClaimLine:
    return ClaimLine(kind, code, units, tuple(mods), (1,), "19", DAY, code)


def rates() -> dict[str, OppsRate]:
    return {r.hcpcs: r for r in parse_addendum_b(CSV)}


class TestParseAddendumB:
    def test_it_reads_code_status_apc_and_rate_past_the_title_lines(self) -> None:
        parsed = rates()
        assert parsed["96413"] == OppsRate(
            "96413", "S", "5694", D("310.00"), "Chemo iv infusion 1 hr"
        )
        assert parsed["J1745"].payment_rate == D("1040.00")
        assert parsed["96415"].payment_rate is None

    def test_it_refuses_a_file_that_is_not_addendum_b(self) -> None:
        with pytest.raises(ValueError, match="Addendum B"):
            parse_addendum_b(b"HCPCS Code,Short Description,Payment Limit\nJ1745,x,38.5\n")

    def test_it_names_the_row_of_a_bad_rate(self) -> None:
        with pytest.raises(ValueError, match="row 4"):
            parse_addendum_b(CSV.replace(b"$310.00", b"lots"))


class TestOppsEstimate:
    def test_it_pays_k_drugs_at_the_asp_limit_packages_n_and_pays_the_apc(self) -> None:
        lines = [
            line("96413", mods=("PO",)),
            line("96415", mods=("PO",)),
            line("J1745", 35, "drug", ("PO",)),
            line("J1745", 5, "drug", ("JW", "PO")),
            line("J1200", 1, "drug"),
        ]
        found = opps_estimate(lines, rates(), {"J1745": D("38.500")})
        assert [(e.status_indicator, e.amount) for e in found] == [
            ("S", D("310.00")),
            ("N", D("0")),
            ("K", D("1347.50")),  # 35 × 38.50: the ASP file's limit is ASP + 6 %
            ("K", D("192.50")),
            ("N", D("0")),
        ]
        assert found[1].packaged and found[4].packaged and not found[0].packaged
        assert estimate_total(found) == D("1850.00")

    def test_it_falls_back_to_the_opps_drug_rate_without_an_asp_limit(self) -> None:
        [found] = opps_estimate([line("J1745", 2, "drug")], rates(), {})
        assert found.amount == D("2080.00") and "OPPS drug rate" in found.basis

    def test_a_non_excepted_department_is_paid_40_percent_of_the_apc_but_drugs_in_full(
        self,
    ) -> None:
        found = opps_estimate(
            [line("96413", mods=("PN",)), line("J1745", 10, "drug", ("PN",))],
            rates(),
            {"J1745": D("38.500")},
        )
        assert [e.amount for e in found] == [D("124.00"), D("385.00")]

    def test_q1_is_packaged_beside_an_s_line_and_paid_alone(self) -> None:
        beside = opps_estimate([line("96413"), line("96372")], rates(), {})
        alone = opps_estimate([line("96372")], rates(), {})
        assert beside[1].packaged and alone[0].amount == D("60.00")

    def test_it_names_a_code_the_file_does_not_have(self) -> None:
        [found] = opps_estimate([line("96365")], rates(), {})
        assert found.amount is None and "Not in the imported OPPS file" in found.basis
