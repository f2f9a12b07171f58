"""Incidents and their follow-up actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.compliance import services
from chairside.compliance.selectors import incident_is_open
from chairside.compliance.tests import factories as cf

pytestmark = pytest.mark.django_db


def _incident(location: Any, user: Any, **kw: Any) -> Any:
    kw.setdefault("occurred_on", timezone.localdate() - dt.timedelta(days=3))
    return services.incident_report(
        organization=location.organization,
        user=user,
        location=location,
        kind="medication_error",
        description="Wrong rate programmed; caught at the second check.",
        severity="no_harm",
        **kw,
    )


class TestIncident:
    def test_it_stays_open_until_every_follow_up_is_done(
        self, org: Any, location: Any, admin_user: Any, patient: Any
    ) -> None:
        owner = cf.make_staff(org, "Maria", "Santos", location=location)
        incident = _incident(location, admin_user, patient=patient)
        assert incident_is_open(incident)  # nothing planned yet
        item = services.incident_action_add(
            incident=incident,
            user=admin_user,
            action="Pump library review",
            owner=owner,
            due_on=timezone.localdate() + dt.timedelta(days=7),
        )
        assert incident_is_open(incident)
        services.incident_action_done(item=item, user=admin_user)
        assert not incident_is_open(incident)
        with pytest.raises(ValidationError, match="done already"):
            services.incident_action_done(item=item, user=admin_user)

    def test_it_refuses_a_future_date_and_another_organizations_patient(
        self, location: Any, admin_user: Any, foreign_patient: Any
    ) -> None:
        with pytest.raises(ValidationError, match="future"):
            _incident(location, admin_user, occurred_on=timezone.localdate() + dt.timedelta(days=1))
        with pytest.raises(ValidationError, match="No patient of yours"):
            _incident(location, admin_user, patient=foreign_patient)

    def test_the_owner_must_be_staff_of_the_organization(
        self, location: Any, other_org: Any, admin_user: Any
    ) -> None:
        incident = _incident(location, admin_user)
        outsider = cf.make_staff(other_org, "Out", "Sider")
        with pytest.raises(ValidationError, match="staff member of your organization"):
            services.incident_action_add(
                incident=incident,
                user=admin_user,
                action="x",
                owner=outsider,
                due_on=timezone.localdate(),
            )
