"""Receiving HL7 v2 messages: applied through the services, answered AA / AE / AR, stored."""

from __future__ import annotations

from typing import Any

import hl7
import pytest
import time_machine

from chairside.access.referrals.models import Referral, TreatmentOrder
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from chairside.interop import services
from chairside.interop.models import InterfaceMessage
from chairside.interop.tests import samples as s
from chairside.patients.models import Coverage, Patient
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel("2026-12-01 15:00Z", tick=False):
        yield


def _msa(message: InterfaceMessage) -> tuple[str, str]:
    ack = hl7.parse(message.ack)
    return str(ack.segment("MSA")[1]), str(ack.segment("MSA")[2])


def _err(message: InterfaceMessage) -> tuple[str, str]:
    err = hl7.parse(message.ack).segment("ERR")
    return str(err[2]), hl7.parse(message.ack).unescape(str(err[8]))


@pytest.fixture
def payer(org: Any) -> Any:
    return f.make_payer(org, name="Blue Cross IL", payer_id="BCBSIL")


class TestAdt:
    def test_it_registers_the_patient_and_coverage_and_answers_aa(
        self, org: Any, payer: Any
    ) -> None:
        message = services.hl7_receive(organization=org, raw=s.adt())
        assert _msa(message) == ("AA", "MSG0001")
        assert message.status == InterfaceMessage.Status.ACCEPTED
        patient = Patient.objects.get(organization=org, mrn="E1001")
        assert (patient.last_name, patient.city, patient.sex) == ("Rivera", "Springfield", "F")
        coverage = Coverage.objects.get(patient=patient)
        assert (coverage.payer, coverage.member_id, coverage.order) == (payer, "XOF123456789", 1)
        assert message.patient == patient
        created = AuditEvent.objects.filter(action="create", patient_id=patient.public_id)
        assert created.exists()
        first = created.first()
        assert first is not None and first.username.startswith("hl7-")

    def test_it_updates_on_a08_and_keeps_fields_not_sent(self, org: Any, payer: Any) -> None:
        services.hl7_receive(organization=org, raw=s.adt())
        update = s.adt(kind="A08", control_id="MSG0002", last="Rivera-Diaz").replace(
            "^PRN^PH^^1^217^5550142", ""
        )
        message = services.hl7_receive(organization=org, raw=update)
        assert _msa(message)[0] == "AA"
        patient = Patient.objects.get(organization=org, mrn="E1001")
        assert patient.last_name == "Rivera-Diaz"
        assert patient.phone == "(217) 555-0142"  # empty PID-13: not erased
        assert Coverage.objects.filter(patient=patient).count() == 1

    def test_it_answers_ae_for_an_unknown_payer_and_writes_nothing(self, org: Any) -> None:
        message = services.hl7_receive(organization=org, raw=s.adt())
        assert _msa(message)[0] == "AE"
        location, text = _err(message)
        assert location == "IN1^1^3"
        assert "Unknown payer BCBSIL" in text
        assert message.status == InterfaceMessage.Status.ERROR
        assert not Patient.objects.filter(organization=org).exists()  # one transaction

    def test_it_answers_ae_for_an_invalid_birth_date(self, org: Any, payer: Any) -> None:
        message = services.hl7_receive(organization=org, raw=s.adt(dob="20261340"))
        assert _msa(message)[0] == "AE"
        assert _err(message)[0] == "PID^1^7"
        assert not Patient.objects.filter(organization=org).exists()

    def test_it_answers_ae_for_a_birth_date_in_the_future(self, org: Any, payer: Any) -> None:
        message = services.hl7_receive(organization=org, raw=s.adt(dob="20270101"))
        assert _msa(message)[0] == "AE"
        assert "future" in _err(message)[1]

    def test_it_answers_ar_for_an_unsupported_message_type(self, org: Any, payer: Any) -> None:
        raw = s.adt().replace("ADT^A04^ADT_A01", "ORU^R01^ORU_R01")
        message = services.hl7_receive(organization=org, raw=raw)
        assert _msa(message) == ("AR", "MSG0001")
        assert message.status == InterfaceMessage.Status.REJECTED
        assert "ORU^R01" in message.error
        assert message.raw.startswith("MSH|")

    def test_it_refuses_an_update_for_an_unknown_mrn(self, org: Any, payer: Any) -> None:
        message = services.hl7_receive(organization=org, raw=s.adt(kind="A08"))
        assert _msa(message)[0] == "AE"
        assert "register the patient" in message.error

    def test_it_refuses_a_likely_duplicate_under_a_new_mrn(self, org: Any, payer: Any) -> None:
        services.hl7_receive(organization=org, raw=s.adt())
        message = services.hl7_receive(organization=org, raw=s.adt(mrn="E9999", control_id="M2"))
        assert _msa(message)[0] == "AE"
        assert "E1001" in message.error
        assert Patient.objects.filter(organization=org).count() == 1

    def test_it_does_not_apply_a_resent_message_twice(self, org: Any, payer: Any) -> None:
        first = services.hl7_receive(organization=org, raw=s.adt())
        again = services.hl7_receive(organization=org, raw=s.adt())
        assert again.pk == first.pk
        assert InterfaceMessage.objects.filter(organization=org).count() == 1

    def test_it_reprocesses_an_ae_once_the_payer_exists(self, org: Any, admin_user: Any) -> None:
        message = services.hl7_receive(organization=org, raw=s.adt())
        assert message.status == InterfaceMessage.Status.ERROR
        f.make_payer(org, name="Blue Cross IL", payer_id="BCBSIL")
        done = services.hl7_reprocess(message=message, user=admin_user)
        assert done.status == InterfaceMessage.Status.ACCEPTED
        assert done.attempts == 2
        assert Patient.objects.filter(organization=org, mrn="E1001").exists()

    def test_it_keeps_organizations_apart(self, org: Any, other_org: Any, payer: Any) -> None:
        f.make_payer(other_org, name="Blue Cross IL", payer_id="BCBSIL")
        f.make_patient(other_org, mrn="E1001", last_name="Someone", first_name="Else")
        message = services.hl7_receive(organization=org, raw=s.adt())
        assert message.status == InterfaceMessage.Status.ACCEPTED
        assert Patient.objects.get(organization=other_org, mrn="E1001").last_name == "Someone"
        assert Patient.objects.get(organization=org, mrn="E1001").last_name == "Rivera"
        # the other organization's payer is not "known" to this one
        message2 = services.hl7_receive(
            organization=other_org, raw=s.adt(payer_id="NOPE", name="Nope", control_id="X2")
        )
        assert message2.status == InterfaceMessage.Status.ERROR


