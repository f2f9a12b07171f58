from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.admin_codes import Administration
from chairside.rules.charges import (
    ClaimLine,
    CoverageFacts,
    DrugGiven,
    EncounterFacts,
    Person,
    Provider,
    claim_diagnoses,
    derive_claim_lines,
    facts_from_dict,
    facts_to_dict,
)

TZ = ZoneInfo("America/New_York")
DAY = dt.date(2026, 3, 10)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 10, hour, minute, tzinfo=TZ)


def infliximab(**kw: object) -> DrugGiven:
    base = DrugGiven(
        drug_name="infliximab",
        hcpcs="J1745",
        billing_unit_mg=Decimal(10),
        dose_mg=Decimal(350),
        opened_mg=Decimal(400),
        ndc11="57894003001",
        ndc_quantity=Decimal(4),
        ndc_unit="UN",
        drug_key="infliximab",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def facts(**kw: object) -> EncounterFacts:
    base = EncounterFacts(
        encounter_ref="visit-1",
        date_of_service=DAY,
        place_of_service="11",
        patient=Person("Doe", "Jane", dt.date(1960, 2, 1), "F", city="Albany", state="NY"),
        account_number="MRN1",
        coverages=(CoverageFacts("p1", "Medicare Part B", "12345", "1EG4TE5MK72"),),
        diagnoses=("K50.90",),
        rendering_provider=Provider("1234567893", "Smith", "Ann", "MD"),
        referring_provider=Provider("1245319599", "Jones", "Bob", "MD"),
        administrations=(Administration("chemo", "infusion", at(9), at(11, 10), "infliximab"),),
        drugs=(infliximab(),),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def summary(lines: list[ClaimLine]) -> list[tuple[str, int, str]]:
    return [(line.code, line.units, line.modifier_text) for line in lines]


class TestDeriveClaimLines:
    def test_it_bills_an_infliximab_infusion_with_its_discard(self):
        """350 mg from four 100 mg vials over 2 h 10 min: 96413 + one added hour (more than
        30 minutes past the first hour), J1745 x35 and the 50 mg discarded as J1745-JW x5
        (Noridian JE "Drug Wastage - JW and JZ Modifiers" example)."""
        lines = derive_claim_lines(facts())
        assert summary(lines) == [
            ("96413", 1, ""),
            ("96415", 1, ""),
            ("J1745", 35, ""),
            ("J1745", 5, "JW"),
        ]
        assert all(line.diagnosis_pointers == (1,) for line in lines)
        assert all(line.place_of_service == "11" for line in lines)
        assert all(line.date_of_service == DAY for line in lines)

    def test_it_splits_the_ndc_quantity_between_the_given_and_discarded_lines(self):
        lines = derive_claim_lines(facts())
        assert lines[2].ndc == "N457894003001UN3.5"
        assert lines[3].ndc == "N457894003001UN0.5"
        assert lines[2].ndc11 == "57894003001"
        assert lines[2].ndc_unit == "UN"
        assert lines[2].ndc_quantity is not None and lines[3].ndc_quantity is not None
        assert lines[2].ndc_quantity + lines[3].ndc_quantity == Decimal(4)
        assert lines[0].ndc is None  # administration lines carry no NDC

    def test_it_puts_jz_on_the_only_line_when_nothing_was_discarded(self):
        drug = infliximab(dose_mg=Decimal(400))
        lines = derive_claim_lines(facts(drugs=(drug,)))
        assert summary(lines)[2:] == [("J1745", 40, "JZ")]
        assert lines[2].ndc == "N457894003001UN4"

    def test_it_bills_no_drug_line_for_a_white_bagged_drug(self):
        """The specialty pharmacy that furnished the drug bills it; the center bills only the
        administration (CMS Pub. 100-04 ch. 17 §40)."""
        lines = derive_claim_lines(facts(drugs=(infliximab(center_supplied=False),)))
        assert summary(lines) == [("96413", 1, ""), ("96415", 1, "")]

    def test_it_puts_no_jw_or_jz_on_a_multiple_dose_container(self):
        drug = infliximab(single_dose=False, dose_mg=Decimal(355))
        lines = derive_claim_lines(facts(drugs=(drug,)))
        assert summary(lines)[2:] == [("J1745", 36, "")]

    def test_it_leaves_the_ndc_off_when_it_was_not_recorded(self):
        lines = derive_claim_lines(facts(drugs=(infliximab(ndc11=""),)))
        assert [line.ndc for line in lines[2:]] == [None, None]

    def test_it_points_each_drug_line_at_its_own_diagnoses(self):
        dx = ("M05.79", "K50.90", "Z79.899")
        drug = infliximab(diagnoses=("K50.90",))
        lines = derive_claim_lines(facts(diagnoses=dx, drugs=(drug,)))
        assert {line.diagnosis_pointers for line in lines} == {(2,)}

    def test_it_points_at_most_four_diagnoses_per_line(self):
        dx = tuple(f"M05.{n}" for n in range(10, 16))
        lines = derive_claim_lines(facts(diagnoses=dx))
        assert all(line.diagnosis_pointers == (1, 2, 3, 4) for line in lines)

    def test_it_bills_only_administration_for_hydration_alone(self):
        items = (Administration("hydration", "infusion", at(9), at(10)),)
        lines = derive_claim_lines(facts(administrations=items, drugs=()))
        assert summary(lines) == [("96360", 1, "")]

    def test_it_derives_nothing_from_an_empty_encounter(self):
        assert derive_claim_lines(facts(administrations=(), drugs=())) == []

    def test_it_bills_a_subcutaneous_injection_with_its_drug(self):
        """Ocrelizumab is IV; a denosumab-like SC injection: 96372 x1 and the drug JZ."""
        items = (Administration("therapeutic", "subcutaneous", at(9), at(9, 5)),)
        drug = DrugGiven(
            "denosumab",
            "J0897",
            Decimal(1),
            Decimal(60),
            Decimal(60),
            ndc11="55513-0710-01",
            ndc_quantity=Decimal(1),
        )
        lines = derive_claim_lines(facts(administrations=items, drugs=(drug,)))
        assert summary(lines) == [("96372", 1, ""), ("J0897", 60, "JZ")]
        assert lines[1].ndc == "N455513071001UN1"


class TestMalformedFacts:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"place_of_service": "Office"}, "place of service"),
            ({"date_of_service": dt.datetime(2026, 3, 10, tzinfo=TZ)}, "not a datetime"),
            ({"drugs": (infliximab(ndc_unit="VIAL"),)}, "NDC unit"),
            ({"drugs": (infliximab(hcpcs="1745"),)}, "HCPCS code"),
            ({"drugs": (infliximab(opened_mg=Decimal(300)),)}, "less than dose_mg"),
            ({"drugs": (infliximab(ndc11="5789400300"),)}, "ambiguous"),
            ({"drugs": (infliximab(dose_mg=350),)}, "finite Decimal"),
        ],
    )
    def test_it_rejects_a_malformed_fact_with_a_clear_message(self, change, message):
        with pytest.raises(ValueError, match=message):
            derive_claim_lines(facts(**change))

    def test_it_rejects_an_unknown_relationship(self):
        coverage = CoverageFacts("p1", "X", "1", "M1", relationship="cousin")
        with pytest.raises(ValueError, match="relationship"):
            derive_claim_lines(facts(coverages=(coverage,)))


