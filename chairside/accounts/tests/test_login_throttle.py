"""Issue 11.6: a throttle that cannot be bypassed (every spelling of a name meets one lock;
the real client address behind a trusted proxy) or abused (an address is slowed, never
locked out), covering the Django admin's log-in too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from chairside.accounts import throttle
from chairside.audit.models import AuditEvent
from tests import factories as f


@pytest.fixture
def waits(monkeypatch: Any) -> list[float]:
    """Record the slow-down instead of sleeping."""
    seen: list[float] = []
    monkeypatch.setattr(throttle, "slow_down", seen.append)
    monkeypatch.setattr("chairside.accounts.views.slow_down", seen.append)
    return seen


def _post(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


class TestUserNameLock:
    @override_settings(LOGIN_MAX_FAILURES=5)
    def test_full_width_and_upper_case_spellings_meet_the_same_lock(
        self, org: Any, waits: list[float]
    ) -> None:
        f.make_user(org, "nurse", username="jordan")
        client = Client()
        for spelling in ("ｊｏｒｄａｎ", "JORDAN", "Ｊordan", "jordan ", "ＪＯＲＤＡＮ"):
            assert _post(client, spelling, "wrong-password").status_code == 200
        assert set(
            AuditEvent.objects.filter(action="login_failed").values_list("username", flat=True)
        ) == {"jordan"}
        locked = _post(client, "jordan", f.TEST_PASSWORD)
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_any_spelling_of_the_name_logs_in(self, org: Any, waits: list[float]) -> None:
        f.make_user(org, "nurse", username="jordan")
        assert _post(Client(), "ＪＯＲＤＡＮ", f.TEST_PASSWORD).status_code == 302


class TestAddressSlowDown:
    @override_settings(LOGIN_ADDRESS_SLOWDOWN_AFTER=20, LOGIN_ADDRESS_DELAY_SECONDS=2)
    def test_many_failures_from_one_address_slow_it_but_never_lock_a_colleague_out(
        self, org: Any, waits: list[float]
    ) -> None:
        f.make_user(org, "nurse", username="jordan")
        client = Client()
        for n in range(25):
            _post(client, f"guess{n}", "wrong-password")
        assert waits[:20] == [0.0] * 20
        assert waits[20:] == [2.0] * 5
        response = _post(client, "jordan", f.TEST_PASSWORD)
        assert response.status_code == 302
        assert waits[-1] == 2.0  # slowed, and let in

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(
        self, org: Any, waits: list[float]
    ) -> None:
        _post(
            Client(),
            "jordan",
            "wrong-password",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
        )
        assert AuditEvent.objects.get(action="login_failed").ip_address == "203.0.113.9"

    def test_without_a_trusted_proxy_a_forged_header_is_ignored(
        self, org: Any, waits: list[float]
    ) -> None:
        _post(
            Client(),
            "jordan",
            "wrong-password",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
        assert AuditEvent.objects.get(action="login_failed").ip_address == "10.0.0.2"

    @override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_ADDRESS_SLOWDOWN_AFTER=3)
    def test_the_slow_down_follows_the_real_client_not_the_proxy(
        self, org: Any, waits: list[float]
    ) -> None:
        for _ in range(3):
            _post(
                Client(),
                "x",
                "wrong-password",
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR="203.0.113.9",
            )
        _post(
            Client(),
            "y",
            "wrong-password",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
        assert waits == [0.0, 0.0, 0.0, 0.0]
        _post(
            Client(),
            "z",
            "wrong-password",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
        assert waits[-1] > 0


class TestDjangoAdminLogIn:
    def test_it_goes_through_the_apps_log_in(self, db: Any) -> None:
        response = Client().get("/django-admin/login/", {"next": "/django-admin/"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert "next=%2Fdjango-admin%2F" in response["Location"]

    def test_a_post_there_logs_nobody_in(self, db: Any) -> None:
        from django.contrib.auth import get_user_model

        get_user_model().objects.create_superuser("root", password=f.TEST_PASSWORD)
        client = Client()
        response = client.post(
            "/django-admin/login/", {"username": "root", "password": f.TEST_PASSWORD}
        )
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session

    def test_a_superuser_needs_two_factor_for_the_admin(self, db: Any, waits: list[float]) -> None:
        from django.contrib.auth import get_user_model

        get_user_model().objects.create_superuser("root", password=f.TEST_PASSWORD)
        client = Client()
        response = client.post(
            reverse("login"),
            {"username": "root", "password": f.TEST_PASSWORD, "next": "/django-admin/"},
        )
        assert response["Location"].startswith(reverse("accounts:two_factor_enrol"))
        assert client.get("/django-admin/").status_code == 302
        assert AuditEvent.objects.filter(action="login").count() == 0