class TestOrders:
    def test_it_puts_an_orm_referral_in_the_intake_queue_with_a_draft_order(
        self, org: Any, payer: Any
    ) -> None:
        rf.formulary(org)
        npi = rf.valid_npi()
        f.make_patient(org, mrn="E1001", first_name="Maria", last_name="Rivera", weight_kg="70")
        message = services.hl7_receive(organization=org, raw=s.orm(npi))
        assert _msa(message)[0] == "AA", message.error
        referral = Referral.objects.get(organization=org)
        assert referral.state == "received"
        assert referral.referring_provider.npi == npi
        assert referral.requested_drug is not None
        assert referral.requested_drug.hcpcs == "J1745"
        assert referral.diagnosis_code == "K50.90"
        assert "ORM^O01 ORD0001" in referral.clinical_notes
        order = TreatmentOrder.objects.get(organization=org)
        assert order.referral == referral and not order.is_signed
        assert message.referral == referral

    def test_it_answers_ae_for_an_invalid_ordering_npi(self, org: Any) -> None:
        rf.formulary(org)
        message = services.hl7_receive(organization=org, raw=s.orm("1234567890"))
        assert _msa(message)[0] == "AE"
        assert _err(message)[0] == "ORC^1^12"
        assert not Referral.objects.filter(organization=org).exists()
        assert not Patient.objects.filter(organization=org).exists()

    def test_it_takes_a_ref_i12_with_a_drug_outside_the_formulary_as_a_warning(
        self, org: Any
    ) -> None:
        npi = rf.valid_npi()
        raw = s.ref_i12(npi).replace("J1745^Infliximab", "X9999^Unlisted biologic")
        message = services.hl7_receive(organization=org, raw=raw)
        assert _msa(message)[0] == "AA"
        err = hl7.parse(message.ack).segment("ERR")
        assert str(err[4]) == "W"
        referral = Referral.objects.get(organization=org)
        assert referral.requested_drug is None
        assert referral.requested_drug_text == "Unlisted biologic"
        assert referral.is_urgent
