"""The reminder's link: confirm or ask to reschedule, without logging in; audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.test import Client
from django.urls import reverse

from chairside.audit.models import AuditEvent
from chairside.reminders import services
from chairside.reminders.models import RescheduleRequest
from chairside.rules.scheduling import appointment_states as states
from chairside.scheduling.tests import factories as sf
from tests import factories as f


def _url(appointment: Any) -> str:
    return reverse("reminders:answer", args=[services.reminder_token(appointment)])


class TestAnswerLink:
    def test_it_shows_the_appointment_to_an_anonymous_visitor(self, s: Any, booked: Any) -> None:
        page = Client().get(_url(booked))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Grace" in text
        assert "Tuesday 12/08/2026 at 9:00 AM" in text
        assert s.patient.last_name not in text
        booked.refresh_from_db()
        assert booked.status == states.BOOKED  # opening the link changes nothing
        event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, username=services.LINK_USER)
        assert event.patient_id == s.patient.public_id

    def test_confirm_confirms_the_appointment_and_is_audited(self, s: Any, booked: Any) -> None:
        client = Client()
        answer = client.post(_url(booked), {"action": "confirm"})
        assert answer.status_code == 302
        booked.refresh_from_db()
        assert booked.status == states.CONFIRMED
        assert "is confirmed" in client.get(answer["Location"]).content.decode()
        event = AuditEvent.objects.filter(
            username=services.LINK_USER, action=AuditEvent.Action.STATE
        ).get()
        assert event.reason == "Confirmed through the reminder link"
        assert event.object_id == booked.public_id

    def test_reschedule_puts_one_request_in_the_queue(self, s: Any, booked: Any) -> None:
        client = Client()
        client.post(_url(booked), {"action": "reschedule"})
        client.post(_url(booked), {"action": "reschedule"})
        [request] = RescheduleRequest.objects.filter(appointment=booked)
        assert request.handled_at is None
        assert (
            AuditEvent.objects.filter(
                username=services.LINK_USER, reason__startswith="Asked to reschedule"
            ).count()
            == 1
        )

    def test_an_expired_link_gets_a_clear_page(self, s: Any, booked: Any) -> None:
        url = _url(booked)
        s.clock.move_to(dt.datetime(2026, 12, 11, 9, 0, tzinfo=sf.TZ))  # 97 hours later
        page = Client().post(url, {"action": "confirm"})
        assert page.status_code == 410
        assert "This link has expired" in page.content.decode()
        booked.refresh_from_db()
        assert booked.status == states.BOOKED

    def test_a_tampered_link_gets_a_clear_page(self, s: Any, booked: Any) -> None:
        token = services.reminder_token(booked)
        other = f.make_patient(s.org)
        forged = token.replace(booked.public_id.hex, other.public_id.hex)
        for bad in (forged, "nonsense", token + "x"):
            page = Client().get(reverse("reminders:answer", args=[bad]))
            assert page.status_code == 400
            assert "This link is not valid" in page.content.decode()

    def test_a_link_signed_for_something_else_is_refused(self, s: Any, booked: Any) -> None:
        token = signing.TimestampSigner().sign(booked.public_id.hex)  # no reminder salt
        assert Client().get(reverse("reminders:answer", args=[token])).status_code == 400

    def test_a_past_appointment_can_no_longer_be_answered(self, s: Any, booked: Any) -> None:
        url = _url(booked)
        s.clock.move_to(dt.datetime(2026, 12, 8, 10, 0, tzinfo=sf.TZ))
        page = Client().post(url, {"action": "reschedule"})
        assert page.status_code == 200
        assert "can no longer be changed online" in page.content.decode()
        assert not RescheduleRequest.objects.exists()


class TestRequestsQueue:
    def test_the_coordinator_sees_and_clears_the_request(self, s: Any, booked: Any) -> None:
        Client().post(_url(booked), {"action": "reschedule"})
        client = f.login(s.coordinator)
        today = client.get(reverse("today")).content.decode()
        assert "Patients asking to reschedule" in today
        queue = client.get(reverse("reminders:requests")).content.decode()
        assert s.patient.full_name in queue
        [request] = RescheduleRequest.objects.all()
        client.post(reverse("reminders:request_done", args=[request.public_id]))
        request.refresh_from_db()
        assert request.handled_by == s.coordinator
        assert "No requests waiting" in client.get(reverse("reminders:requests")).content.decode()

    def test_another_organization_cannot_clear_it(
        self, s: Any, booked: Any, other_org: Any
    ) -> None:
        Client().post(_url(booked), {"action": "reschedule"})
        [request] = RescheduleRequest.objects.all()
        stranger = f.login(f.make_user(other_org, "coordinator"))
        answer = stranger.post(reverse("reminders:request_done", args=[request.public_id]))
        assert answer.status_code == 404
        request.refresh_from_db()
        assert request.handled_at is None
        assert "No requests waiting" in stranger.get(reverse("reminders:requests")).content.decode()