class TestClaimDiagnoses:
    def test_it_keeps_twelve_distinct_codes_in_order(self):
        dx = ("k50.90", "K50.90", *[f"M05.{n}" for n in range(10, 25)])
        kept = claim_diagnoses(facts(diagnoses=dx))
        assert kept[0] == "K50.90"
        assert len(kept) == 12


class TestFactsJson:
    def test_it_reads_back_what_it_wrote(self):
        subscriber = Person("Doe", "John", dt.date(1958, 1, 1), "M")
        coverage = CoverageFacts("p2", "Aetna", "60054", "W1", relationship="spouse")
        original = facts(
            coverages=(facts().coverages[0], replace(coverage, subscriber=subscriber)),
            supervising_provider=Provider("1234567893", "Smith"),
            prior_authorization="PA123",
        )
        text = json.dumps(facts_to_dict(original))
        assert facts_from_dict(json.loads(text)) == original

    def test_it_rejects_a_malformed_dict(self):
        with pytest.raises(ValueError, match="malformed"):
            facts_from_dict({"encounter_ref": "x"})

    @given(
        dose=st.integers(min_value=1, max_value=2000),
        extra=st.integers(min_value=0, max_value=500),
        unit=st.sampled_from([Decimal(1), Decimal(10), Decimal(100)]),
    )
    def test_it_never_bills_more_than_was_opened(self, dose, extra, unit):
        drug = infliximab(
            dose_mg=Decimal(dose), opened_mg=Decimal(dose + extra), billing_unit_mg=unit
        )
        lines = [line for line in derive_claim_lines(facts(drugs=(drug,))) if line.kind == "drug"]
        billed_mg = sum(line.units for line in lines) * unit
        # The administered line rounds up by less than one unit; JW never adds beyond that.
        assert Decimal(dose) <= billed_mg < Decimal(dose + extra) + unit
        assert sum(line.ndc_quantity or 0 for line in lines) == pytest.approx(4, abs=0.002)
