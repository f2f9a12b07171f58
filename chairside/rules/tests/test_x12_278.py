"""The 278 request writer, the response reader, the structural check and the proposal."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from chairside.rules.access import authorization_states as states
from chairside.rules.billing.charges import Person, Provider
from chairside.rules.billing.x12.x12_278 import (
    Decision,
    Interchange278,
    RequestedService,
    Review278Error,
    ReviewRequest,
    ServiceProvider,
    check_278,
    parse_278_response,
    propose,
    split_segments,
    write_278,
    write_278_response,
)
from chairside.rules.billing.x12.x12_837p import Party

TZ = dt.timezone(dt.timedelta(hours=-5))
STAMP = dt.datetime(2026, 3, 2, 9, 30, tzinfo=TZ)
PATIENT = Person("Rivera", "Ana", dt.date(1971, 4, 9), "F", address_line1="1 Elm St")
SPOUSE = Person("Rivera", "Luis", dt.date(1969, 1, 2), "M")
CENTER = ServiceProvider(
    "Demo Infusion Center", "1234567893", "10 Main St", "Springfield", "IL", "62701", "12-3456789"
)
ORDERING = Provider("1902847312", "Marsh", "Elena", "MD")  # made up, check digit valid
SENDER = Party("Demo Infusion Center", "DEMOSUB01")
RECEIVER = Party("Demo Clearinghouse", "DEMOCH")
PAYER = Party("Demo Health Plan (demo)", "DEMOPAYER")


def request(**changes: Any) -> ReviewRequest:
    base = ReviewRequest(
        reference="PA-1A2B3C",
        payer_name="Demo Health Plan (demo)",
        payer_id="60054",
        requester=ORDERING,
        service_provider=CENTER,
        subscriber=PATIENT,
        member_id="W123456789",
        diagnoses=("K50.90", "K50.10"),
        place_of_service="11",
        service=RequestedService("J1745", 120, dt.date(2026, 3, 9), dt.date(2026, 8, 31), visits=4),
    )
    return replace(base, **changes)


def written(req: ReviewRequest | None = None) -> str:
    return write_278(Interchange278(SENDER, RECEIVER, 17, STAMP, req or request()))


def segments(text: str) -> dict[str, list[tuple[str, ...]]]:
    found: dict[str, list[tuple[str, ...]]] = {}
    for seg in split_segments(text)[0]:
        found.setdefault(seg.seg_id, []).append(seg.elements)
    return found


def response(decision: Decision, req: ReviewRequest | None = None) -> str:
    return write_278_response(
        req or request(),
        decision,
        sender=PAYER,
        receiver=SENDER,
        control_number=5,
        created_at=STAMP,
    )


APPROVED = Decision(
    "A1", "AUTH778899", start=dt.date(2026, 3, 9), end=dt.date(2026, 8, 31), units=120, visits=4
)


class TestWrite278:
    def test_it_writes_the_tr3_header_and_levels(self) -> None:
        seg = segments(written())
        assert seg["ST"] == [("278", "0001", "005010X217")]
        assert seg["GS"][0][0] == "HI"
        assert seg["BHT"][0][:3] == ("0007", "13", "PA-1A2B3C")
        assert [h[2] for h in seg["HL"]] == ["20", "21", "22", "EV", "SS"]
        names = {n[0]: n for n in seg["NM1"]}
        assert names["X3"][-2:] == ("PI", "60054")
        assert names["1P"][-2:] == ("XX", "1902847312")
        assert names["IL"][-2:] == ("MI", "W123456789")
        assert names["SJ"][-2:] == ("XX", "1234567893")
        assert seg["DMG"] == [("D8", "19710409", "F")]

    def test_it_writes_the_patient_event_and_the_service(self) -> None:
        seg = segments(written())
        assert seg["UM"][0] == ("HS", "I", "1", "11:B")
        assert ("AAH", "RD8", "20260309-20260831") in seg["DTP"]
        assert ("472", "RD8", "20260309-20260831") in seg["DTP"]
        assert seg["HI"] == [("ABK:K5090", "ABF:K5010")]
        assert seg["SV1"] == [("HC:J1745", "", "UN", "120")]
        assert seg["HSD"] == [("VS", "4", "", "", "7", "176")]
        assert seg["TRN"] == [("1", "PA-1A2B3C", "1123456789")]

    def test_it_passes_its_own_structural_check(self) -> None:
        assert check_278(written(), purpose="13") == []

    def test_it_adds_the_dependent_level_when_the_patient_is_not_the_subscriber(self) -> None:
        text = written(request(subscriber=SPOUSE, patient=PATIENT, relationship="spouse"))
        seg = segments(text)
        assert [h[2] for h in seg["HL"]] == ["20", "21", "22", "23", "EV", "SS"]
        assert seg["INS"] == [("N", "01")]
        assert [n[0] for n in seg["NM1"]][:4] == ["X3", "1P", "IL", "QC"]
        assert check_278(text, purpose="13") == []

    def test_it_leaves_out_hsd_without_visits_and_trn_without_an_ein(self) -> None:
        service = replace(request().service, visits=None)
        seg = segments(
            written(request(service=service, service_provider=replace(CENTER, tax_id="")))
        )
        assert "HSD" not in seg and "TRN" not in seg

    def test_it_refuses_what_it_cannot_write_with_every_reason(self) -> None:
        bad = request(
            payer_id="",
            diagnoses=(),
            requester=replace(ORDERING, npi=""),
            service=replace(request().service, hcpcs="96413", units=0),
        )
        with pytest.raises(ValueError) as exc:
            written(bad)
        text = str(exc.value)
        for words in ("payer ID", "diagnosis", "ordering provider", "HCPCS Level II", "1 unit"):
            assert words in text

    def test_it_uses_the_shared_envelope_counts(self) -> None:
        seg = segments(written())
        se = seg["SE"][0]
        body = split_segments(written())[0]
        st_at = next(s.position for s in body if s.seg_id == "ST")
        se_at = next(s.position for s in body if s.seg_id == "SE")
        assert se[0] == str(se_at - st_at + 1)
        assert seg["ISA"][0][12] == "000000017" and seg["IEA"][0] == ("1", "000000017")


class TestCheck278:
    def test_it_finds_a_wrong_segment_count(self) -> None:
        text = written().replace("SE*", "SE*9", 1)
        assert any(p.segment == "SE" for p in check_278(text, purpose="13"))

    def test_it_finds_a_response_given_as_a_request(self) -> None:
        problems = check_278(response(APPROVED), purpose="13")
        assert any("BHT02 is 11" in p.message for p in problems)

    def test_it_finds_a_broken_hierarchy(self) -> None:
        text = written().replace("HL*5*4*SS*0", "HL*5*2*SS*0")
        assert any(
            p.segment == "HL" and "sit under EV" in p.message for p in check_278(text, purpose="13")
        )

    def test_it_finds_a_missing_requester_name(self) -> None:
        text = written().replace("NM1*1P*1*MARSH*ELENA****XX*1902847312~", "")
        text = text.replace("SE*", "SE*X", 1)  # the count is wrong too; the NM1 is named
        problems = check_278(text, purpose="13")
        assert problems  # the envelope fails first
        fixed = written().replace("NM1*1P*1*MARSH*ELENA****XX*1902847312~\n", "")
        seg_count = [s for s in split_segments(fixed)[0] if s.seg_id == "SE"][0]
        fixed = fixed.replace(f"SE*{seg_count.get(1)}*", f"SE*{int(seg_count.get(1)) - 1}*")
        assert [p.message for p in check_278(fixed, purpose="13")] == ["NM1*1P missing in HL 21"]

    def test_it_refuses_text_that_is_not_x12(self) -> None:
        assert check_278("hello", purpose="11")[0].segment == "ISA"

    def test_it_finds_an_hi_qualifier_out_of_order(self) -> None:
        text = written().replace("HI*ABK:K5090*ABF:K5010", "HI*ABF:K5090*ABK:K5010")
        messages = [p.message for p in check_278(text, purpose="13")]
        assert "HI01 must be ABK" in messages and "HI02 must be ABF" in messages


class TestParse278Response:
    def test_it_reads_a_certification_in_total(self) -> None:
        read = parse_278_response(response(APPROVED))
        assert read.action == "A1" and read.action_label == "Certified in total"
        assert read.certification_number == "AUTH778899"
        assert (read.start, read.end) == (dt.date(2026, 3, 9), dt.date(2026, 8, 31))
        assert (read.units, read.visits, read.hcpcs) == (120, 4, "J1745")
        assert read.reference == "PA-1A2B3C"
        assert read.member_id == "W123456789"

    @pytest.mark.parametrize(
        ("action", "label"),
        [
            ("A2", "Certified — partial"),
            ("A3", "Not certified"),
            ("A4", "Pended"),
            ("A6", "Modified"),
            ("CT", "Contact payer"),
            ("NA", "No action required"),
            ("C", "Cancelled"),
        ],
    )
    def test_it_reads_each_action_code(self, action: str, label: str) -> None:
        read = parse_278_response(response(Decision(action, "N1", reason_code="0V")))
        assert (read.action, read.action_label, read.reason_code) == (action, label, "0V")

    def test_it_reads_an_expiration_date_as_the_end(self) -> None:
        text = response(Decision("A1", "X1")).replace(
            "HCR*A1*X1~", "HCR*A1*X1~\nDTP*007*D8*20260401~\nDTP*036*D8*20260930~", 1
        )
        text = _recount(text)
        read = parse_278_response(text)
        assert (read.start, read.end) == (dt.date(2026, 4, 1), dt.date(2026, 9, 30))

    def test_it_reads_aaa_errors(self) -> None:
        read = parse_278_response(response(Decision("", reject_reason="75", follow_up="C")))
        assert read.action == ""
        assert [str(e) for e in read.errors] == [
            "Subscriber/insured not found (subscriber): please correct and resubmit"
        ]

    def test_it_refuses_a_request(self) -> None:
        with pytest.raises(Review278Error, match="not a 278 response"):
            parse_278_response(written())

    def test_it_refuses_an_unknown_action_code(self) -> None:
        with pytest.raises(Review278Error, match="unknown action code"):
            parse_278_response(response(APPROVED).replace("HCR*A1", "HCR*ZZ"))

    def test_it_refuses_a_bad_date(self) -> None:
        with pytest.raises(Review278Error, match="not a CCYYMMDD date"):
            parse_278_response(response(APPROVED).replace("20260831", "20261331"))

    def test_it_refuses_a_fractional_unit_count(self) -> None:
        with pytest.raises(Review278Error, match="whole number"):
            parse_278_response(response(APPROVED).replace("UN*120", "UN*1.5"))


def _recount(text: str) -> str:
    segs = split_segments(text)[0]
    st = next(s.position for s in segs if s.seg_id == "ST")
    se = next(s for s in segs if s.seg_id == "SE")
    return text.replace(f"SE*{se.get(1)}*", f"SE*{se.position - st + 1}*")


class TestPropose:
    def read(self, decision: Decision) -> Any:
        return parse_278_response(response(decision))

    def test_it_approves_a_submitted_request_with_the_payers_numbers(self) -> None:
        proposal = propose(self.read(APPROVED), states.SUBMITTED)
        assert proposal.steps == (states.APPROVED,)
        assert proposal.details == {
            "authorization_number": "AUTH778899",
            "start_on": dt.date(2026, 3, 9),
            "end_on": dt.date(2026, 8, 31),
            "units_authorized": 120,
            "visits_authorized": 4,
        }

    def test_it_passes_through_submitted_from_to_submit(self) -> None:
        proposal = propose(self.read(APPROVED), states.TO_SUBMIT)
        assert proposal.steps == (states.SUBMITTED, states.APPROVED)

    def test_it_corrects_an_approval_in_place_when_modified(self) -> None:
        modified = replace(APPROVED, action="A6", units=80)
        proposal = propose(self.read(modified), states.APPROVED)
        assert proposal.steps == () and proposal.applies
        assert proposal.details["units_authorized"] == 80

    def test_it_denies_with_the_reason(self) -> None:
        proposal = propose(self.read(Decision("A3", "", reason_code="0V")), states.SUBMITTED)
        assert proposal.steps == (states.DENIED,)
        assert "reason 0V" in proposal.reason

    def test_it_marks_pended_as_submitted(self) -> None:
        assert propose(self.read(Decision("A4")), states.TO_SUBMIT).steps == (states.SUBMITTED,)

    def test_it_marks_no_action_required_as_not_required(self) -> None:
        proposal = propose(self.read(Decision("NA")), states.TO_SUBMIT)
        assert proposal.steps == (states.NOT_REQUIRED,)

    def test_it_respects_the_state_machine(self) -> None:
        proposal = propose(self.read(APPROVED), states.EXPIRED)
        assert not proposal.applies
        assert "expired" in proposal.refusal

    def test_it_refuses_no_action_required_once_submitted(self) -> None:
        proposal = propose(self.read(Decision("NA")), states.SUBMITTED)
        assert not proposal.applies and "cannot move" in proposal.refusal

    def test_it_refuses_an_approval_without_a_number_or_dates(self) -> None:
        assert (
            "HCR02"
            in propose(self.read(replace(APPROVED, certification_number="")), "submitted").refusal
        )
        no_dates = replace(APPROVED, start=None, end=None)
        assert "DTP*007" in propose(self.read(no_dates), states.SUBMITTED).refusal

    @pytest.mark.parametrize("action", ["CT", "C"])
    def test_it_changes_nothing_on_contact_payer_or_cancelled(self, action: str) -> None:
        proposal = propose(self.read(Decision(action)), states.SUBMITTED)
        assert not proposal.applies and proposal.steps == ()

    def test_it_changes_nothing_on_errors(self) -> None:
        proposal = propose(self.read(Decision("", reject_reason="72")), states.SUBMITTED)
        assert "Invalid/missing subscriber/insured ID" in proposal.refusal
