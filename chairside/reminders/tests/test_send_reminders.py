"""Sending the due reminders: each once, by the patient's channel, with only what is needed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from chairside.reminders import services
from chairside.reminders.models import SentReminder
from chairside.reminders.tasks import send_reminders
from chairside.scheduling.tests import factories as sf


class TestSendReminders:
    def test_it_emails_the_due_reminder_once(self, s: Any, booked: Any) -> None:
        first = services.reminders_send_due()
        second = services.reminders_send_due()
        assert first.sent == {"email": 1, "sms": 0}
        assert second.sent == {"email": 0, "sms": 0}
        [message] = mail.outbox
        assert message.to == ["ada@example.org"]
        assert "Tuesday 12/08/2026 at 9:00 AM" in message.body
        assert s.location.name in message.body
        assert "/reminders/r/" in message.body
        [record] = SentReminder.objects.filter(appointment=booked)
        assert (record.kind, record.channel) == ("72h", "email")

    def test_it_sends_the_24_hour_reminder_when_its_mark_comes(self, s: Any, booked: Any) -> None:
        services.reminders_send_due()
        s.clock.move_to(dt.datetime(2026, 12, 7, 9, 0, tzinfo=sf.TZ))
        services.reminders_send_due()
        services.reminders_send_due()
        kinds = sorted(
            SentReminder.objects.filter(appointment=booked).values_list("kind", flat=True)
        )
        assert kinds == ["24h", "72h"]
        assert len(mail.outbox) == 2

    def test_the_message_carries_no_clinical_detail(self, s: Any, booked: Any) -> None:
        services.reminders_send_due()
        [message] = mail.outbox
        text = f"{message.subject}\n{message.body}"
        assert s.patient.last_name not in text
        assert s.order.drug.generic_name.lower() not in text.lower()
        assert s.patient.mrn not in text

    def test_it_texts_a_patient_who_consented(self, s: Any, booked: Any, tmp_path: Any) -> None:
        s.patient.reminder_channel = "sms"
        s.patient.sms_consent_at = dt.datetime(2026, 11, 1, 10, 0, tzinfo=sf.TZ)
        s.patient.save()
        outbox = tmp_path / "sms.jsonl"
        with override_settings(
            SMS_BACKEND="chairside.reminders.sms.FileBackend", SMS_FILE_PATH=outbox
        ):
            summary = services.reminders_send_due()
        assert summary.sent == {"email": 0, "sms": 1}
        [line] = outbox.read_text().splitlines()
        text = json.loads(line)
        assert text["to"] == "+15552010101"
        assert text["body"].startswith(
            f"Hi Grace, a reminder of your appointment at {s.location.name} on"
        )
        assert mail.outbox == []

    def test_it_emails_instead_when_texts_were_not_consented(self, s: Any, booked: Any) -> None:
        s.patient.reminder_channel = "sms"
        s.patient.save()
        assert services.reminders_send_due().sent == {"email": 1, "sms": 0}

    def test_it_sends_nothing_to_a_patient_who_opted_out(self, s: Any, booked: Any) -> None:
        s.patient.reminders_opted_out_at = dt.datetime(2026, 11, 1, 10, 0, tzinfo=sf.TZ)
        s.patient.save()
        summary = services.reminders_send_due()
        assert summary.skipped == 1
        assert mail.outbox == []
        [record] = SentReminder.objects.filter(appointment=booked)
        assert record.channel == "none"
        assert "opted out" in record.skipped_reason
        assert services.reminders_send_due().skipped == 0

    def test_a_failed_text_is_tried_again_next_run(self, s: Any, booked: Any) -> None:
        s.patient.reminder_channel = "sms"
        s.patient.sms_consent_at = dt.datetime(2026, 11, 1, 10, 0, tzinfo=sf.TZ)
        s.patient.save()
        with override_settings(
            SMS_BACKEND="chairside.reminders.sms.TwilioBackend",
            SMS_API_BASE_URL="http://127.0.0.1:9",  # discard port: nothing answers
            SMS_ACCOUNT_SID="AC123",
            SMS_AUTH_TOKEN="secret",  # noqa: S106
            SMS_FROM_NUMBER="+15550000000",
        ):
            assert services.reminders_send_due().failed == 1
        assert not SentReminder.objects.filter(appointment=booked).exists()

    def test_a_moved_appointment_is_reminded_of_its_new_time(self, s: Any, booked: Any) -> None:
        from chairside.scheduling.services import appointment_move

        services.reminders_send_due()  # the 72-hour reminder for 09:00
        appointment_move(appointment=booked, user=s.coordinator, start=sf.at("11:00"))
        assert services.reminders_send_due().sent == {"email": 1, "sms": 0}
        assert "at 11:00 AM" in mail.outbox[-1].body
        assert services.reminders_send_due().sent == {"email": 0, "sms": 0}

    def test_cancelled_appointments_get_no_reminder(self, s: Any, booked: Any) -> None:
        from chairside.scheduling.services import appointment_cancel

        appointment_cancel(
            appointment=booked, user=s.coordinator, reason_code="patient_request", reason=""
        )
        assert services.reminders_send_due().sent == {"email": 0, "sms": 0}


class TestEntryPoints:
    def test_the_command_sends_and_says_what_it_did(self, s: Any, booked: Any, capsys: Any) -> None:
        call_command("sendreminders")
        assert capsys.readouterr().out.startswith("Reminders: 1 e-mail, 0 text")
        assert len(mail.outbox) == 1

    def test_the_task_sends_the_same(self, s: Any, booked: Any) -> None:
        assert send_reminders.apply().get().startswith("Reminders: 1 e-mail")

    def test_beat_runs_the_task_hourly(self) -> None:
        from django.conf import settings

        entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
        assert entry == {"task": "chairside.reminders.tasks.send_reminders", "schedule": 3600.0}


class TestDeployCheck:
    def test_it_warns_when_links_would_point_at_localhost(self) -> None:
        from chairside.reminders.checks import public_base_url_check

        with override_settings(PUBLIC_BASE_URL="http://127.0.0.1:8000"):
            [warning] = public_base_url_check(None)
        assert warning.id == "reminders.W001"
        with override_settings(PUBLIC_BASE_URL="https://infusion.example.org"):
            assert public_base_url_check(None) == []
