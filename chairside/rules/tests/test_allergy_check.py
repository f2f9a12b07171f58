from __future__ import annotations

from chairside.rules.clinical.allergy_check import allergy_conflicts, code_substance, matches

INFLIXIMAB = ("infliximab", ("Remicade",))


class TestAllergyCheck:
    def test_an_allergy_to_todays_drug_refuses_it(self):
        (conflict,) = allergy_conflicts(["Remicade"], INFLIXIMAB)
        assert conflict.refuse and conflict.drug == "infliximab"
        assert "do not give it" in conflict.message

    def test_an_allergy_to_a_premedication_warns(self):
        (conflict,) = allergy_conflicts(
            ["Diphenhydramine"], INFLIXIMAB, ["Diphenhydramine 25 mg PO 30 min before"]
        )
        assert not conflict.refuse
        assert "ask the provider" in conflict.message

    def test_unrelated_allergies_raise_nothing(self):
        assert allergy_conflicts(["Penicillin", "Shellfish"], INFLIXIMAB, ["Acetaminophen"]) == []

    def test_short_words_do_not_match(self):
        assert not matches("IV", ["IV iron sucrose"])

    def test_a_typed_brand_is_coded_to_the_formulary_generic(self):
        formulary = {"infliximab": ["Remicade"], "iron sucrose": ["Venofer"]}
        assert code_substance("remicade", formulary) == "infliximab"
        assert code_substance("Venofer (iron)", formulary) == "iron sucrose"
        assert code_substance("latex", formulary) is None
