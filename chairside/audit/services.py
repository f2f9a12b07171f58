"""Recording audit events. Services call ``audit_record`` explicitly; nothing is implicit.

Changes are stored as ``{field: [old, new]}`` with values made JSON-safe, so the trail
reads the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from chairside.audit import reads
from chairside.audit.models import AuditEvent, AuditEventPatient
from chairside.core.actors import acting_user

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Snapshot = dict[str, Any]
M = TypeVar("M", bound=models.Model)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> Snapshot:
    """The audited fields of a model instance, JSON-safe (foreign keys as their text)."""
    names = fields or [
        f.name
        for f in instance._meta.concrete_fields
        if f.name not in {"id", "public_id", "created_at", "updated_at", "organization"}
    ]
    return {name: _json_safe(getattr(instance, name)) for name in names}


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [old, new]}``."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` reverse proxies
    the address the outermost trusted proxy saw (that many entries from the right of
    X-Forwarded-For). Entries further left are written by the client and can be forged."""
    if request is None:
        return None
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [h.strip() for h in forwarded.split(",")]
    hops = [h for h in hops if h]
    if len(hops) < proxies:
        return remote
    return hops[-proxies]


def audit_record(
    *,
    action: str,
    user: User | AnonymousUser | None = None,
    organization: Any = None,
    obj: models.Model | None = None,
    patient: Any = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    username: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the audit trail.

    Inside a request the member's role, the path and the address come from the request's
    read collector; a view or export naming a patient is also listed in the access report.
    Without ``organization``, the object's own organization is used (when it has one)."""
    if organization is None and obj is not None:
        organization = getattr(obj, "organization", None)
    actor = acting_user(user)  # None: the system acted (or an anonymous caller)
    collector = reads.current()
    event = AuditEvent.objects.create(
        organization=organization,
        user=actor,
        username=username or (actor.get_username() if actor is not None else ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=getattr(obj, "public_id", None) if obj is not None else None,
        object_repr=str(obj)[:200] if obj is not None else "",
        patient_id=getattr(patient, "public_id", None),
        changes=changes or {},
        reason=reason,
        ip_address=ip_address or (collector.ip_address if collector else None),
        role=collector.role if collector else "",
        path=collector.path if collector else "",
    )
    public_id = getattr(patient, "public_id", None)
    if public_id is not None and action in READS:
        AuditEventPatient.objects.create(event=event, patient_id=public_id, at=event.at)
        reads.mark_recorded(public_id)
    return event


READS = {AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT}


def _full_clean_and_save(instance: models.Model) -> None:
    instance.full_clean()
    instance.save()


def audited_update(
    *,
    instance: M,
    user: User | None,
    data: Mapping[str, Any],
    fields: Iterable[str] | None = None,
    save: Callable[[M], object] = _full_clean_and_save,
    organization: Any = None,
    patient: Any = None,
    reason: str = "",
    always: bool = False,
) -> dict[str, list[Any]]:
    """The audited change of one record, the one way every service writes it: set ``data`` on
    ``instance`` (only the names in ``fields`` are accepted when given: anything else is a
    programming error, TypeError), ``save`` it (full_clean then save by default; a service
    passes its own to check more), and append one create or update event with each changed
    field's old and new value (``fields``, or every audited field, as ``snapshot`` reads
    them). Nothing is appended when an existing record did not change, unless ``always``.
    Returns the changes. Run it inside the service's transaction."""
    names = list(fields) if fields is not None else None
    if names is not None and set(data) - set(names):
        raise TypeError(f"Unknown fields: {sorted(set(data) - set(names))}")
    creating = instance.pk is None
    before = {} if creating else snapshot(instance, names)
    for name, value in data.items():
        setattr(instance, name, value)
    save(instance)
    changes = diff(before, snapshot(instance, names))
    if creating or changes or always:
        audit_record(
            action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
            user=user,
            organization=organization,
            obj=instance,
            patient=patient,
            changes=changes,
            reason=reason,
        )
    return changes


def audit_reads(*, collector: reads.ReadCollector, user: User, organization: Any) -> None:
    """The request's one 'view' row, listing the patients it showed that no view row of the
    request has named yet (nothing when it showed none)."""
    patient_ids = collector.unrecorded()
    if not patient_ids:
        return
    event = AuditEvent.objects.create(
        organization=organization,
        user=user,
        username=user.get_username(),
        action=AuditEvent.Action.VIEW,
        object_type="patients.patient",
        object_repr=f"{len(patient_ids)} patient{'s' if len(patient_ids) != 1 else ''}",
        patient_id=patient_ids[0] if len(patient_ids) == 1 else None,
        ip_address=collector.ip_address,
        role=collector.role,
        path=collector.path,
    )
    AuditEventPatient.objects.bulk_create(
        AuditEventPatient(event=event, patient_id=pid, at=event.at) for pid in patient_ids
    )
    collector.recorded.update(patient_ids)
