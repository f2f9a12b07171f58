"""HL7 v2 reading, ACKs, SIU messages and MLLP framing (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import hl7
import pytest

from chairside.interop.tests import samples as s
from chairside.rules.interop import hl7_intake as intake
from chairside.rules.interop.hl7_ack import AckError, build_ack
from chairside.rules.interop.hl7_siu import SiuAppointment, SiuPerson, build_siu, trigger_for
from chairside.rules.interop.hl7_text import escape
from chairside.rules.interop.mllp import Deframer, frame

CHICAGO = ZoneInfo("America/Chicago")


def patient_of(text: str) -> intake.PatientData:
    data = intake.read(text).patient
    assert data is not None
    return data


def order_of(text: str) -> intake.OrderData:
    data = intake.read(text).order
    assert data is not None
    return data


class TestRead:
    def test_it_reads_an_adt_a04_patient_and_coverage(self) -> None:
        data = intake.read(s.adt())
        assert data.header.message_type == "ADT^A04"
        assert data.header.control_id == "MSG0001"
        p = patient_of(s.adt())
        assert (p.mrn, p.last_name, p.first_name, p.middle_name) == (
            "E1001",
            "Rivera",
            "Maria",
            "Luz",
        )
        assert p.date_of_birth == dt.date(1975, 3, 14)
        assert (p.city, p.state, p.postal_code) == ("Springfield", "IL", "62704")
        assert p.phone == "(217) 555-0142"
        (cov,) = data.coverages
        assert (cov.payer_id, cov.member_id, cov.set_id) == ("BCBSIL", "XOF123456789", 1)
        assert cov.effective_from == dt.date(2026, 1, 1)
        assert cov.subscriber_relation == "self"

    def test_it_accepts_line_feeds_between_segments(self) -> None:
        assert patient_of(s.adt().replace("\r", "\n")).mrn == "E1001"

    def test_it_takes_the_mr_identifier_not_the_first(self) -> None:
        text = s.adt().replace(
            "E1001^^^NORTHCLINIC^MR~123456789^^^SSA^SS", "999^^^SSA^SS~E7^^^X^MR"
        )
        assert patient_of(text).mrn == "E7"

    def test_it_names_pid7_for_an_invalid_birth_date(self) -> None:
        with pytest.raises(intake.Hl7Error) as exc:
            intake.read(s.adt(dob="19751340"))
        assert exc.value.location == "PID-7"
        assert exc.value.ack_code == "AE"

    def test_it_rejects_an_unsupported_message_type(self) -> None:
        text = s.adt().replace("ADT^A04^ADT_A01", "ORU^R01^ORU_R01")
        with pytest.raises(intake.Hl7Reject) as exc:
            intake.read(text)
        assert exc.value.ack_code == "AR"
        assert exc.value.code == intake.UNSUPPORTED_MESSAGE_TYPE
        assert "ORU^R01" in exc.value.message

    def test_it_rejects_an_unsupported_event_of_a_known_type(self) -> None:
        with pytest.raises(intake.Hl7Reject) as exc:
            intake.read(s.adt(kind="A03").replace("ADT^A03", "ADT^A03"))
        assert exc.value.code == intake.UNSUPPORTED_EVENT_CODE

    def test_it_rejects_text_that_is_not_hl7(self) -> None:
        with pytest.raises(intake.Hl7Reject):
            intake.read("hello")

    def test_it_refuses_a_sex_outside_table_0001(self) -> None:
        with pytest.raises(intake.Hl7Error) as exc:
            intake.read(s.adt(sex="X"))
        assert exc.value.location == "PID-8"

    def test_it_reads_an_orm_order(self) -> None:
        order = order_of(s.orm("1234567893"))
        assert order.provider.npi == "1234567893"
        assert (order.provider.last_name, order.provider.first_name) == ("Okafor", "Ngozi")
        assert (order.drug_code, order.drug_text) == ("J1745", "Infliximab")
        assert order.diagnosis_codes == ("K50.90",)
        assert order.ordered_on == dt.date(2026, 11, 30)
        assert "Placer order PL-77" in order.notes and "5 mg/kg" in order.notes

    def test_it_reads_a_ref_i12_referral_with_its_prd_provider(self) -> None:
        order = order_of(s.ref_i12("1234567893"))
        assert order.provider.npi == "1234567893"
        assert order.drug_text == "Infliximab"
        assert order.urgent is True

    def test_it_refuses_a_diagnosis_not_coded_in_icd10(self) -> None:
        text = s.orm("1234567893").replace("^I10", "^I9")
        with pytest.raises(intake.Hl7Error) as exc:
            intake.read(text)
        assert exc.value.location == "DG1-3"


class TestAck:
    def _ack(self, **kw: Any) -> Any:
        base: dict[str, Any] = dict(
            control_id="MSG0001",
            sending_application="EPIC",
            sending_facility="NORTHCLINIC",
            receiving_application="CHAIRSIDE",
            receiving_facility="RIVERSIDE",
            at=dt.datetime(2026, 12, 1, 10, 15, tzinfo=CHICAGO),
            ack_control_id="CS1",
            trigger="A04",
        )
        base.update(kw)
        return hl7.parse(build_ack(**base))

    def test_it_answers_aa_with_the_control_id_and_swapped_parties(self) -> None:
        ack = self._ack(ack_code="AA")
        assert str(ack.segment("MSA")[1]) == "AA"
        assert str(ack.segment("MSA")[2]) == "MSG0001"
        assert str(ack.segment("MSH")[3]) == "CHAIRSIDE"
        assert str(ack.segment("MSH")[5]) == "EPIC"
        assert str(ack.segment("MSH")[9]) == "ACK^A04^ACK"

    def test_it_says_why_in_err_for_ae(self) -> None:
        error = AckError("Unknown payer BCBSIL | x", location="IN1-3", code="204")
        ack = self._ack(ack_code="AE", errors=(error,))
        err = ack.segment("ERR")
        assert str(err[2]) == "IN1^1^3"
        assert str(err[3]) == "204^Unknown key identifier^HL70357"
        assert str(err[4]) == "E"
        assert ack.unescape(str(err[8])) == "Unknown payer BCBSIL | x"

    def test_it_refuses_an_ae_without_a_reason(self) -> None:
        with pytest.raises(ValueError):
            self._ack(ack_code="AE")


def _appointment(**kw: Any) -> SiuAppointment:
    base: dict[str, Any] = dict(
        appointment_id="a-1",
        order_id="o-1",
        start=dt.datetime(2026, 12, 8, 9, 0, tzinfo=CHICAGO),
        end=dt.datetime(2026, 12, 8, 11, 30, tzinfo=CHICAGO),
        status="booked",
        patient_mrn="E1001",
        patient_last_name="Rivera",
        patient_first_name="Maria",
        patient_middle_name="",
        patient_birth_date=dt.date(1975, 3, 14),
        patient_sex="F",
        drug_code="J1745",
        drug_name="infliximab",
        location_name="Main Suite",
        chair_name="Chair 3",
        ordering_provider=SiuPerson("Okafor", "Ngozi", "1234567893"),
    )
    base.update(kw)
    return SiuAppointment(**base)


class TestSiu:
    def test_it_builds_an_s12_for_a_new_booking(self) -> None:
        text = build_siu(
            _appointment(),
            trigger="S12",
            control_id="CS9",
            at=dt.datetime(2026, 12, 1, 8, 0, tzinfo=CHICAGO),
            sending_facility="Riverside",
        )
        msg = hl7.parse(text)
        assert str(msg.segment("MSH")[9]) == "SIU^S12^SIU_S12"
        sch = msg.segment("SCH")
        assert str(sch[2]) == "a-1^CHAIRSIDE"
        assert str(sch[9]) == "150" and str(sch[25]) == "Booked"
        assert str(msg.segment("TQ1")[7]) == "20261208090000-0600"
        assert str(msg.segment("AIS")[3]) == "J1745^infliximab^HCPCS"
        assert str(msg.segment("AIL")[3]) == "Main Suite^^Chair 3"
        assert str(msg.segment("AIP")[3]) == "1234567893^Okafor^Ngozi"
        assert str(msg.segment("RGS")[2]) == "A"

    def test_it_marks_a_cancellation_deleted_and_cancelled(self) -> None:
        msg = hl7.parse(
            build_siu(
                _appointment(status="cancelled", reason="Patient unwell | fever"),
                trigger="S15",
                control_id="CS10",
                at=dt.datetime(2026, 12, 1, 8, 0, tzinfo=CHICAGO),
                sending_facility="Riverside",
            )
        )
        assert str(msg.segment("SCH")[25]) == "Cancelled"
        assert str(msg.segment("RGS")[2]) == "D"
        assert msg.unescape(str(msg.segment("SCH")[6])) == "Patient unwell | fever"

    def test_it_chooses_the_event(self) -> None:
        assert trigger_for(status="booked", new=True, placed=True) == "S12"
        assert trigger_for(status="booked", new=False, placed=True) == "S13"
        assert trigger_for(status="cancelled", new=False, placed=False) == "S15"
        assert trigger_for(status="no_show", new=False, placed=False) == "S26"
        assert trigger_for(status="checked_in", new=False, placed=False) == "S14"

    def test_it_refuses_a_naive_time(self) -> None:
        with pytest.raises(ValueError):
            build_siu(
                _appointment(start=naive(9), end=naive(10)),
                trigger="S12",
                control_id="x",
                at=dt.datetime(2026, 12, 1, tzinfo=CHICAGO),
                sending_facility="R",
            )

    def test_it_escapes_separators(self) -> None:
        assert escape("a|b^c~d\\e&f") == "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f"


def naive(hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, 8, hour, tzinfo=CHICAGO).replace(tzinfo=None)


class TestMllp:
    def test_it_frames_and_deframes_across_chunks(self) -> None:
        data = frame("MSH|a") + b"\n" + frame("MSH|b")
        deframer = Deframer()
        got = []
        for i in range(0, len(data), 3):
            got.extend(deframer.feed(data[i : i + 3]))
        assert got == ["MSH|a", "MSH|b"]
        assert data.startswith(b"\x0b") and data.endswith(b"\x1c\x0d")
