"""Per-token rate limit (issue 19.5): past API_TOKEN_RATE_PER_MINUTE a token's calls answer
429 with Retry-After and a sentence; other tokens and the next minute are not affected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from chairside.api import tokens
from tests import factories as f

START = dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC)


def _token(org: Any, role: str = "coordinator") -> str:
    _, text = tokens.token_create_personal(
        organization=org,
        user=f.make_user(org, role),
        name="script",
        expires_in_days=30,
        password=f.TEST_PASSWORD,
    )
    return text


def _get(text: str, path: str = "/api/v1/patients") -> Any:
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}").get(path)


@pytest.mark.django_db
class TestTokenRateLimit:
    def test_it_answers_429_with_retry_after_past_the_limit(self, org: Any, settings: Any) -> None:
        settings.API_TOKEN_RATE_PER_MINUTE = 3
        text = _token(org)
        with time_machine.travel(START, tick=False):
            assert [_get(text).status_code for _ in range(3)] == [200, 200, 200]
            refused = _get(text)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "50"  # the minute ends 50 s after 09:00:10
        assert "more than 3 requests in a minute" in refused.json()["detail"]

    def test_the_next_minute_starts_a_new_count(self, org: Any, settings: Any) -> None:
        settings.API_TOKEN_RATE_PER_MINUTE = 1
        text = _token(org)
        with time_machine.travel(START, tick=False):
            assert _get(text).status_code == 200
            assert _get(text).status_code == 429
        with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
            assert _get(text).status_code == 200

    def test_each_token_has_its_own_count(self, org: Any, settings: Any) -> None:
        settings.API_TOKEN_RATE_PER_MINUTE = 1
        first, second = _token(org), _token(org)
        with time_machine.travel(START, tick=False):
            assert _get(first).status_code == 200
            assert _get(first).status_code == 429
            assert _get(second).status_code == 200

    def test_a_fhir_client_gets_an_operation_outcome(self, org: Any, settings: Any) -> None:
        settings.API_TOKEN_RATE_PER_MINUTE = 1
        text = _token(org)
        with time_machine.travel(START, tick=False):
            _get(text, "/fhir/r4/Patient")
            refused = _get(text, "/fhir/r4/Patient")
        assert refused.status_code == 429
        assert refused.json()["resourceType"] == "OperationOutcome"
        assert refused.json()["issue"][0]["code"] == "throttled"

    def test_zero_turns_the_limit_off_and_sessions_are_not_counted(
        self, org: Any, settings: Any
    ) -> None:
        settings.API_TOKEN_RATE_PER_MINUTE = 0
        text = _token(org)
        assert {_get(text).status_code for _ in range(5)} == {200}
        settings.API_TOKEN_RATE_PER_MINUTE = 1
        session = f.login(f.make_user(org, "coordinator"))
        assert {session.get("/api/v1/patients").status_code for _ in range(3)} == {200}

    def test_the_default_is_a_sane_figure(self) -> None:
        from django.conf import settings as live

        assert 60 <= live.API_TOKEN_RATE_PER_MINUTE <= 10_000
