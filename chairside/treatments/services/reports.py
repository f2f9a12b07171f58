"""The treatment report: rendered to PDF on sign-off and queued for the referring provider's
preferred channel. E-mail goes out through Django's mail API with the PDF attached; fax,
portal and mail are queued items a person sends and marks sent. The goal: every report
out within 24 hours of signing (the Today page counts the ones that are not)."""

from __future__ import annotations

import logging
import smtplib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from chairside.access.referrals.models import ReferringProvider
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.core.pdf import html_to_pdf
from chairside.tenancy.models import Organization
from chairside.treatments.models import Visit, VisitReport
from chairside.treatments.models.report import DELIVERY_DEADLINE
from chairside.treatments.services.report_data import report_data, report_recipient

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def render_pdf(data: dict[str, Any], *, amended: bool = False) -> bytes:
    """The report as PDF bytes (WeasyPrint over an HTML template)."""
    html = render_to_string("treatments/report_pdf.html", {"r": data, "amended": amended})
    return html_to_pdf(html, base_url=str(settings.BASE_DIR))


def _channel(recipient: ReferringProvider) -> tuple[str, str]:
    channel = recipient.report_preference
    address = {"email": recipient.email, "fax": recipient.fax}.get(channel, "")
    return channel, address


def report_ensure_pdf(report: VisitReport) -> VisitReport:
    """The report's PDF, rendered from its stored data when missing (or lost from storage)."""
    if report.pdf and report.pdf.name and report.pdf.storage.exists(report.pdf.name):
        return report
    pdf = render_pdf(report.data, amended=report.version > 1)
    name = f"report-{report.visit.public_id}-{report.version}.pdf"
    report.pdf.save(name, ContentFile(pdf), save=False)
    report.save(update_fields=["pdf", "updated_at"])
    return report


@transaction.atomic
def report_queue(*, visit: Visit, user: User, with_pdf: bool = True) -> VisitReport:
    """Make the next version of the visit's report (PDF + data) and queue its delivery.

    ``with_pdf=False`` (the demo's history) leaves the PDF to be rendered on first use.
    """
    data = report_data(visit)
    version = (visit.reports.aggregate(v=Max("version"))["v"] or 0) + 1
    recipient = report_recipient(visit)
    channel, address = _channel(recipient)
    report = VisitReport(
        organization=visit.organization,
        visit=visit,
        version=version,
        recipient=recipient,
        channel=channel,
        address=address,
        data=data,
        due_at=timezone.now() + DELIVERY_DEADLINE,
    )
    if with_pdf:
        report.pdf.save(
            f"report-{visit.public_id}-{version}.pdf",
            ContentFile(render_pdf(data, amended=version > 1)),
            save=False,
        )
    report.full_clean()
    report.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=visit.organization,
        obj=report,
        patient=visit.patient,
        changes={"report": [None, f"v{version} to {recipient} by {report.get_channel_display()}"]},
    )
    if channel == VisitReport.Channel.EMAIL:
        # Sent by a background job once the sign-off is committed (retried with back-off).
        # The job's module imports these services: it is loaded when the first is queued.
        from chairside.treatments.tasks import send_report  # noqa: PLC0415

        pk = report.pk
        transaction.on_commit(lambda: send_report.delay(pk))
    return report


def _email(report: VisitReport) -> EmailMessage:
    visit = report.visit
    version = " (amended)" if report.version > 1 else ""
    message = EmailMessage(
        subject=f"Treatment report{version} from {visit.organization.name}",
        body=(
            f"Dear {report.recipient},\n\n"
            f"The treatment report{version} for your patient's infusion on "
            f"{visit.date:%m/%d/%Y} at {visit.location.name} is attached.\n"
            f"Questions: {visit.location.phone or visit.organization.phone}.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[report.address],
    )
    report_ensure_pdf(report)
    report.pdf.open("rb")
    try:
        message.attach(
            f"treatment-report-{visit.date:%Y%m%d}.pdf", report.pdf.read(), "application/pdf"
        )
    finally:
        report.pdf.close()
    return message


@transaction.atomic
def report_deliver(*, report: VisitReport) -> VisitReport:
    """Send an e-mail report now; on failure it stays in the queue with the error."""
    locked = (
        VisitReport.objects.select_for_update()
        .select_related("visit__organization", "visit__location", "recipient")
        .get(pk=report.pk)
    )
    if locked.is_sent or locked.channel != VisitReport.Channel.EMAIL:
        return locked
    locked.attempts += 1
    if not locked.address:
        locked.status, locked.last_error = VisitReport.Status.FAILED, "No e-mail address on file."
    else:
        try:
            _email(locked).send()
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("Treatment report %s not sent: %s", locked.public_id, exc)
            locked.status, locked.last_error = VisitReport.Status.FAILED, str(exc)[:255]
        else:
            locked.status, locked.sent_at, locked.last_error = (
                VisitReport.Status.SENT,
                timezone.now(),
                "",
            )
    locked.save()
    if locked.is_sent:
        _audit_sent(locked, None, f"e-mailed to {locked.address}")
    return locked


def _audit_sent(report: VisitReport, user: User, how: str) -> None:
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=report.organization,
        obj=report,
        patient=report.visit.patient,
        changes={"status": ["queued", "sent"], "delivery": [None, how]},
    )


@transaction.atomic
def report_mark_sent(*, report: VisitReport, user: User, note: str = "") -> VisitReport:
    """A person sent the report (fax, portal, mail, or a failed e-mail by hand)."""
    locked = (
        VisitReport.objects.select_for_update().select_related("visit__patient").get(pk=report.pk)
    )
    if locked.is_sent:
        raise ValidationError("This report was already sent.")
    if locked.channel == VisitReport.Channel.FAX and not note.strip():
        raise ValidationError({"note": "Enter the fax confirmation (or who confirmed receipt)."})
    locked.status, locked.sent_at, locked.sent_by = VisitReport.Status.SENT, timezone.now(), user
    locked.sent_note = note.strip()[:200]
    locked.save()
    _audit_sent(locked, user, f"{locked.get_channel_display()} {locked.sent_note}".strip())
    return locked


def reports_send_queued(*, organization: Organization | None = None) -> tuple[int, int]:
    """Retry every unsent e-mail report; (sent, still failing). Used by ``sendreports``."""
    waiting = VisitReport.objects.filter(channel=VisitReport.Channel.EMAIL).exclude(
        status=VisitReport.Status.SENT
    )
    if organization is not None:
        waiting = waiting.filter(organization=organization)
    sent = failed = 0
    for report in waiting:
        result = report_deliver(report=report)
        sent, failed = (sent + 1, failed) if result.is_sent else (sent, failed + 1)
    return sent, failed
