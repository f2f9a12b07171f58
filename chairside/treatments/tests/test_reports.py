"""The treatment report: e-mailed with its PDF, or queued for a person to fax or upload."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from chairside.treatments import selectors, services
from chairside.treatments.models import VisitReport


@pytest.fixture
def email_visit(ready_visit: Any) -> Any:
    provider = ready_visit.order.ordering_provider
    provider.report_preference = "email"
    provider.email = "dr.marsh@example.org"
    provider.save()
    return ready_visit


class TestReportDelivery:
    def test_an_email_report_goes_out_on_commit_with_the_pdf(
        self, email_visit: Any, nurse_user: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.visit_sign(visit=email_visit, user=nurse_user)
        report = VisitReport.objects.get()
        assert report.status == "sent" and report.sent_at is not None
        message = mail.outbox[0]
        assert message.to == ["dr.marsh@example.org"]
        name, content, mimetype = message.attachments[0]
        assert mimetype == "application/pdf" and content[:4] == b"%PDF"
        assert "Hopper" not in message.subject  # no patient name in the subject line

    def test_an_email_without_an_address_waits_with_the_reason(
        self, email_visit: Any, nurse_user: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        provider = email_visit.order.ordering_provider
        provider.email = ""
        provider.save()
        with django_capture_on_commit_callbacks(execute=True):
            services.visit_sign(visit=email_visit, user=nurse_user)
        report = VisitReport.objects.get()
        assert (report.status, report.last_error) == ("failed", "No e-mail address on file.")

    def test_sendreports_retries_unsent_emails(self, email_visit: Any, nurse_user: Any) -> None:
        services.visit_sign(visit=email_visit, user=nurse_user)  # on-commit not run here
        call_command("sendreports")
        assert VisitReport.objects.get().status == "sent"

    def test_a_fax_is_marked_sent_by_a_person_with_the_confirmation(
        self, ready_visit: Any, nurse_user: Any
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        report = VisitReport.objects.get()
        with pytest.raises(ValidationError, match="fax confirmation"):
            services.report_mark_sent(report=report, user=nurse_user)
        sent = services.report_mark_sent(report=report, user=nurse_user, note="Confirmation 4471")
        assert (sent.status, sent.sent_by, sent.sent_note) == (
            "sent",
            nurse_user,
            "Confirmation 4471",
        )
        with pytest.raises(ValidationError, match="already sent"):
            services.report_mark_sent(report=report, user=nurse_user, note="again")


class TestLateReports:
    def test_a_report_unsent_after_24_hours_is_late(
        self, ready_visit: Any, nurse_user: Any, org: Any, clock: Any
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        assert not selectors.late_reports(organization=org).exists()
        clock.shift(dt.timedelta(hours=24, minutes=1))
        assert selectors.late_reports(organization=org).count() == 1

    def test_a_sent_report_is_never_late(
        self, ready_visit: Any, nurse_user: Any, org: Any, clock: Any
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        services.report_mark_sent(report=VisitReport.objects.get(), user=nurse_user, note="ok")
        clock.shift(dt.timedelta(days=3))
        assert not selectors.late_reports(organization=org).exists()
