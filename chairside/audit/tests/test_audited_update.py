"""``audit.services.audited_update``: the one audited write every service uses."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.audit.models import AuditEvent
from chairside.audit.services import audited_update
from chairside.inventory.models import Vendor

pytestmark = pytest.mark.django_db


def _events(obj: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=obj.public_id).order_by("id"))


def test_a_new_record_is_created_with_one_create_event_in_its_organization(
    org: Any, admin_user: Any
) -> None:
    vendor = Vendor(organization=org)
    changes = audited_update(
        instance=vendor, user=admin_user, data={"name": "McKesson (demo)", "payment_terms_days": 30}
    )
    [event] = _events(vendor)
    assert event.action == AuditEvent.Action.CREATE
    assert event.organization == org  # taken from the record
    assert event.changes["name"] == [None, "McKesson (demo)"]
    assert changes == event.changes


def test_a_change_records_old_and_new_values_and_no_change_records_nothing(
    org: Any, admin_user: Any
) -> None:
    vendor = Vendor.objects.create(organization=org, name="Cardinal (demo)", payment_terms_days=30)
    audited_update(instance=vendor, user=admin_user, data={"payment_terms_days": 60})
    audited_update(instance=vendor, user=admin_user, data={"payment_terms_days": 60})
    [event] = _events(vendor)
    assert event.action == AuditEvent.Action.UPDATE
    assert event.changes == {"payment_terms_days": [30, 60]}
    audited_update(instance=vendor, user=admin_user, data={}, always=True, reason="reviewed")
    assert [e.reason for e in _events(vendor)] == ["", "reviewed"]


def test_a_refused_save_writes_nothing_and_an_unknown_field_is_a_programming_error(
    org: Any, admin_user: Any
) -> None:
    vendor = Vendor.objects.create(organization=org, name="Cardinal (demo)", payment_terms_days=30)

    def refuse(_: Vendor) -> None:
        raise ValidationError({"payment_terms_days": "Terms are 30, 60, 90 or 120 days."})

    with pytest.raises(ValidationError):
        audited_update(
            instance=vendor, user=admin_user, data={"payment_terms_days": 45}, save=refuse
        )
    vendor.refresh_from_db()
    assert vendor.payment_terms_days == 30 and _events(vendor) == []
    with pytest.raises(TypeError, match="Unknown fields"):
        audited_update(
            instance=vendor,
            user=admin_user,
            data={"secret": 1},
            fields=("name", "payment_terms_days"),
        )
