"""The SIU feed: booking, moving and cancelling queue HL7 messages for the EHR."""

from __future__ import annotations

from typing import Any

import hl7

from chairside.interop.models import InterfaceMessage, InterfaceSettings
from chairside.scheduling import services as scheduling
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import at
from tests import factories as f


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


class TestAppointmentImport:
    def test_it_books_upcoming_appointments_and_refuses_the_file_on_one_clash(self, s: Any) -> None:
        from chairside.interop.csv_import import csv_import_commit, csv_upload
        from chairside.scheduling.models import Appointment

        sf.make_shift(s.nurse, s.location)
        mrn, site = s.patient.mrn, s.location.name
        header = "mrn,drug,location,chair,start\n"
        clash = (
            f"{header}{mrn},J1745,{site},C01,2026-12-08 09:00\n"
            f"{mrn},J1745,{site},C01,2026-12-08 09:30\n"  # the patient is already in a chair
            f"{mrn},J1745,{site},C09,2026-12-01 09:00\n"  # no such chair, and in the past
        )
        batch = csv_upload(
            organization=s.org,
            user=s.coordinator,
            kind="appointments",
            filename="a.csv",
            data=clash.encode(),
        )
        rows = {(p["row"], p["column"]) for p in batch.problems}
        assert 2 not in {r for r, _ in rows}
        assert 3 in {r for r, _ in rows}
        assert (4, "chair") in rows
        assert csv_import_commit(batch=batch, user=s.coordinator).status == "problems"
        assert not Appointment.objects.filter(organization=s.org).exists()
        good = csv_upload(
            organization=s.org,
            user=s.coordinator,
            kind="appointments",
            filename="a.csv",
            data=clash.split("\n")[0:2][0].encode() + b"\n" + clash.split("\n")[1].encode(),
        )
        assert csv_import_commit(batch=good, user=s.coordinator).status == "imported"
        (appointment,) = Appointment.objects.filter(organization=s.org)
        assert appointment.start == at("09:00") and appointment.chair == s.chairs["C01"]
