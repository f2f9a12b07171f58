"""Schema fuzzing: Schemathesis generates requests from /api/openapi.json for every
operation, as a logged-in administrator, and fails on any 5xx or on a response that does not
match the schema (issue 11 item 11). Bounded so it fits CI: a few examples per operation,
derandomized so a failure reproduces."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from chairside.core import testing as f

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

# A fixed CSRF secret sent as cookie and header, so unsafe methods reach the handlers.
CSRF = "a" * 32
EXAMPLES = 8


@pytest.fixture
def session_cookies(org: Any, location: Any, patient: Any) -> dict[str, str]:
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
