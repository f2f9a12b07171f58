"""The nightly job that expires authorizations: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.authorizations.tasks import expire_authorizations
from chairside.access.authorizations.tests.test_authorization_transition import approve
from chairside.access.authorizations.tests.test_authorization_transition import auth as submitted
from chairside.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
auth = pytest.fixture(submitted.__wrapped__)  # type: ignore[attr-defined]


def test_the_nightly_job_expires_ended_approvals_once(org: Any, auth: Any) -> None:
    approve(auth, end_on=dt.date(2026, 2, 1))
    assert expire_authorizations.delay().get() == 1
    assert PriorAuthorization.objects.get(pk=auth.pk).status == "expired"
    audit_rows = AuditEvent.objects.count()
    updated = PriorAuthorization.objects.get(pk=auth.pk).updated_at

    assert expire_authorizations.delay().get() == 0
    assert AuditEvent.objects.count() == audit_rows
    assert PriorAuthorization.objects.get(pk=auth.pk).updated_at == updated
