"""Licences, annual skills check-offs (confirmed by the checker's own password), policies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.compliance import services
from chairside.compliance.models import StaffLicence
from chairside.compliance.tests import factories as cf
from chairside.tenancy.models import Competency
from tests import factories as f
from tests.factories import someone

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(org: Any, location: Any) -> Any:
    return cf.make_staff(
        org, "Maria", "Santos", role="nurse", username="msantos", location=location
    )


@pytest.fixture
def checker(org: Any, location: Any) -> Any:
    return cf.make_staff(org, "Beth", "Carter", role="nurse", username="bcarter", location=location)


def _checkoff(
    org: Any,
    admin_user: Any,
    nurse: Any,
    username: Any = "bcarter",
    password: Any = f.TEST_PASSWORD,
    **kw: Any,
) -> Any:
    kw.setdefault("checked_on", timezone.localdate())
    return services.checkoff_record(
        organization=org,
        user=admin_user,
        staff=nurse,
        skill="piv_insertion",
        checker_username=username,
        checker_password=password,
        ip_address="127.0.0.1",
        **kw,
    )


class TestCheckoff:
    def test_it_records_the_checkoff_and_renews_the_competency_for_a_year(
        self, org: Any, admin_user: Any, nurse: Any, checker: Any
    ) -> None:
        today = timezone.localdate()
        checkoff = _checkoff(org, admin_user, nurse)
        assert checkoff.due_on == today + dt.timedelta(days=365)
        assert checkoff.checked_by_name == "Beth Carter, RN"
        competency = Competency.objects.get(staff=nurse, skill="piv_insertion")
        assert (competency.verified_on, competency.expires_on) == (today, checkoff.due_on)
        event = AuditEvent.objects.get(object_id=checkoff.public_id)
        assert event.username == "bcarter"  # the checker's action, confirmed on this device

    def test_it_refuses_a_wrong_password_and_records_the_failure(
        self, org: Any, admin_user: Any, nurse: Any, checker: Any
    ) -> None:
        with pytest.raises(ValidationError) as err:
            _checkoff(org, admin_user, nurse, password="wrong")
        assert "do not match" in str(err.value.message_dict["checker"])
        assert not nurse.checkoffs.exists()

    def test_nobody_checks_herself_off(self, org: Any, admin_user: Any, nurse: Any) -> None:
        with pytest.raises(ValidationError, match="cannot check herself off"):
            _checkoff(org, admin_user, nurse, username="msantos")

    def test_the_checker_must_be_a_licensed_clinician(
        self, org: Any, admin_user: Any, nurse: Any
    ) -> None:
        cf.make_staff(org, "Dale", "Front", "", role="coordinator", username="dfront")
        with pytest.raises(ValidationError, match="not a licensed clinician"):
            _checkoff(org, admin_user, nurse, username="dfront")

    def test_a_member_of_another_organization_cannot_check(
        self, org: Any, other_org: Any, admin_user: Any, nurse: Any
    ) -> None:
        cf.make_staff(other_org, "Out", "Sider", role="nurse", username="outsider")
        with pytest.raises(ValidationError, match="not a member of this organization"):
            _checkoff(org, admin_user, nurse, username="outsider")


class TestLicence:
    def test_it_saves_and_verifies_a_licence(self, org: Any, admin_user: Any, nurse: Any) -> None:
        lic = services.licence_save(
            organization=org,
            user=admin_user,
            staff=nurse,
            kind="RN",
            state="pa",
            number="RN123456",
            expires_on=dt.date(2028, 10, 31),
        )
        assert lic.state == "PA" and lic.verified_at is None
        services.licence_verify(licence=lic, user=admin_user, verified_with="Nursys")
        lic.refresh_from_db()
        assert lic.verified_by == admin_user and lic.verified_with == "Nursys"

    def test_it_refuses_a_verification_without_its_source(
        self, org: Any, admin_user: Any, nurse: Any
    ) -> None:
        lic = StaffLicence.objects.create(
            organization=org,
            staff=nurse,
            kind="RN",
            state="PA",
            number="1",
            expires_on="2028-01-01",
        )
        with pytest.raises(ValidationError, match="Say where you verified it"):
            services.licence_verify(licence=lic, user=admin_user, verified_with=" ")

    def test_it_refuses_another_organizations_staff(
        self, org: Any, other_org: Any, admin_user: Any
    ) -> None:
        outsider = cf.make_staff(other_org, "Out", "Sider")
        with pytest.raises(ValidationError, match="Choose a staff member of your organization"):
            services.licence_save(
                organization=org,
                user=admin_user,
                staff=outsider,
                kind="RN",
                state="PA",
                number="9",
                expires_on=dt.date(2028, 1, 1),
            )


class TestPolicyAcknowledgement:
    def test_a_person_acknowledges_for_herself_once(self, org: Any, nurse: Any) -> None:
        policy = services.policy_save(
            organization=org,
            user=someone(),
            title="Hazardous drug handling",
            version="3",
            effective_on=dt.date(2026, 1, 1),
        )
        ack = services.policy_acknowledge(policy=policy, staff=nurse, user=nurse.user)
        assert ack.recorded_by == nurse.user
        with pytest.raises(ValidationError, match="already"):
            services.policy_acknowledge(policy=policy, staff=nurse, user=nurse.user)

    def test_a_colleague_without_compliance_edit_cannot_acknowledge_for_her(
        self, org: Any, nurse: Any, checker: Any, admin_user: Any
    ) -> None:
        policy = services.policy_save(
            organization=org,
            user=someone(),
            title="Cold chain",
            version="1",
            effective_on=dt.date(2026, 1, 1),
        )
        with pytest.raises(ValidationError, match="only for yourself"):
            services.policy_acknowledge(policy=policy, staff=nurse, user=checker.user)
        # The administrator records a signed paper acknowledgement.
        assert services.policy_acknowledge(policy=policy, staff=nurse, user=admin_user)
