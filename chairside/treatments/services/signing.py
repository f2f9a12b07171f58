"""Signing the visit, and addenda afterwards.

Signing is one transaction: it refuses with the exact list of what is missing; otherwise
it records the waste of the opened vials (inventory), today's weight (chart), uses the
authorization (units actually given), completes the appointment (scheduling), locks the
visit, renders and queues the report, and hands the visit to billing (``treatments.events``).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from chairside.access.authorizations.services import authorization_consume
from chairside.audit.models import AuditEvent
from chairside.core.actors import acting_user
from chairside.inventory.services import stock_waste
from chairside.patients.services import measurement_record
from chairside.rules.clinical.infusion import Opened, allocate_given, waste_portions
from chairside.rules.scheduling import appointment_states
from chairside.scheduling.services import appointment_cancel, appointment_complete
from chairside.treatments.events import visit_signed
from chairside.treatments.models import Addendum, PreparationVial, Visit, VisitReport
from chairside.treatments.selectors import primary_administration, visit_missing
from chairside.treatments.services._common import audit, locked_visit, person_name
from chairside.treatments.services.report_data import report_data
from chairside.treatments.services.reports import render_pdf, report_queue

if TYPE_CHECKING:
    from django.contrib.auth.models import User

APPOINTMENT_SOURCE = "scheduling.appointment"  # scheduling's authorization usage source


def _record_waste(visit: Visit, user: User) -> None:
    """The discarded part of every opened vial, lot by lot, as partial-vial waste."""
    prep = getattr(visit, "preparation", None)
    if prep is None:
        return
    rows = list(
        PreparationVial.objects.filter(preparation=prep).select_related("lot__package", "movement")
    )
    primary = primary_administration(visit)
    given = Decimal(primary.dose_given_mg or 0) if primary is not None else Decimal(0)
    opened = [Opened(str(r.pk), Decimal(r.lot.package.strength_mg), r.vials) for r in rows]
    wasted = {key: mg for key, _, mg in allocate_given(opened, given)}
    for row in rows:
        for portion in waste_portions(wasted[str(row.pk)], Decimal(row.lot.package.strength_mg)):
            stock_waste(lot=row.lot, user=user, mg=portion, visit_ref=row.movement.visit_ref)


def _units_given(visit: Visit) -> int:
    primary = primary_administration(visit)
    if primary is None or primary.dose_given_mg is None:
        return 0
    units = Decimal(primary.dose_given_mg) / Decimal(visit.order.drug.billing_unit_mg)
    return int(units.to_integral_value(rounding=ROUND_CEILING))


def _close_appointment(visit: Visit, user: User) -> None:
    """Given: use the authorization (units given) and complete the appointment.
    Held before the chair: cancel it (the authorization visit goes back)."""

    appointment = visit.appointment
    appointment.refresh_from_db()
    if visit.dose_held and appointment.status == appointment_states.CHECKED_IN:
        appointment_cancel(
            appointment=appointment,
            user=user,
            reason_code="other",
            reason=f"Dose held at the chair: {visit.held_reason}"[:255],
        )
        return
    authorization_consume(
        source_type=APPOINTMENT_SOURCE,
        source_id=str(appointment.public_id),
        user=user,
        units=_units_given(visit),
        order=visit.order,
        on_date=visit.date,
    )
    if appointment.status != appointment_states.COMPLETED:
        appointment_complete(appointment=appointment, user=user)


@transaction.atomic
def visit_sign(*, visit: Visit, user: User) -> Visit:
    """Sign and lock the visit, or refuse with every missing step (nothing changes then)."""
    current = locked_visit(visit)
    missing = visit_missing(current)
    if missing:
        raise ValidationError(
            ["The visit cannot be signed yet:", *(message for _, message in missing)]
        )
    _record_waste(current, user)
    if current.weight_kg is not None:
        measurement_record(
            patient=current.patient,
            user=user,
            measured_on=current.date,
            weight_kg=current.weight_kg,
        )
    _close_appointment(current, user)
    current.status = Visit.Status.SIGNED
    current.signed_at = timezone.now()
    current.signed_by = acting_user(user)
    current.signed_by_name = person_name(user, current.organization)
    current.full_clean()
    current.save()
    audit(
        AuditEvent.Action.STATE,
        user=user,
        visit=current,
        obj=current,
        changes={"status": ["in_progress", "signed"]},
    )
    report_queue(visit=current, user=user)
    visit_signed(current, user)
    return current


@transaction.atomic
def addendum_add(*, visit: Visit, user: User, text: str) -> Addendum:
    """A correction or late entry on a signed visit (audited). The report is re-issued as
    an amended version for the referring physician, and billing re-derives the charges."""
    current = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    if not current.is_signed:
        raise ValidationError("The visit is not signed yet: correct the entry itself.")
    if len(text.strip()) < 5:
        raise ValidationError({"text": "Write the correction or the late entry."})
    addendum = Addendum.objects.create(
        visit=current,
        text=text.strip(),
        author=acting_user(user),
        author_name=person_name(user, current.organization),
    )
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        visit=current,
        obj=addendum,
        changes={"addendum": [None, addendum.text]},
    )
    if current.reports.filter(status=VisitReport.Status.SENT).exists():
        report_queue(visit=current, user=user)
    else:
        _refresh_unsent_report(current)
    visit_signed(current, user)
    return addendum


def _refresh_unsent_report(visit: Visit) -> None:
    """An unsent report is regenerated in place so the addendum goes out with it."""

    report = visit.reports.exclude(status=VisitReport.Status.SENT).order_by("-version").first()
    if report is None:
        return
    report.data = report_data(visit)
    old = report.pdf.name
    report.pdf.save(
        f"report-{visit.public_id}-{report.version}.pdf",
        ContentFile(render_pdf(report.data, amended=report.version > 1)),
        save=False,
    )
    report.save()
    if old:
        report.pdf.storage.delete(old)
