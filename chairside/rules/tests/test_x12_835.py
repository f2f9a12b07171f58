from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from chairside.rules.billing.x12.x12_835 import (
    ClaimPayment,
    RemitAdjustment,
    Remittance,
    RemittanceError,
    ServicePayment,
    parse_835,
    write_835,
)
from chairside.rules.tests.billing_examples import TZ

D = Decimal


def remittance(**changes):
    """Medicare pays an infliximab claim: 96413 allowed 150, J1745 x35 at 38.50 a unit."""
    admin = ServicePayment(
        "96413",
        (),
        D("450"),
        D("117.60"),
        1,
        "L1",
        D("150"),
        (
            RemitAdjustment("CO", "45", D("300")),
            RemitAdjustment("CO", "253", D("2.40")),
            RemitAdjustment("PR", "2", D("30")),
        ),
    )
    drug = ServicePayment(
        "J1745",
        (),
        D("2695"),
        D("1056.44"),
        35,
        "L3",
        D("1347.50"),
        (
            RemitAdjustment("CO", "45", D("1347.50")),
            RemitAdjustment("CO", "253", D("21.56")),
            RemitAdjustment("PR", "2", D("269.50")),
        ),
        ("N130",),
    )
    denied = ServicePayment(
        "J1745",
        ("JW",),
        D("385"),
        D("0"),
        5,
        "L4",
        None,
        (RemitAdjustment("CO", "16", D("385")),),
        ("M119",),
    )
    claim = ClaimPayment(
        "C000001",
        "1",
        D("3530"),
        D("1174.04"),
        D("299.50"),
        "MB",
        "PCN-1",
        services=(admin, drug, denied),
    )
    data = Remittance(
        "Medicare Part B",
        "12502",
        "Riverside Infusion Partners",
        "1234567893",
        "CHK",
        D("1174.04"),
        "EFT-0001",
        dt.date(2026, 4, 2),
        (claim,),
    )
    return replace(data, **changes)


def text_of(data):
    return write_835(
        data,
        control_number=9,
        created_at=dt.datetime(2026, 4, 2, 8, tzinfo=TZ),
        sender_id="12502",
        receiver_id="RIVERSIDE01",
        patient_names={"C000001": ("Doe", "Jane", "1EG4TE5MK72")},
    )


class TestParse835:
    def test_it_reads_payments_adjustments_and_remarks(self):
        parsed = parse_835(text_of(remittance()))
        assert parsed.total_paid == D("1174.04")
        assert parsed.trace_number == "EFT-0001"
        assert parsed.paid_on == dt.date(2026, 4, 2)
        [claim] = parsed.claims
        assert (claim.control_number, claim.status, claim.payer_claim_number) == (
            "C000001",
            "1",
            "PCN-1",
        )
        assert [s.line_control for s in claim.services] == ["L1", "L3", "L4"]
        assert claim.services[2].modifiers == ("JW",)
        assert claim.services[2].remarks == ("M119",)
        assert claim.services[1].allowed == D("1347.50")
        assert sum(a.amount for a in claim.all_adjustments if a.group == "PR") == D("299.50")

    def test_it_round_trips_what_write_835_wrote(self):
        assert parse_835(text_of(remittance())).claims == tuple(
            replace(c, line=12) for c in remittance().claims
        )

    def test_it_rejects_a_service_line_that_does_not_balance(self):
        text = text_of(remittance()).replace(
            "SVC*HC:96413*450*117.6**1~", "SVC*HC:96413*450*118**1~"
        )
        text = text.replace("CLP*C000001*1*3530*1174.04", "CLP*C000001*1*3530*1174.44")
        with pytest.raises(RemittanceError) as caught:
            parse_835(text)
        assert caught.value.segment == "SVC"
        assert "does not balance" in caught.value.reason

    def test_it_rejects_a_payment_that_is_not_the_claims_total(self):
        text = text_of(remittance()).replace("BPR*I*1174.04", "BPR*I*1175")
        with pytest.raises(RemittanceError, match="segment BPR: the payment 1175"):
            parse_835(text)

    def test_it_rejects_a_structurally_broken_file_with_the_segment(self):
        text = text_of(remittance()).replace("N1*PR*MEDICARE PART B~\n", "")
        with pytest.raises(RemittanceError) as caught:
            parse_835(text)
        assert caught.value.line is not None
        assert caught.value.segment

    def test_it_rejects_an_837_posing_as_an_835(self):
        with pytest.raises(RemittanceError, match="ISA"):
            parse_835("not an edi file")

    def test_it_rejects_an_unknown_adjustment_group(self):
        text = text_of(remittance()).replace("CAS*CO*16*385~", "CAS*ZZ*16*385~")
        with pytest.raises(RemittanceError, match="CAS"):
            parse_835(text)


