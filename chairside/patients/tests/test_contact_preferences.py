"""Reminder preferences: channel, consent to texts and opt-out, each dated and audited."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from chairside.audit.models import AuditEvent


def _url(patient: Any) -> str:
    return reverse("patients:contact", args=[patient.public_id])


class TestContactPreferences:
    def test_it_records_consent_to_texts_with_its_date(
        self, coordinator_client: Any, patient: Any
    ) -> None:
        patient.phone = "555-201-0101"
        patient.save()
        answer = coordinator_client.post(_url(patient), {"channel": "sms", "sms_consent": "on"})
        assert answer.status_code == 302
        patient.refresh_from_db()
        assert patient.reminder_channel == "sms"
        assert patient.sms_consent_at is not None
        event = AuditEvent.objects.get(reason="Contact preferences")
        assert event.changes["reminder_channel"] == ["email", "sms"]
        chart = coordinator_client.get(reverse("patients:chart", args=[patient.public_id]))
        assert "texts consented" in chart.content.decode()

    def test_a_consent_keeps_its_first_date(self, coordinator_client: Any, patient: Any) -> None:
        patient.phone = "555-201-0101"
        patient.save()
        coordinator_client.post(_url(patient), {"channel": "sms", "sms_consent": "on"})
        patient.refresh_from_db()
        first = patient.sms_consent_at
        coordinator_client.post(_url(patient), {"channel": "sms", "sms_consent": "on"})
        patient.refresh_from_db()
        assert patient.sms_consent_at == first

    def test_it_refuses_texts_without_consent(self, coordinator_client: Any, patient: Any) -> None:
        patient.phone = "555-201-0101"
        patient.save()
        answer = coordinator_client.post(_url(patient), {"channel": "sms"})
        assert answer.status_code == 400
        assert "need the patient&#x27;s consent" in answer.content.decode()
        patient.refresh_from_db()
        assert patient.reminder_channel == "email"

    def test_it_refuses_texts_without_a_phone(self, coordinator_client: Any, patient: Any) -> None:
        answer = coordinator_client.post(_url(patient), {"channel": "sms", "sms_consent": "on"})
        assert answer.status_code == 400
        assert "US phone number" in answer.content.decode()
        patient.refresh_from_db()
        assert (patient.reminder_channel, patient.sms_consent_at) == ("email", None)

    def test_withdrawing_consent_and_opting_out_are_recorded(
        self, coordinator_client: Any, patient: Any
    ) -> None:
        patient.phone = "555-201-0101"
        patient.save()
        coordinator_client.post(_url(patient), {"channel": "sms", "sms_consent": "on"})
        coordinator_client.post(_url(patient), {"channel": "sms", "opted_out": "on"})
        patient.refresh_from_db()
        assert patient.sms_consent_at is None
        assert patient.reminders_opted_out_at is not None

    def test_another_organization_cannot_reach_it(
        self, coordinator_client: Any, foreign_patient: Any
    ) -> None:
        assert coordinator_client.get(_url(foreign_patient)).status_code == 404
