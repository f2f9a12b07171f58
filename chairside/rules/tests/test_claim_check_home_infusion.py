"""The claim check's home infusion section: plan of care, visit notes, delivery proof, HIT."""

from __future__ import annotations

import datetime as dt

from chairside.rules.billing.claim_check import HomeInfusionCheck, check_home_infusion, hit_notes
from chairside.rules.billing.home_infusion_billing import (
    COMMERCIAL,
    MEDICARE_B,
    HomeTherapy,
    NursingVisit,
    propose_home_claim_lines,
)

D1 = dt.date(2026, 11, 2)
D2, D3 = D1 + dt.timedelta(days=1), D1 + dt.timedelta(days=2)
ANTIBIOTIC = HomeTherapy("anti_infective", every_hours=24)
IG = HomeTherapy("immunotherapy", hit_category=2, via_dme_pump=True)


def commercial_lines():
    return propose_home_claim_lines(
        payer_category=COMMERCIAL,
        therapy=ANTIBIOTIC,
        therapy_days=[D1, D2, D3],
        visits=[NursingVisit(D1, 150), NursingVisit(D3, 60)],
    ).lines


def codes(problems):
    return [p.code for p in problems]


class TestCommercial:
    def test_a_documented_claim_has_no_problem(self) -> None:
        home = HomeInfusionCheck(COMMERCIAL, D1, frozenset({D1, D3}))
        assert check_home_infusion(commercial_lines(), home) == []

    def test_it_names_the_unsigned_plan_of_care(self) -> None:
        home = HomeInfusionCheck(COMMERCIAL, None, frozenset({D1, D3}))
        assert codes(check_home_infusion(commercial_lines(), home)) == ["plan_of_care"]

    def test_it_names_the_nursing_days_without_a_signed_visit(self) -> None:
        home = HomeInfusionCheck(COMMERCIAL, D1, frozenset({D1}))
        (problem,) = check_home_infusion(commercial_lines(), home)
        assert problem.code == "home_visit_note"
        assert "11/04/2026" in problem.message and "11/02/2026" not in problem.message

    def test_it_names_the_delivery_without_proof_once_with_its_days(self) -> None:
        home = HomeInfusionCheck(
            COMMERCIAL, D1, frozenset({D1, D3}), undelivered_days={D2: D2, D3: D2}
        )
        (problem,) = check_home_infusion(commercial_lines(), home)
        assert problem.code == "delivery_proof"
        assert "delivery of 11/03/2026" in problem.message
        assert "11/03, 11/04" in problem.message


def hit_lines(*visits: NursingVisit, last=None, discharged=False):
    return propose_home_claim_lines(
        payer_category=MEDICARE_B,
        therapy=IG,
        therapy_days=[],
        visits=list(visits),
        last_hit_visit=last,
        discharged_since=discharged,
    ).lines


class TestMedicareHit:
    def test_a_first_visit_with_a_pump_is_clean(self) -> None:
        lines = hit_lines(NursingVisit(D1, 60), NursingVisit(D3, 60))
        home = HomeInfusionCheck(MEDICARE_B, D1, frozenset({D1, D3}), via_dme_pump=True)
        assert check_home_infusion(lines, home) == []

    def test_it_names_the_missing_dme_pump(self) -> None:
        lines = hit_lines(NursingVisit(D1, 60))
        home = HomeInfusionCheck(MEDICARE_B, D1, frozenset({D1}), via_dme_pump=False)
        assert codes(check_home_infusion(lines, home)) == ["hit_pump"]

    def test_it_names_an_initial_visit_within_60_days_of_the_last(self) -> None:
        # Lines proposed when no earlier visit was known; the check then learns of one.
        lines = hit_lines(NursingVisit(D1, 60))
        assert lines[0].code == "G0089"
        home = HomeInfusionCheck(
            MEDICARE_B,
            D1,
            frozenset({D1}),
            via_dme_pump=True,
            last_hit_visit=D1 - dt.timedelta(days=30),
            discharged_since=True,
        )
        (problem,) = check_home_infusion(lines, home)
        assert problem.code == "hit_initial"
        assert "more than 60 days" in problem.message

    def test_an_initial_visit_after_61_days_and_a_discharge_is_clean(self) -> None:
        lines = hit_lines(NursingVisit(D1, 60))
        home = HomeInfusionCheck(
            MEDICARE_B,
            D1,
            frozenset({D1}),
            via_dme_pump=True,
            last_hit_visit=D1 - dt.timedelta(days=61),
            discharged_since=True,
        )
        assert check_home_infusion(lines, home) == []


class TestOutsideSupplierHistory:
    """Another supplier's HIT visit in the patient's history (§320.8.3)."""

    def _home(self, gap: int, **kw) -> HomeInfusionCheck:
        return HomeInfusionCheck(
            MEDICARE_B,
            D1,
            frozenset({D1}),
            via_dme_pump=True,
            outside_last_visit=D1 - dt.timedelta(days=gap),
            outside_supplier="Acme Home Infusion (demo)",
            **kw,
        )

    def test_it_names_an_initial_code_within_60_days_of_the_other_supplier(self) -> None:
        lines = hit_lines(NursingVisit(D1, 60))  # proposed before the intake recorded it
        assert lines[0].code == "G0089"
        (problem,) = check_home_infusion(lines, self._home(60))
        assert problem.code == "hit_initial"
        assert "Acme Home Infusion (demo) on 09/03/2026, 60 days earlier" in problem.message
        assert "subsequent-visit code" in problem.message

    def test_an_initial_code_61_days_after_it_is_clean(self) -> None:
        lines = hit_lines(NursingVisit(D1, 60))
        assert check_home_infusion(lines, self._home(61)) == []
        assert hit_notes(lines, self._home(61)) == []

    def test_a_subsequent_code_because_of_it_is_explained_not_blocked(self) -> None:
        lines = propose_home_claim_lines(
            payer_category=MEDICARE_B,
            therapy=IG,
            therapy_days=[],
            visits=[NursingVisit(D1, 60)],
            outside_last_visit=D1 - dt.timedelta(days=45),
            outside_supplier="Acme Home Infusion (demo)",
        ).lines
        assert [x.code for x in lines] == ["G0069"]
        assert check_home_infusion(lines, self._home(45)) == []
        (note,) = hit_notes(lines, self._home(45))
        assert note.startswith("G0069 on 11/02/2026 is billed as a subsequent visit")
        assert "Acme Home Infusion (demo) was on 09/18/2026, 45 days earlier" in note

    def test_no_note_when_the_own_history_made_it_subsequent(self) -> None:
        lines = hit_lines(NursingVisit(D1, 60), last=D1 - dt.timedelta(days=10))
        home = self._home(45, last_hit_visit=D1 - dt.timedelta(days=10))
        assert hit_notes(lines, home) == []
