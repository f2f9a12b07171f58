"""The pharmacist's verification: another person, with her own user name and password."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.compounding import services
from chairside.compounding.models import CompoundingRecord
from chairside.compounding.tests import factories as cf
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = f.TEST_PASSWORD


@pytest.fixture
def record(formulation: Any, patient: Any, area: Any, lot: Any, technician: Any) -> Any:
    return cf.compound(formulation, patient=patient, area=area, lot=lot, user=technician)


def verify(record: Any, device_user: Any, username: str, password: str = PASSWORD) -> Any:
    return services.compounding_record_verify(
        record=record, user=device_user, username=username, password=password, ip_address=None
    )


class TestVerify:
    def test_a_pharmacist_verifies_with_her_own_password(
        self, record: Any, technician: Any, pharmacist: Any
    ) -> None:
        done = verify(record, technician, "gkim")
        assert done.status == CompoundingRecord.Status.VERIFIED
        assert (done.verified_by, done.verified_by_name) == (pharmacist, "Grace Kim, PharmD")
        event = AuditEvent.objects.get(object_id=record.public_id, action="update")
        assert event.user == pharmacist  # recorded as her action
        assert event.changes["confirmed_on_device_of"] == [None, "ltech"]

    def test_the_preparer_cannot_verify_her_own_dose(
        self, formulation: Any, patient: Any, area: Any, lot: Any, pharmacist: Any
    ) -> None:
        mine = cf.compound(formulation, patient=patient, area=area, lot=lot, user=pharmacist)
        with pytest.raises(ValidationError, match="prepared this dose and cannot verify it"):
            verify(mine, pharmacist, "gkim")
        mine.refresh_from_db()
        assert mine.verified_by is None

    def test_a_wrong_password_is_refused_and_counted(
        self, record: Any, technician: Any, pharmacist: Any
    ) -> None:
        with pytest.raises(ValidationError, match="do not match"):
            verify(record, technician, "gkim", "not-her-password")
        record.refresh_from_db()
        assert record.status == CompoundingRecord.Status.PREPARED
        assert AuditEvent.objects.filter(action="login_failed", username="gkim").exists()

    def test_a_nurse_cannot_verify(self, org: Any, record: Any, technician: Any) -> None:
        nurse = f.make_user(org, "nurse", "nwells")
        cf.make_staff(org, nurse, "RN", "Nora", "Wells")
        with pytest.raises(ValidationError, match="may not verify compounded doses"):
            verify(record, technician, "nwells")

    def test_a_technician_cannot_verify(self, org: Any, record: Any, technician: Any) -> None:
        other = f.make_user(org, "pharmacist", "tech2")
        cf.make_staff(org, other, "CPhT", "Tess", "Ng")
        with pytest.raises(ValidationError, match="not a pharmacist"):
            verify(record, technician, "tech2")

    def test_a_dose_past_its_bud_is_not_verified(
        self, record: Any, technician: Any, pharmacist: Any
    ) -> None:
        later = timezone.now() + dt.timedelta(hours=25)
        with time_machine.travel(later), pytest.raises(ValidationError, match="past its beyond"):
            verify(record, technician, "gkim")

    def test_it_is_verified_once(self, record: Any, technician: Any, pharmacist: Any) -> None:
        verify(record, technician, "gkim")
        with pytest.raises(ValidationError, match="verified by Grace Kim, PharmD already"):
            verify(record, technician, "gkim")
