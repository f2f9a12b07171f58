from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chairside.rules.billing.charges import CoverageFacts, Person, derive_claim_lines
from chairside.rules.billing.x12.x12_837p import (
    Adjustment,
    BilledLine,
    BillingProvider,
    ClaimDocument,
    Facility,
    Interchange,
    LineAdjudication,
    OtherPayer,
    Party,
    write_837p,
)
from chairside.rules.billing.x12.x12_validate import validate_x12
from chairside.rules.tests.billing_examples import MEDIGAP, TZ, infliximab_visit

BILLING = BillingProvider(
    "Riverside Infusion Partners",
    "1234567893",
    "12-3456789",
    "100 Riverside Plaza",
    "Riverside",
    "PA",
    "19000-1234",
)
CHARGES = {"96413": Decimal("450.00"), "96415": Decimal("95.00"), "J1745": Decimal("77.00")}


def billed(facts, prior=None):
    return tuple(
        BilledLine(line, CHARGES[line.code] * line.units, f"L{n}", prior(line) if prior else ())
        for n, line in enumerate(derive_claim_lines(facts), start=1)
    )


def interchange(*claims):
    return Interchange(
        sender=Party("Riverside Infusion Partners", "RIVERSIDE01", "Nina Alvarez", "555-010-2000"),
        receiver=Party("Demo Clearinghouse", "DEMOCH"),
        billing_provider=BILLING,
        control_number=42,
        created_at=dt.datetime(2026, 3, 11, 9, 30, tzinfo=TZ),
        claims=claims,
    )


def primary_claim(facts=None):
    facts = facts or infliximab_visit()
    return ClaimDocument("C000001", facts, 0, "MB", billed(facts))


class TestWrite837P:
    def test_it_writes_a_claim_pyx12_accepts(self):
        text = write_837p(interchange(primary_claim()))
        assert validate_x12(text) == []

    def test_it_writes_the_lines_ndc_and_diagnosis_the_payer_reads(self):
        text = write_837p(interchange(primary_claim()))
        assert "CLM*C000001*3625***11:B:1*Y*A*Y*Y~" in text  # 450 + 95 + 35 x 77 + 5 x 77
        assert "HI*ABK:K5090~" in text
        assert "SV1*HC:J1745:JW*385*UN*5***1~" in text
        assert "LIN**N4*57894003001~\nCTP****0.5*UN~" in text
        assert "N4*RIVERSIDE*PA*190001234~" in text
        assert "REF*EI*123456789~" in text
        assert text.startswith("ISA*00*          *00*          *ZZ*RIVERSIDE01    *ZZ*DEMOCH")

    def test_it_counts_the_segments_in_se(self):
        text = write_837p(interchange(primary_claim()))
        lines = text.splitlines()
        st, se = (
            lines.index("ST*837*0001*005010X222A1~"),
            next(i for i, line in enumerate(lines) if line.startswith("SE*")),
        )
        assert lines[se] == f"SE*{se - st + 1}*0001~"

    def test_it_writes_the_authorization_and_a_replacement_reference(self):
        facts = infliximab_visit(prior_authorization="PA-2026-77")
        claim = ClaimDocument(
            "C000002",
            facts,
            0,
            "MB",
            billed(facts),
            frequency_code="7",
            original_reference="PAYER123",
        )
        text = write_837p(interchange(claim))
        assert "REF*G1*PA-2026-77~" in text and "REF*F8*PAYER123~" in text
        assert "11:B:7" in text
        assert validate_x12(text) == []

    def test_it_writes_a_secondary_claim_with_the_primarys_payment(self):
        facts = infliximab_visit()
        paid_on = dt.date(2026, 4, 2)

        def primary_paid(line):
            charge = CHARGES[line.code] * line.units
            return (
                LineAdjudication(
                    "12502",
                    Decimal("10.00"),
                    line.code,
                    line.modifiers,
                    line.units,
                    paid_on,
                    (
                        Adjustment("CO", "45", charge - Decimal("15.00")),
                        Adjustment("PR", "2", Decimal("5.00")),
                    ),
                ),
            )

        lines = billed(facts, primary_paid)
        claim = ClaimDocument(
            "C000003",
            facts,
            1,
            "CI",
            lines,
            other_payers=(OtherPayer(facts.coverages[0], "P", "MB", Decimal("40.00"), paid_on),),
        )
        text = write_837p(interchange(claim))
        assert "SBR*S*18**G*****CI~" in text and "AMT*D*40~" in text
        assert "SVD*12502*10*HC:J1745:JW**5~" in text
        assert validate_x12(text) == []

    def test_it_adds_the_patient_loop_when_the_patient_is_not_the_subscriber(self):
        spouse = Person("Doe", "John", dt.date(1950, 1, 1), "M")
        coverage = CoverageFacts(
            "p",
            "Keystone Commercial Health (demo)",
            "DEMO1",
            "K1",
            "G77",
            relationship="spouse",
            subscriber=spouse,
        )
        facts = infliximab_visit(coverages=(coverage, MEDIGAP))
        claim = ClaimDocument(
            "C000004",
            facts,
            0,
            "CI",
            billed(facts),
            facility=Facility("Eastgate", "45 Eastgate Commons", "Eastgate", "PA", "19001"),
        )
        text = write_837p(interchange(claim))
        assert "HL*3*2*23*0~\nPAT*01~\nNM1*QC*1*DOE*JANE~" in text
        assert "NM1*IL*1*DOE*JOHN****MI*K1~" in text
        assert "NM1*77*2*EASTGATE~" in text
        assert validate_x12(text) == []

    def test_it_strips_delimiters_from_names(self):
        facts = infliximab_visit(
            patient=Person(
                "O'Brien*Smith",
                "Ann~Marie",
                dt.date(1950, 1, 1),
                "F",
                address_line1="1 A:B St",
                city="Riverside",
                state="PA",
                postal_code="19000",
            )
        )
        text = write_837p(interchange(primary_claim(facts)))
        assert "NM1*IL*1*O'BRIEN SMITH*ANN MARIE****MI*1EG4TE5MK72~" in text
        assert validate_x12(text) == []

    @pytest.mark.parametrize(
        ("change", "message"),
        [({"control_number": 0}, "control number"), ({"claims": ()}, "at least one claim")],
    )
    def test_it_refuses_what_cannot_be_written(self, change, message):
        from dataclasses import replace

        with pytest.raises(ValueError, match=message):
            write_837p(replace(interchange(primary_claim()), **change))


class TestValidateX12:
    def test_it_names_the_segment_of_a_bad_code(self):
        text = write_837p(interchange(primary_claim())).replace("11:B:1", "11:X:1")
        [problem] = validate_x12(text)
        assert problem.segment == "CLM05" and "Facility Code Qualifier" in problem.message

    def test_it_names_a_missing_loop(self):
        text = write_837p(interchange(primary_claim()))
        text = text.replace("NM1*PR*2*MEDICARE PART B*****PI*12502~\n", "")
        assert any("2010BB" in p.message for p in validate_x12(text))

    def test_it_refuses_text_that_is_not_x12(self):
        [problem] = validate_x12("hello")
        assert problem.segment == "ISA"
