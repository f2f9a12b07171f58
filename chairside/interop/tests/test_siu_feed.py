"""The SIU feed: booking, moving and cancelling queue HL7 messages for the EHR."""

from __future__ import annotations

from typing import Any

import hl7

from chairside.core import testing as f
from chairside.interop.models import InterfaceMessage, InterfaceSettings
from chairside.scheduling import services as scheduling
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import at


def _feed_on(org: Any) -> None:
    InterfaceSettings.objects.create(
        organization=org, facility_name="Riverside", siu_feed_enabled=True
    )


def _book(s: Any) -> Any:
    sf.make_shift(s.nurse, s.location)
    return scheduling.appointment_book(
        organization=s.org,
        user=s.coordinator,
        order=s.order,
        chair=s.chairs["C01"],
        start=at("09:00"),
    ).appointment


def _queued(org: Any) -> list[InterfaceMessage]:
    return list(InterfaceMessage.objects.filter(organization=org, direction="out").order_by("id"))


class TestFeed:
    def test_it_queues_an_s12_when_an_appointment_is_booked(self, s: Any) -> None:
        _feed_on(s.org)
        appointment = _book(s)
        (message,) = _queued(s.org)
        assert message.message_type == "SIU^S12"
        assert message.status == InterfaceMessage.Status.QUEUED
        assert message.appointment == appointment and message.patient == s.patient
        parsed = hl7.parse(message.raw)
        assert str(parsed.segment("SCH")[2]) == f"{appointment.public_id}^CHAIRSIDE"
        assert str(parsed.segment("PID")[3]).startswith(s.patient.mrn)
        assert str(parsed.segment("TQ1")[7]) == "20261208090000-0500"
        assert str(parsed.segment("MSH")[10]) == message.control_id

    def test_it_queues_an_s15_when_the_appointment_is_cancelled(self, s: Any) -> None:
        _feed_on(s.org)
        appointment = _book(s)
        scheduling.appointment_cancel(
            appointment=appointment, user=s.coordinator, reason_code="illness", reason="Fever"
        )
        kinds = [m.message_type for m in _queued(s.org)]
        assert kinds == ["SIU^S12", "SIU^S15"]
        cancelled = hl7.parse(_queued(s.org)[1].raw)
        assert str(cancelled.segment("SCH")[25]) == "Cancelled"

    def test_it_queues_nothing_when_the_feed_is_off(self, s: Any) -> None:
        _book(s)
        assert _queued(s.org) == []

    def test_the_coordinator_downloads_the_waiting_messages_once(self, s: Any) -> None:
        _feed_on(s.org)
        _book(s)
        client = f.login(s.coordinator)
        response = client.post("/interfaces/feed.hl7")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response.content.decode().startswith("MSH|^~\\&|CHAIRSIDE|Riverside")
        assert _queued(s.org)[0].status == InterfaceMessage.Status.DOWNLOADED
        again = client.post("/interfaces/feed.hl7")
        assert again.status_code == 302  # nothing left waiting