def negated(claim: ClaimPayment) -> ClaimPayment:
    def flip(adjustments):
        return tuple(replace(a, amount=-a.amount) for a in adjustments)

    return replace(
        claim,
        status="22",
        charge=-claim.charge,
        paid=-claim.paid,
        patient_responsibility=-claim.patient_responsibility,
        adjustments=flip(claim.adjustments),
        services=tuple(
            replace(s, charge=-s.charge, paid=-s.paid, adjustments=flip(s.adjustments))
            for s in claim.services
        ),
    )


class TestReversalsAndCrossovers:
    """TR3 005010X221A1 §1.10.2.8: a reversal (CLP02 22) negates the earlier payment and the
    correction follows; CLP02 19 / RARC MA18 mark a Medicare crossover."""

    def test_it_reads_a_reversal_and_its_correction_in_one_balanced_file(self):
        original = remittance().claims[0]
        correction = replace(original, payer_claim_number="PCN-2")
        data = remittance(claims=(negated(original), correction), total_paid=D("0"))
        parsed = parse_835(text_of(data))
        assert [c.is_reversal for c in parsed.claims] == [True, False]
        assert parsed.claims[0].paid == -original.paid

    def test_it_reads_a_crossover_from_the_status_or_ma18(self):
        claim = remittance().claims[0]
        by_status = parse_835(text_of(remittance(claims=(replace(claim, status="19"),))))
        by_remark = parse_835(text_of(remittance(claims=(replace(claim, remarks=("MA18",)),))))
        assert by_status.claims[0].is_crossover
        assert by_remark.claims[0].is_crossover
        assert by_remark.claims[0].remarks == ("MA18",)
        assert not parse_835(text_of(remittance())).claims[0].is_crossover


def institutional_remittance():
    """Medicare pays a hospital outpatient claim (type of bill 131): the drug at its OPPS
    rate, the administration under its APC, a packaged line at $0 (CO-97), a line paid by
    revenue code alone (SVC01 NU), and the deductible at claim level (CAS PR-1)."""
    drug = ServicePayment(
        "J1745",
        ("PO",),
        D("2695"),
        D("1400"),
        35,
        "L1",
        adjustments=(RemitAdjustment("CO", "45", D("1295")),),
        revenue_code="0636",
    )
    admin = ServicePayment(
        "96413",
        ("PO",),
        D("450"),
        D("300"),
        1,
        "L2",
        adjustments=(RemitAdjustment("CO", "45", D("150")),),
        revenue_code="0335",
    )
    packaged = ServicePayment(
        "96415",
        ("PO",),
        D("95"),
        D("0"),
        1,
        "L3",
        adjustments=(RemitAdjustment("CO", "97", D("95")),),
        revenue_code="0335",
    )
    by_revenue = ServicePayment("", (), D("20"), D("20"), 1, "L4", revenue_code="0260")
    claim = ClaimPayment(
        "C000002",
        "1",
        D("3260"),
        D("1463"),
        D("257"),
        "MA",
        "PCN-2",
        adjustments=(RemitAdjustment("PR", "1", D("257")),),
        services=(drug, admin, packaged, by_revenue),
        facility_type="13",
        frequency_code="1",
    )
    return Remittance(
        "Medicare Part A",
        "12501",
        "Riverside Hospital Infusion",
        "1234567893",
        "CHK",
        D("1463"),
        "EFT-0002",
        dt.date(2026, 4, 2),
        (claim,),
    )


class TestInstitutional835:
    def text(self):
        return write_835(
            institutional_remittance(),
            control_number=10,
            created_at=dt.datetime(2026, 4, 2, 8, tzinfo=TZ),
            sender_id="12501",
            receiver_id="RIVERSIDE01",
            patient_names={"C000002": ("Doe", "Jane", "1EG4TE5MK72")},
        )

    def test_it_writes_the_facility_type_and_revenue_codes_pyx12_accepts(self):
        text = self.text()
        assert "CLP*C000002*1*3260*1463*257*MA*PCN-2*13*1~" in text
        assert "SVC*HC:J1745:PO*2695*1400*0636*35~" in text
        assert "SVC*NU:0260*20*20**1~" in text
        assert "CAS*PR*1*257~" in text

    def test_it_reads_the_institutional_claim_back(self):
        [claim] = parse_835(self.text()).claims
        assert claim.is_institutional and claim.facility_type == "13"
        assert claim.frequency_code == "1"
        assert [s.revenue_code for s in claim.services] == ["0636", "0335", "0335", "0260"]
        assert claim.services[3].code == "" and claim.services[3].modifiers == ()
        assert claim.adjustments == (RemitAdjustment("PR", "1", D("257")),)
        assert claim == replace(institutional_remittance().claims[0], line=12)
