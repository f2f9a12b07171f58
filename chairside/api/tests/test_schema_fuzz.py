"""Schema fuzzing: Schemathesis generates requests from /api/openapi.json for every
operation, as a logged-in administrator, and fails on any 5xx or on a response that does not
match the schema (issue 11 item 11). Bounded so it fits CI: a few examples per operation,
derandomized so a failure reproduces."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests import factories as f

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

# A fixed CSRF secret sent as cookie and header, so unsafe methods reach the handlers.
CSRF = "a" * 32
EXAMPLES = 8


@pytest.fixture
def keep_test_connection() -> Any:
    """Requests go through the raw WSGI app, which (unlike Django's test client) closes the
    database connection at each request's start and end: on PostgreSQL that would close the
    test's own transaction. Detach those handlers for the test, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def session_cookies(
    keep_test_connection: Any, org: Any, location: Any, patient: Any
) -> dict[str, str]:
    client = f.login(f.make_user(org, "admin"))
    return {
        django_settings.SESSION_COOKIE_NAME: client.cookies[
            django_settings.SESSION_COOKIE_NAME
        ].value,
        django_settings.CSRF_COOKIE_NAME: CSRF,
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_answers_5xx_or_off_schema(case: Any, session_cookies: Any) -> None:
    case.call_and_validate(
        cookies=session_cookies,
        headers={"X-CSRFToken": CSRF},
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )
