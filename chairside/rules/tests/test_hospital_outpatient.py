"""Which claim a site makes, PO/PN on off-campus lines, and the professional-claim guard."""

from __future__ import annotations

import datetime as dt

import pytest

from chairside.rules.billing.charges import ClaimLine
from chairside.rules.billing.hospital_outpatient import (
    INSTITUTIONAL,
    PROFESSIONAL,
    claim_form_for_site,
    department_modifier,
    professional_claim_problem,
    with_department_modifier,
)

DAY = dt.date(2026, 3, 10)


def line(code: str, kind: str = "administration", pos: str = "19", mods: tuple[str, ...] = ()):
    return ClaimLine(kind, code, 1, mods, (1,), pos, DAY, code)


class TestClaimForm:
    @pytest.mark.parametrize("site", ["hospital_on_campus", "hospital_off_campus"])
    def test_it_bills_a_hospital_department_on_the_institutional_claim(self, site: str) -> None:
        assert claim_form_for_site(site) == INSTITUTIONAL

    @pytest.mark.parametrize("site", ["office", "home", "independent_clinic"])
    def test_it_bills_other_sites_on_the_professional_claim(self, site: str) -> None:
        assert claim_form_for_site(site) == PROFESSIONAL

    def test_it_rejects_an_unknown_site_type(self) -> None:
        with pytest.raises(ValueError, match="Unknown site type"):
            claim_form_for_site("hospital")


class TestDepartmentModifier:
    def test_it_gives_po_to_an_excepted_and_pn_to_a_non_excepted_department(self) -> None:
        assert department_modifier("hospital_off_campus", "excepted") == "PO"
        assert department_modifier("hospital_off_campus", "non_excepted") == "PN"

    def test_it_gives_none_on_campus_or_when_unset(self) -> None:
        assert department_modifier("hospital_on_campus", "excepted") is None
        assert department_modifier("hospital_off_campus", "") is None
        assert department_modifier("office", "non_excepted") is None

    def test_it_adds_the_modifier_to_every_line_after_the_lines_own(self) -> None:
        lines = [line("96413"), line("J1745", "drug", mods=("JW",))]
        marked = with_department_modifier(lines, "PO")
        assert [x.modifiers for x in marked] == [("PO",), ("JW", "PO")]
        assert with_department_modifier(marked, "PO") == marked  # not twice
        assert with_department_modifier(lines, None) == lines

    def test_it_refuses_a_fifth_modifier(self) -> None:
        with pytest.raises(ValueError, match="four modifiers"):
            with_department_modifier([line("96413", mods=("XU", "59", "GA", "KX"))], "PN")


class TestProfessionalClaimGuard:
    @pytest.mark.parametrize("pos", ["19", "22"])
    def test_it_refuses_drug_and_administration_at_a_hospital_department(self, pos: str) -> None:
        problem = professional_claim_problem([line("96413", pos=pos), line("J1745", "drug", pos)])
        assert problem is not None and "institutional claim" in problem
        assert "96413, J1745" in problem

    def test_it_lets_office_lines_through(self) -> None:
        assert professional_claim_problem([line("96413", pos="11")]) is None
