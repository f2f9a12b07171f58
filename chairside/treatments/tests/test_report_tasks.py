"""The report-sending job: idempotent, retried with back-off, a failure waits in the queue."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from django.core import mail

from chairside.treatments import services
from chairside.treatments.models import VisitReport
from chairside.treatments.tasks import SEND_FIRST_DELAY_SECONDS, ReportNotSentError, send_report


@pytest.fixture
def email_visit(ready_visit: Any) -> Any:
    provider = ready_visit.order.ordering_provider
    provider.report_preference = "email"
    provider.email = "dr.marsh@example.org"
    provider.save()
    return ready_visit


def _report(visit: Any, user: Any) -> VisitReport:
    services.visit_sign(visit=visit, user=user)  # on-commit (the job) not run here
    return VisitReport.objects.get()


def test_sending_twice_sends_one_email(email_visit: Any, nurse_user: Any) -> None:
    report = _report(email_visit, nurse_user)
    assert send_report.delay(report.pk).get() == "sent"
    sent_at = VisitReport.objects.get().sent_at
    assert send_report.delay(report.pk).get() == "sent"
    assert len(mail.outbox) == 1
    assert VisitReport.objects.get().sent_at == sent_at
    assert VisitReport.objects.get().attempts == 1


def test_a_failed_send_is_retried_with_back_off_and_waits_in_the_queue_with_the_reason(
    email_visit: Any, nurse_user: Any, monkeypatch: Any
) -> None:
    report = _report(email_visit, nurse_user)

    def refuse(self: Any, *args: Any, **kwargs: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    retried: list[dict[str, Any]] = []

    def retry(**kwargs: Any) -> Exception:
        retried.append(kwargs)
        return RuntimeError("retry scheduled")

    monkeypatch.setattr(send_report, "retry", retry)
    # As a worker runs it (not eager): the failure asks Celery to try again later.
    send_report.push_request(retries=2, is_eager=False)
    try:
        with pytest.raises(RuntimeError, match="retry scheduled"):
            send_report.run(report.pk)
    finally:
        send_report.pop_request()
    assert retried[0]["countdown"] == SEND_FIRST_DELAY_SECONDS * 4
    assert isinstance(retried[0]["exc"], ReportNotSentError)
    waiting = VisitReport.objects.get()
    assert waiting.status == "failed"
    assert waiting.last_error == "Connection unexpectedly closed"
    assert not waiting.is_sent
