from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from chairside.rules.clinical.double_check import Cosigner, checker_needs, cosigner_problem
from chairside.rules.scheduling.booking import Competence

DAY = date(2026, 12, 8)
MARIA = Cosigner(
    name="Maria Santos, RN",
    credential="RN",
    competencies=(Competence("bls", date(2027, 6, 30)), Competence("chemo_biologic")),
    on_shift=True,
    is_device_user=False,
    is_preparer=False,
)
CHEMO = checker_needs("chemo", "RN")


class TestCosigner:
    def test_a_licensed_colleague_on_shift_with_current_skills_may_check(self):
        assert cosigner_problem(MARIA, CHEMO, DAY) is None

    def test_the_person_at_the_device_cannot_check_her_own_work(self):
        problem = cosigner_problem(replace(MARIA, is_device_user=True), CHEMO, DAY)
        assert problem is not None and "another person" in problem

    def test_the_preparer_cannot_check(self):
        problem = cosigner_problem(replace(MARIA, is_preparer=True), CHEMO, DAY)
        assert problem is not None and "prepared the dose" in problem

    def test_a_lapsed_bls_refuses_the_check(self):
        lapsed = replace(
            MARIA,
            competencies=(Competence("bls", date(2026, 12, 7)), Competence("chemo_biologic")),
        )
        problem = cosigner_problem(lapsed, CHEMO, DAY)
        assert problem == (
            "Maria Santos, RN: Basic life support (BLS) expired 12/07/2026; "
            "she cannot co-sign until it is renewed."
        )

    def test_bls_is_valid_through_its_expiry_day(self):
        last_day = replace(
            MARIA, competencies=(Competence("bls", DAY), Competence("chemo_biologic"))
        )
        assert cosigner_problem(last_day, CHEMO, DAY) is None

    def test_a_biologic_needs_the_chemo_biologic_competency(self):
        bls_only = replace(MARIA, competencies=(Competence("bls"),))
        assert cosigner_problem(bls_only, checker_needs("therapeutic", "RN"), DAY) is None
        problem = cosigner_problem(bls_only, CHEMO, DAY)
        assert problem is not None and "no Chemotherapy / biologic administration" in problem

    def test_a_pharmacist_needs_sterile_compounding_not_the_nursing_skill(self):
        assert checker_needs("chemo", "PharmD") == ("bls", "usp797")
        pharmacist = replace(MARIA, credential="PharmD", competencies=(Competence("bls"),))
        problem = cosigner_problem(pharmacist, checker_needs("chemo", "PharmD"), DAY)
        assert problem is not None and "Sterile compounding (USP <797>)" in problem

    def test_someone_off_the_rota_cannot_check(self):
        problem = cosigner_problem(replace(MARIA, on_shift=False), CHEMO, DAY)
        assert problem is not None and "not on the rota" in problem

    @pytest.mark.parametrize("credential", ["MA", "CPhT", ""])
    def test_an_unlicensed_person_cannot_check(self, credential):
        problem = cosigner_problem(replace(MARIA, credential=credential), CHEMO, DAY)
        assert problem is not None and "not licensed" in problem
