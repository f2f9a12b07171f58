"""The audit trail is append-only: neither the ORM nor (on PostgreSQL) raw SQL can change it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from chairside.audit.models import AuditEvent, AuditEventPatient
from chairside.audit.services import audit_record


@pytest.fixture
def event(org: Any, admin_user: Any) -> AuditEvent:
    return audit_record(action="view", user=admin_user, organization=org, reason="looked")


class TestTheModelRefusesChanges:
    def test_it_refuses_to_save_an_existing_event(self, event: AuditEvent) -> None:
        event.reason = "rewritten"
        with pytest.raises(TypeError, match="append-only"):
            event.save()
        assert AuditEvent.objects.get(pk=event.pk).reason == "looked"

    def test_it_refuses_to_delete_an_event(self, event: AuditEvent) -> None:
        with pytest.raises(TypeError, match="append-only"):
            event.delete()
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_it_refuses_bulk_update_and_delete(self, event: AuditEvent) -> None:
        with pytest.raises(TypeError, match="append-only"):
            AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
        with pytest.raises(TypeError, match="append-only"):
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(TypeError, match="append-only"):
            AuditEvent.objects.all().delete()
        assert AuditEvent.objects.get(pk=event.pk).reason == "looked"

    def test_it_still_appends(self, org: Any) -> None:
        audit_record(action="view", organization=org)
        audit_record(action="view", organization=org)
        assert AuditEvent.objects.filter(organization=org).count() == 2


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the refusing trigger exists on PostgreSQL only"
)
class TestTheDatabaseRefusesChanges:
    def test_it_refuses_an_sql_update(self, event: AuditEvent) -> None:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE audit_auditevent SET reason = 'rewritten' WHERE id = %s", [event.pk]
            )
        assert AuditEvent.objects.get(pk=event.pk).reason == "looked"

    def test_it_refuses_an_sql_delete(self, event: AuditEvent) -> None:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_it_refuses_to_change_or_delete_who_looked(self, event: AuditEvent) -> None:
        row = AuditEventPatient.objects.create(event=event, patient_id=uuid.uuid4(), at=event.at)
        for sql in (
            "UPDATE audit_auditeventpatient SET patient_id = NULL WHERE id = %s",
            "DELETE FROM audit_auditeventpatient WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [row.pk])
        assert AuditEventPatient.objects.filter(pk=row.pk).exists()
