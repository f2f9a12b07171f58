"""Background jobs of the visit: sending the treatment report (Celery; chairside/celery.py)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from chairside.treatments.models import VisitReport
from chairside.treatments.services import reports_send_queued
from chairside.treatments.services.reports import report_deliver

# Back-off between tries of an e-mail that failed: 1, 2, 4, 8, 16 minutes, then the report
# stays in the reports queue marked "Sending failed" with the reason, for a person (and the
# hourly sweep below) to take up.
SEND_RETRIES = 5
SEND_FIRST_DELAY_SECONDS = 60


class ReportNotSentError(Exception):
    """The e-mail did not go out this time (the reason is on the report)."""


@shared_task(
    bind=True,
    name="chairside.treatments.tasks.send_report",
    max_retries=SEND_RETRIES,
)
def send_report(self: Any, report_pk: int) -> str:
    """Render (if needed) and e-mail one treatment report; retry with back-off on failure.

    Idempotent: a report already sent is left alone (``report_deliver`` locks the row and
    checks), so a job delivered twice sends one e-mail.
    """
    report = VisitReport.objects.filter(pk=report_pk).first()
    if report is None:
        return "gone"
    result = report_deliver(report=report)
    if result.is_sent or result.channel != VisitReport.Channel.EMAIL:
        return result.status
    if not result.address or self.request.is_eager:
        # Nothing to retry against (no address), or run in process (tests, no broker):
        # the report waits in the queue with its reason.
        return result.status
    countdown = SEND_FIRST_DELAY_SECONDS * 2**self.request.retries
    if self.request.retries >= self.max_retries:
        return result.status
    raise self.retry(exc=ReportNotSentError(result.last_error), countdown=countdown)


@shared_task(name="chairside.treatments.tasks.send_waiting_reports")
def send_waiting_reports() -> tuple[int, int]:
    """Hourly: try again every e-mail report still waiting; (sent, still failing)."""
    return reports_send_queued()
