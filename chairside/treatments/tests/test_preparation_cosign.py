"""The independent double check is a real second person (issue 13 item 1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.audit.models import AuditEvent
from chairside.scheduling.models import NurseShift
from chairside.tenancy.models import Competency
from chairside.treatments import services
from chairside.treatments.tests import factories as tf
from tests import factories as f


@pytest.fixture
def checker_user(org: Any) -> Any:
    return f.make_user(org, "nurse", "msantos")


@pytest.fixture
def checker(org: Any, checker_user: Any, location: Any) -> Any:
    staff = tf.make_staff(org, "RN", user=checker_user, first_name="Maria", last_name="Santos")
    staff.competencies.create(skill="bls", expires_on=dt.date(2027, 6, 30))
    staff.competencies.create(skill="chemo_biologic", expires_on=dt.date(2027, 6, 30))
    NurseShift.objects.create(
        organization=org,
        staff=staff,
        location=location,
        date=tf.DAY,
        starts=dt.time(7, 0),
        ends=dt.time(17, 0),
    )
    return staff


@pytest.fixture
def prepared(visit: Any, nurse_user: Any, lot: Any, nurse: Any) -> Any:
    visit = tf.do_checks(visit, nurse_user)
    services.preparation_dispense(visit=visit, user=nurse_user, picks=[(lot, 4)])
    services.preparation_save(
        visit=visit,
        user=nurse_user,
        dose_mg=Decimal(350),
        diluent="0.9% sodium chloride",
        bag_volume_ml=Decimal(250),
        final_volume_ml=Decimal(250),
        prepared_at=tf.at("09:15"),
        prepared_by=nurse,
    )
    return visit


def cosign(visit: Any, user: Any, username: str = "msantos", password: str = "") -> Any:
    return services.preparation_cosign(
        visit=visit,
        user=user,
        username=username,
        password=password or f.TEST_PASSWORD,
        ip_address="10.0.0.5",
    )


class TestPreparationCosign:
    def test_it_records_the_check_as_the_checkers_own_action(
        self, prepared: Any, nurse_user: Any, checker: Any, checker_user: Any
    ) -> None:
        prep = cosign(prepared, nurse_user)
        assert prep.checked_by == checker and prep.checked_at is not None
        event = AuditEvent.objects.filter(object_id=prep.public_id).latest("at", "id")
        assert event.user_id == checker_user.pk
        assert event.changes["confirmed_on_device_of"] == [None, nurse_user.username]

    def test_a_wrong_password_is_refused_and_counts_as_a_failed_log_in(
        self, prepared: Any, nurse_user: Any, checker: Any
    ) -> None:
        with pytest.raises(ValidationError, match="do not match"):
            cosign(prepared, nurse_user, password="not-her-password")
        failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
        assert failed.username == "msantos" and failed.changes == {"step": "cosign"}
        prepared.preparation.refresh_from_db()
        assert prepared.preparation.checked_by is None

    def test_it_locks_the_name_after_too_many_failures(
        self, prepared: Any, nurse_user: Any, checker: Any, settings: Any
    ) -> None:
        settings.LOGIN_MAX_FAILURES = 2
        for _ in range(2):
            with pytest.raises(ValidationError):
                cosign(prepared, nurse_user, password="wrong")
        with pytest.raises(ValidationError, match="Too many wrong passwords"):
            cosign(prepared, nurse_user)  # even the right password waits out the lock

    def test_the_nurse_at_the_device_cannot_cosign_for_herself(
        self, prepared: Any, nurse_user: Any, nurse: Any, checker: Any
    ) -> None:
        with pytest.raises(ValidationError, match="another person"):
            cosign(prepared, nurse_user, username=nurse_user.username)

    def test_a_colleague_whose_bls_lapsed_cannot_check(
        self, prepared: Any, nurse_user: Any, checker: Any
    ) -> None:
        Competency.objects.filter(staff=checker, skill="bls").update(
            expires_on=dt.date(2026, 11, 30)
        )
        with pytest.raises(ValidationError, match="BLS\\) expired 11/30/2026"):
            cosign(prepared, nurse_user)

    def test_a_colleague_not_on_shift_cannot_check(
        self, prepared: Any, nurse_user: Any, checker: Any
    ) -> None:
        NurseShift.objects.filter(staff=checker).delete()
        with pytest.raises(ValidationError, match="not on the rota"):
            cosign(prepared, nurse_user)

    def test_a_log_in_without_a_staff_record_cannot_check(
        self, org: Any, prepared: Any, nurse_user: Any
    ) -> None:
        f.make_user(org, "coordinator", "frontdesk")
        with pytest.raises(ValidationError, match="no staff record"):
            cosign(prepared, nurse_user, username="frontdesk")
