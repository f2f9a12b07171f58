"""Which patients a request showed, so each read of patient data leaves one audit row.

HIPAA §164.312(b) asks for a record of activity in systems that hold ePHI, and
§164.528 for an accounting of who saw a chart. Rather than trust every view to remember a
call, the middleware opens a collector for each authenticated request; every ``Patient``
loaded from the database (``Patient.from_db``, which select_related also uses) and every
patient a selector names explicitly (``note_patient_ids``, for data that names patients
without loading them, such as a stored 837P file) lands in it. At the end of the request
one 'view' row lists them (``AuditEventPatient``), unless a view already wrote its own
view row for that patient.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ReadCollector:
    """The patients one request touched, in the order it touched them."""

    path: str = ""
    role: str = ""
    ip_address: str | None = None
    patients: dict[uuid.UUID, None] = field(default_factory=dict)
    recorded: set[uuid.UUID] = field(default_factory=set)

    def unrecorded(self) -> list[uuid.UUID]:
        return [p for p in self.patients if p not in self.recorded]


_current: ContextVar[ReadCollector | None] = ContextVar("chairside_audit_reads", default=None)


def current() -> ReadCollector | None:
    return _current.get()


@contextmanager
def collecting(collector: ReadCollector) -> Iterator[ReadCollector]:
    token = _current.set(collector)
    try:
        yield collector
    finally:
        _current.reset(token)


def note_patient_ids(ids: Iterable[Any]) -> None:
    """Record that the current request showed these patients (public ids)."""
    collector = _current.get()
    if collector is None:
        return
    for value in ids:
        if value is not None:
            collector.patients.setdefault(
                value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)), None
            )


def note_loaded(instance: Any) -> None:
    """Called by ``Patient.from_db``: a patient row was read during this request."""
    collector = _current.get()
    if collector is None:
        return
    public_id = instance.__dict__.get("public_id")
    if public_id is not None:
        collector.patients.setdefault(public_id, None)


def mark_recorded(public_id: uuid.UUID) -> None:
    """A view row naming this patient was written already; the request's row skips it."""
    collector = _current.get()
    if collector is not None:
        collector.patients.setdefault(public_id, None)
        collector.recorded.add(public_id)
