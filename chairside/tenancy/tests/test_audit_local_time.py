"""Audit times are shown in the site's local time (the location's time zone), not the
server's (issue 13.16)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from tests import factories as f

AT = dt.datetime(2026, 4, 20, 15, 0, 5, tzinfo=dt.UTC)


@pytest.mark.django_db
class TestAuditLocalTime:
    def _event(self, org: Any, patient: Any = None) -> None:
        # Audit rows are append-only: the event is written at AT rather than moved there.
        with time_machine.travel(AT, tick=False):
            audit_record(action=AuditEvent.Action.UPDATE, organization=org, patient=patient)

    def test_the_trail_shows_the_sites_local_time(self, org: Any) -> None:
        f.make_location(org, time_zone="America/Los_Angeles")
        self._event(org)
        client = f.login(f.make_user(org, "auditor"))
        html = client.get(reverse("tenancy:audit")).content.decode()
        assert "04/20/2026 08:00:05 PDT" in html  # 15:00 UTC in California, summer time
        assert "America/Los_Angeles" in html

    def test_the_patient_trail_too(self, org: Any) -> None:
        f.make_location(org, time_zone="America/Chicago")
        patient = f.make_patient(org)
        self._event(org, patient)
        client = f.login(f.make_user(org, "admin"))
        html = client.get(reverse("patients:audit", args=[patient.public_id])).content.decode()
        assert "04/20/2026 10:00:05 CDT" in html

    def test_without_a_site_it_uses_the_server_zone(self, org: Any) -> None:
        self._event(org)
        client = f.login(f.make_user(org, "auditor"))
        assert "04/20/2026 11:00:05 EDT" in client.get(reverse("tenancy:audit")).content.decode()
