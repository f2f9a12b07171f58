from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.billing.admin_codes import Administration
from chairside.rules.billing.charges import (
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


def privigen(ndc: str, dose: int, opened: int, vials: int, ml: int) -> DrugGiven:
    return DrugGiven(
        drug_name="immune globulin (Privigen)",
        hcpcs="J1459",
        billing_unit_mg=Decimal(500),
        dose_mg=Decimal(dose),
        opened_mg=Decimal(opened),
        ndc11=ndc,
        ndc_quantity=Decimal(vials * ml),
        ndc_unit="ML",
        drug_key="ivig-privigen",
    )


class TestOneDrugAcrossPackages:
    """CMS JW/JZ FAQ: the discarded amount of a drug is reported once, on one JW line, and
    JZ only when nothing was discarded from any single-dose container; given rounded up and
    discarded rounded down once over the summed amounts (Pub. 100-04 ch. 17 §40/§70)."""

    def test_it_reports_one_jw_line_and_no_jz_for_a_dose_from_two_packages(self):
        # 44 g from one 20 g vial (all given) and three 10 g vials (24 g given, 6 g left).
        drugs = (
            privigen("44206043820", 20000, 20000, 1, 200),
            privigen("44206043710", 24000, 30000, 3, 100),
        )
        lines = derive_claim_lines(facts(drugs=drugs))
        drug_lines = [line for line in lines if line.kind == "drug"]
        assert summary(drug_lines) == [("J1459", 40, ""), ("J1459", 48, ""), ("J1459", 12, "JW")]
        assert [line.ndc11 for line in drug_lines] == ["44206043820", "44206043710", "44206043710"]
        assert sum(line.units for line in drug_lines if "JW" not in line.modifiers) == 88

    def test_it_rounds_the_summed_dose_once(self):
        # 100 mg + 100 mg given from two NDCs: 200 mg is one 500 mg unit rounded up once,
        # not one per package; the discarded 14.8 g is 29 JW units (rounded down once).
        drugs = (
            privigen("44206043605", 100, 5000, 1, 50),
            privigen("44206043710", 100, 10000, 1, 100),
        )
        lines = [line for line in derive_claim_lines(facts(drugs=drugs)) if line.kind == "drug"]
        given = [line for line in lines if "JW" not in line.modifiers]
        assert sum(line.units for line in given) == 1
        assert [line.units for line in lines if "JW" in line.modifiers] == [29]
        assert [line.modifier_text for line in lines].count("JW") == 1
        assert "JZ" not in [line.modifier_text for line in lines]

    def test_it_puts_jz_on_every_line_when_nothing_was_discarded(self):
        drugs = (
            privigen("44206043820", 20000, 20000, 1, 200),
            privigen("44206043710", 10000, 10000, 1, 100),
        )
        lines = [line for line in derive_claim_lines(facts(drugs=drugs)) if line.kind == "drug"]
        assert summary(lines) == [("J1459", 40, "JZ"), ("J1459", 20, "JZ")]


class TestNdcUnits:
    """NCPDP billing units on the N4 data: ML for a solution, UN for a powder vial, with the
    quantity used; the JW line carries the discarded amount in the same unit."""

    def test_it_reports_ocrevus_600_mg_as_20_ml(self):
        ocrevus = DrugGiven(
            drug_name="ocrelizumab",
            hcpcs="J2350",
            billing_unit_mg=Decimal(1),
            dose_mg=Decimal(600),
            opened_mg=Decimal(600),
            ndc11="50242015001",
            ndc_quantity=Decimal(20),
            ndc_unit="ML",
        )
        (line,) = [
            line for line in derive_claim_lines(facts(drugs=(ocrevus,))) if line.kind == "drug"
        ]
        assert line.ndc == "N450242015001ML20"
        assert (line.units, line.modifiers) == (600, ("JZ",))

    def test_it_puts_the_discarded_ml_on_the_jw_line(self):
        # Tocilizumab 500 mg from a 400 mg/20 mL and a 200 mg/10 mL vial: 25 mL given, 5 left.
        def vial(ndc: str, given: int, mg: int, ml: int) -> DrugGiven:
            return DrugGiven(
                drug_name="tocilizumab",
                hcpcs="J3262",
                billing_unit_mg=Decimal(1),
                dose_mg=Decimal(given),
                opened_mg=Decimal(mg),
                ndc11=ndc,
                ndc_quantity=Decimal(ml),
                ndc_unit="ML",
            )

        drugs = (vial("50242013701", 400, 400, 20), vial("50242013601", 100, 200, 10))
        lines = [line for line in derive_claim_lines(facts(drugs=drugs)) if line.kind == "drug"]
        assert [(line.units, line.modifier_text, line.ndc) for line in lines] == [
            (400, "", "N450242013701ML20"),
            (100, "", "N450242013601ML5"),
            (100, "JW", "N450242013601ML5"),
        ]


class TestSettingAndSecondSite:
    def test_it_codes_an_office_claim_without_96376(self):
        pushes = tuple(
            Administration("therapeutic", "push", at(9, m), at(9, m + 2), "diphenhydramine")
            for m in (0, 45)
        )
        office = derive_claim_lines(facts(administrations=pushes, drugs=()))
        hospital = derive_claim_lines(
            facts(administrations=pushes, drugs=(), place_of_service="22")
        )
        assert summary(office) == [("96374", 1, "")]
        assert summary(hospital) == [("96374", 1, ""), ("96376", 1, "")]

    def test_it_lets_the_site_setting_win_over_the_place_of_service(self):
        pushes = tuple(
            Administration("therapeutic", "push", at(9, m), at(9, m + 2), "x") for m in (0, 45)
        )
        lines = derive_claim_lines(facts(administrations=pushes, drugs=(), setting="facility"))
        assert summary(lines) == [("96374", 1, ""), ("96376", 1, "")]

    def test_it_reports_a_second_site_initial_code_with_xu_and_keeps_it_in_json(self):
        second = (Administration("therapeutic", "infusion", at(9), at(10), "iron sucrose"),)
        encounter = facts(second_site=second)
        lines = derive_claim_lines(encounter)
        assert summary(lines)[:3] == [("96413", 1, ""), ("96365", 1, "XU"), ("96415", 1, "")]
        again = facts_from_dict(json.loads(json.dumps(facts_to_dict(encounter))))
        assert again == encounter

    def test_it_keeps_the_primary_mark_in_json(self):
        marked = (Administration("therapeutic", "push", at(9), at(9, 2), "x", primary=True),)
        encounter = facts(administrations=marked)
        again = facts_from_dict(json.loads(json.dumps(facts_to_dict(encounter))))
        assert again.administrations[0].primary is True


def test_the_single_jw_line_states_all_the_discard_in_the_carriers_unit():
    """Belimumab from a 400 mg and a 120 mg powder vial (UN), 10 mg and 30 mg left: one JW
    line of 4 units on the NDC that discarded most, its quantity the whole 40 mg in that
    NDC's vials (40 / 120 = 0.333 UN)."""

    def vial(ndc: str, given: int, mg: int) -> DrugGiven:
        return DrugGiven(
            drug_name="belimumab",
            hcpcs="J0490",
            billing_unit_mg=Decimal(10),
            dose_mg=Decimal(given),
            opened_mg=Decimal(mg),
            ndc11=ndc,
            ndc_quantity=Decimal(1),
            ndc_unit="UN",
        )

    drugs = (vial("49401010201", 390, 400), vial("49401010101", 90, 120))
    lines = [line for line in derive_claim_lines(facts(drugs=drugs)) if line.kind == "drug"]
    [jw] = [line for line in lines if "JW" in line.modifiers]
    assert (jw.units, jw.ndc11, jw.ndc_quantity) == (4, "49401010101", Decimal("0.333"))
