from __future__ import annotations

from typing import Any

from django.test import Client, override_settings
from django.urls import reverse

from chairside.audit.models import AuditEvent
from tests import factories as f


class TestLogin:
    def test_it_logs_in_and_lands_on_today(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        client = Client()
        response = client.post(
            reverse("login"), {"username": "jordan", "password": "pw-test-123"}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("today")
        assert b"Today" in response.content

    @override_settings(LOGIN_MAX_FAILURES=3)
    def test_it_throttles_repeated_failures_and_audits_them(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        client = Client()
        for _ in range(3):
            assert (
                client.post(
                    reverse("login"), {"username": "jordan", "password": "wrong"}
                ).status_code
                == 200
            )
        assert AuditEvent.objects.filter(action="login_failed", username="jordan").count() == 3
        blocked = client.post(reverse("login"), {"username": "jordan", "password": "pw-test-123"})
        assert blocked.status_code == 429
        assert b"Too many failed log-ins" in blocked.content
        assert "_auth_user_id" not in client.session

    def test_the_health_check_answers(self, db: Any) -> None:
        assert Client().get(reverse("healthz")).json()["status"] == "ok"
