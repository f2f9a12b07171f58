"""Proof of delivery: who received it, a typed or drawn signature, the time; a nurse
records only her own deliveries; a cold-chain box past its pack-out needs a note."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.homecare import services
from chairside.homecare.models import DeliveryTicket
from chairside.homecare.services.stops import PNG_MAGIC
from chairside.homecare.tests import factories as hf
from tests import factories as f

pytestmark = pytest.mark.django_db

DRAWN = "data:image/png;base64," + base64.b64encode(PNG_MAGIC + b"\x00" * 40).decode()


@pytest.fixture
def ticket(org: Any, home: Any) -> DeliveryTicket:
    patient = hf.make_home_patient(org, home)
    return hf.make_delivery(patient, home, timezone.localdate())


def _record(ticket: DeliveryTicket, **kw: Any) -> DeliveryTicket:
    kw.setdefault("received_by", "Sam Lee (son)")
    kw.setdefault("signature_kind", "typed")
    kw.setdefault("signature_text", "Sam Lee")
    return services.delivery_record_proof(
        organization=ticket.organization, user=None, ticket=ticket, **kw
    )


class TestRecordProof:
    def test_it_records_a_typed_signature_and_audits(self, ticket: DeliveryTicket) -> None:
        done = _record(ticket)
        assert done.status == DeliveryTicket.Status.DELIVERED
        assert done.received_by == "Sam Lee (son)" and done.signature_text == "Sam Lee"
        assert done.delivered_at is not None
        event = AuditEvent.objects.get(action=AuditEvent.Action.STATE)
        assert event.patient_id == ticket.patient.public_id
        assert event.changes["status"] == ["scheduled", "delivered"]

    def test_it_keeps_a_drawn_signature(self, ticket: DeliveryTicket) -> None:
        done = _record(ticket, signature_kind="drawn", signature_text="", signature_drawing=DRAWN)
        assert done.signature_drawing == DRAWN
        event = AuditEvent.objects.get(action=AuditEvent.Action.STATE)
        assert event.changes["signature_drawing"] == ["", "(drawn)"]  # not the image itself

    @pytest.mark.parametrize(
        ("kw", "message"),
        [
            ({"received_by": " "}, "who received"),
            ({"signature_text": ""}, "Type the receiver's name"),
            ({"signature_kind": "drawn", "signature_drawing": ""}, "did not arrive as an image"),
            (
                {"signature_kind": "drawn", "signature_drawing": "data:image/png;base64,@@"},
                "damaged",
            ),
            ({"signature_kind": "stamp"}, "typed or a drawn"),
        ],
    )
    def test_it_refuses_incomplete_proof(
        self, ticket: DeliveryTicket, kw: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(ValidationError, match=message):
            _record(ticket, **kw)
        ticket.refresh_from_db()
        assert ticket.status == DeliveryTicket.Status.SCHEDULED

    def test_it_refuses_a_second_proof(self, ticket: DeliveryTicket) -> None:
        _record(ticket)
        with pytest.raises(ValidationError, match="delivered already"):
            _record(ticket)

    def test_it_asks_for_a_note_when_the_cold_chain_ran_out(self, org: Any, home: Any) -> None:
        patient = hf.make_home_patient(org, home)
        now = timezone.now()
        ticket = hf.make_delivery(
            patient,
            home,
            timezone.localdate(),
            cold_chain=True,
            packed_out_at=now - dt.timedelta(hours=30),
            validity_hours=24,
        )
        with pytest.raises(ValidationError, match="cold-chain pack-out was valid until"):
            _record(ticket)
        done = _record(ticket, delivery_note="Pharmacist told; replacement sent")
        assert done.delivery_note.startswith("Pharmacist")


class TestWhoRecords:
    def test_a_nurse_records_her_own_delivery_only(
        self, org: Any, home: Any, ticket: DeliveryTicket
    ) -> None:
        user = f.make_user(org, "nurse")
        nurse = hf.make_staff(org, "RN", user=user)
        client = f.login(user)
        form = {"received_by": "Pat", "signature_kind": "typed", "signature_text": "Pat"}
        assert (
            client.post(f"/homecare/deliveries/{ticket.public_id}/proof/", form).status_code == 404
        )
        ticket.refresh_from_db()
        assert ticket.status != DeliveryTicket.Status.DELIVERED and ticket.recorded_by is None
        ticket.assigned_to = nurse
        ticket.save()
        response = client.post(f"/homecare/deliveries/{ticket.public_id}/proof/", form)
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.status == DeliveryTicket.Status.DELIVERED and ticket.recorded_by == user

    def test_a_biller_cannot_record_delivery(self, org: Any, ticket: DeliveryTicket) -> None:
        client = f.login(f.make_user(org, "biller"))
        form = {"received_by": "Pat", "signature_kind": "typed", "signature_text": "Pat"}
        assert (
            client.post(f"/homecare/deliveries/{ticket.public_id}/proof/", form).status_code == 403
        )
        ticket.refresh_from_db()
        assert ticket.status != DeliveryTicket.Status.DELIVERED and ticket.recorded_by is None

    def test_another_organization_cannot_see_the_ticket(
        self, other_org: Any, ticket: DeliveryTicket
    ) -> None:
        client = f.login(f.make_user(other_org, "coordinator"))
        assert client.get(f"/homecare/deliveries/{ticket.public_id}/").status_code == 404

    def test_the_page_shows_the_signature_pad_from_a_static_file(
        self, org: Any, ticket: DeliveryTicket
    ) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        page = client.get(f"/homecare/deliveries/{ticket.public_id}/").content.decode()
        assert "homecare/signature.js" in page and "data-signature-pad" in page
        assert "<script>" not in page and "onclick" not in page
