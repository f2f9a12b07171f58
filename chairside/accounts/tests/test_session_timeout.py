"""Issue 11.3: automatic log-off after inactivity and at an absolute limit, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from chairside.audit.models import AuditEvent
from tests import factories as f

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _log_in(username: str, password: str = f.TEST_PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302
    return client


class TestIdleLogOff:
    def test_it_logs_off_after_the_idle_time_and_audits_it(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(START, tick=False) as clock:
            client = _log_in("jordan")
            assert client.get(reverse("today")).status_code == 200
            clock.shift(dt.timedelta(seconds=901))
            response = client.get(reverse("patients:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert "ended=idle" in response["Location"]
        assert "_auth_user_id" not in client.session
        event = AuditEvent.objects.get(action="logout", username="jordan")
        assert "15 minutes without activity" in event.reason
        assert event.organization == org

    def test_activity_keeps_the_session_alive(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(START, tick=False) as clock:
            client = _log_in("jordan")
            for _ in range(4):
                clock.shift(dt.timedelta(seconds=600))
                assert client.get(reverse("today")).status_code == 200

    def test_reading_the_session_clock_is_not_activity(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(START, tick=False) as clock:
            client = _log_in("jordan")
            clock.shift(dt.timedelta(seconds=840))
            status = client.get(reverse("accounts:session"))
            assert status.json()["seconds_left"] == 60
            clock.shift(dt.timedelta(seconds=61))
            assert client.get(reverse("accounts:session")).status_code == 401

    def test_stay_logged_in_is_activity(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(START, tick=False) as clock:
            client = _log_in("jordan")
            clock.shift(dt.timedelta(seconds=850))
            assert client.post(reverse("accounts:session")).json()["seconds_left"] == 900
            clock.shift(dt.timedelta(seconds=850))
            assert client.get(reverse("today")).status_code == 200

    @override_settings(SESSION_IDLE_SECONDS=300)
    def test_the_idle_time_is_a_setting(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(START, tick=False) as clock:
            client = _log_in("jordan")
            clock.shift(dt.timedelta(seconds=301))
            assert client.get(reverse("today")).status_code == 302


class TestAbsoluteLimit:
    @override_settings(SESSION_ABSOLUTE_SECONDS=3600)
    def test_it_logs_off_at_the_limit_however_active(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(START, tick=False) as clock:
            client = _log_in("jordan")
            for _ in range(5):
                clock.shift(dt.timedelta(seconds=600))
                assert client.get(reverse("today")).status_code == 200
            clock.shift(dt.timedelta(seconds=601))
            response = client.get(reverse("today"))
        assert response.status_code == 302
        assert "ended=limit" in response["Location"]
        assert "session limit" in AuditEvent.objects.get(action="logout").reason

    def test_the_default_limit_is_twelve_hours(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(START, tick=False) as clock:
            client = _log_in("jordan")
            for _ in range(12 * 4):
                clock.shift(dt.timedelta(minutes=15) - dt.timedelta(seconds=1))
                client.get(reverse("accounts:home"))
            clock.shift(dt.timedelta(minutes=15))
            assert client.get(reverse("accounts:home")).status_code == 302


class TestAfterTheSessionEnded:
    def test_htmx_is_sent_to_log_in_with_a_page_redirect(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(START, tick=False) as clock:
            client = _log_in("jordan")
            clock.shift(dt.timedelta(seconds=901))
            response = client.get(reverse("patients:list"), {"q": "a"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 401
        assert response["HX-Redirect"].startswith(reverse("login"))

    def test_htmx_without_a_session_is_sent_to_log_in_too(self, db: Any) -> None:
        response = Client().get(reverse("patients:list"), HTTP_HX_REQUEST="true")
        assert response.status_code == 401
        assert response["HX-Redirect"].startswith(reverse("login"))

    def test_the_api_answers_401_with_a_message(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(START, tick=False) as clock:
            client = _log_in("jordan")
            assert client.get("/api/v1/patients").status_code == 200
            clock.shift(dt.timedelta(seconds=901))
            response = client.get("/api/v1/patients")
        assert response.status_code == 401
        assert "logged off" in response.json()["detail"]

    def test_the_log_in_page_says_why(self, db: Any) -> None:
        response = Client().get(reverse("login"), {"ended": "idle"})
        assert b"15 minutes without activity" in response.content


class TestLogInAndOutAreAudited:
    def test_a_log_in_is_audited_in_the_active_organization(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        _log_in("jordan")
        event = AuditEvent.objects.get(action="login")
        assert (event.username, event.organization, event.ip_address) == (
            "jordan",
            org,
            "127.0.0.1",
        )

    def test_a_log_out_is_audited(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        client = _log_in("jordan")
        assert client.post(reverse("logout")).status_code == 302
        event = AuditEvent.objects.get(action="logout")
        assert (event.username, event.organization, event.reason) == ("jordan", org, "logged out")
        assert "_auth_user_id" not in client.session


class TestIdleWarning:
    def test_every_page_carries_the_warning_and_its_script_without_inline_code(
        self, org: Any
    ) -> None:
        f.make_user(org, "nurse", username="jordan")
        html = _log_in("jordan").get(reverse("today")).content.decode()
        assert 'id="idle-warning"' in html
        assert 'data-warning="60"' in html and 'data-idle="900"' in html
        assert "accounts/session.js" in html
        dialog = html[html.index('<div id="session-clock"') :]
        assert "<script>" not in dialog and " onclick=" not in dialog
