"""Schema fuzzing: Schemathesis generates requests from /api/openapi.json for every
operation (the issue 19 lists and reports included), as an administrator's API token on a
small dataset, and fails on any 5xx or on a response that does not match the schema (issue 11
item 11, issue 19 item 2). Bounded so it fits CI: a few examples per operation, derandomized
so a failure reproduces."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from chairside.api import tokens
from tests import factories as f

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

EXAMPLES = 3


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
def token_headers(
    keep_test_connection: Any, org: Any, location: Any, patient: Any
) -> dict[str, str]:
    """An administrator's API token, on an organization with a site, chairs, a patient with a
    coverage and another organization beside it (every list has a row to page)."""
    f.make_coverage(patient, f.make_payer(org))
    f.make_patient(f.make_org("Elsewhere Infusion"), first_name="Other", last_name="Person")
    _, text = tokens.token_create_personal(
        organization=org,
        user=f.make_user(org, "admin"),
        name="fuzz",
        expires_in_days=30,
        password=f.TEST_PASSWORD,
    )
    return {"Authorization": f"Bearer {text}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_answers_5xx_or_off_schema(case: Any, token_headers: Any) -> None:
    case.call_and_validate(
        headers=token_headers,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )
