"""Eligibility 270/271: sending through the file drop, reviewing, confirming, the re-check."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from chairside.access.authorizations.queues import benefits_changed
from chairside.audit.models import AuditEvent
from chairside.interop import eligibility
from chairside.interop.models import EligibilityExchange
from chairside.interop.tasks import recheck_eligibility
from chairside.interop.tests.eligibility_scene import (
    ANSWER,
    covered_and_verified,
    drop_answer,
    same_answer,
    text_271,
)
from chairside.readiness import selectors as readiness
from chairside.rules.billing.x12.x12_270 import validate_270
from chairside.scheduling import services as scheduling
from chairside.scheduling.tests import factories as sf
from tests import factories as f

Payer = dict[str, Any]  # the answering clearinghouse: what it answers, what it was sent
ANSWERING = "chairside.interop.tests.eligibility_scene.AnsweringClearinghouse"


@pytest.fixture
def drop(tmp_path: Path, settings: Any) -> Path:
    settings.CHAIRSIDE_ELIGIBILITY_TRANSPORT = (
        "chairside.interop.eligibility_transport.FileDropTransport"
    )
    settings.CHAIRSIDE_ELIGIBILITY_OUTBOX = tmp_path / "outbox"
    settings.CHAIRSIDE_ELIGIBILITY_INBOX = tmp_path / "inbox"
    return tmp_path


@pytest.fixture
def payer(settings: Any) -> dict[str, Any]:
    settings.CHAIRSIDE_ELIGIBILITY_TRANSPORT = ANSWERING
    ANSWER["changes"], ANSWER["sent"] = {}, []
    return ANSWER


def _sent(s: Any, drop: Path) -> EligibilityExchange:
    check = covered_and_verified(s)
    return eligibility.eligibility_check(benefits=check, user=s.coordinator)


def _answered(s: Any, drop: Path, **changes: Any) -> EligibilityExchange:
    exchange = _sent(s, drop)
    drop_answer(
        drop / "inbox",
        exchange.trace_number,
        text_271(same_answer(exchange.trace_number, **changes)),
    )
    return eligibility.eligibility_collect(exchange=exchange, user=s.coordinator)


class TestFileDropTransport:
    def test_it_writes_a_sound_270_to_the_outbox_and_waits(self, s: Any, drop: Path) -> None:
        exchange = _sent(s, drop)
        written = (drop / "outbox" / f"{exchange.trace_number}.270").read_text()
        assert written == exchange.request_text and validate_270(written) == []
        assert "NM1*PR*2*ACME HEALTH (DEMO)*****PI*60054~" in written
        assert "NM1*1P*2*RIVERSIDE*****XX*1902847312~" in written
        assert "NM1*IL*1*HOPPER*GRACE****MI*ABC123456789~" in written
        assert "EQ*98~" in written  # the office suite's service type
        assert (exchange.status, exchange.requested_by) == ("sent", s.coordinator)

    def test_it_reads_the_271_from_the_inbox_into_a_proposal(self, s: Any, drop: Path) -> None:
        exchange = _answered(s, drop)
        assert exchange.status == "answered"
        assert exchange.proposed["deductible_met"] == "200"
        assert [c["field"] for c in exchange.changes] == ["deductible_met"]
        assert exchange.open_changes == []  # what is met moves with claims: not a finding
        assert (drop / "inbox" / "processed" / f"{exchange.trace_number}.271").exists()

    def test_it_asks_about_the_patient_as_a_dependent(self, s: Any, drop: Path) -> None:
        check = covered_and_verified(s, subscriber_relation="spouse", subscriber_name="Alan Hopper")
        exchange = eligibility.eligibility_check(benefits=check, user=s.coordinator)
        assert "NM1*IL*1*HOPPER*ALAN****MI*ABC123456789~\nHL*4*3*23*0~" in exchange.request_text
        assert "NM1*03*1*HOPPER*GRACE~" in exchange.request_text
        assert validate_270(exchange.request_text) == []


class TestBadInquiryOrAnswer:
    def test_it_sends_nothing_without_a_payer_id(self, s: Any, drop: Path) -> None:
        check = covered_and_verified(s)
        check.coverage.payer.payer_id = ""
        check.coverage.payer.save()
        with pytest.raises(ValidationError, match="electronic payer ID"):
            eligibility.eligibility_check(benefits=check, user=s.coordinator)
        assert not EligibilityExchange.objects.exists()
        assert not (drop / "outbox").exists()

    def test_an_unreadable_271_changes_nothing(self, s: Any, drop: Path) -> None:
        exchange = _sent(s, drop)
        text = text_271(same_answer(exchange.trace_number, benefits=(("6", "IND", "30"),)))
        drop_answer(drop / "inbox", exchange.trace_number, text.replace("SE*", "SE*9"))
        exchange = eligibility.eligibility_collect(exchange=exchange, user=s.coordinator)
        assert exchange.status == "failed" and "SE count" in exchange.error
        assert (exchange.proposed, exchange.changes) == ({}, [])
        check = exchange.benefits
        check.refresh_from_db()
        assert check.coverage_active is True
        with pytest.raises(ValidationError):
            eligibility.eligibility_confirm(exchange=exchange, user=s.coordinator)

    def test_an_answer_to_another_inquiry_is_refused(self, s: Any, drop: Path) -> None:
        exchange = _sent(s, drop)
        drop_answer(drop / "inbox", exchange.trace_number, text_271(same_answer("EL99999999")))
        exchange = eligibility.eligibility_collect(exchange=exchange, user=s.coordinator)
        assert exchange.status == "failed" and "EL99999999" in exchange.error

    def test_a_rejection_is_kept_in_words_and_flagged(self, s: Any, drop: Path) -> None:
        exchange = _answered(s, drop, benefits=(), rejections=(("75", "C"),))
        assert exchange.status == "rejected"
        assert "did not find the subscriber (AAA 75)" in exchange.changes[0]["sentence"]
        flags = eligibility.benefits_flags(s.org, [exchange.benefits_id])
        assert [fl.blocking for fl in flags[exchange.benefits_id]] == [False]


class TestConfirm:
    def test_nothing_changes_until_the_coordinator_confirms(self, s: Any, drop: Path) -> None:
        exchange = _answered(s, drop, benefits=(("1", "IND", "30", "", "", "", "Y"),
                                                ("A", "IND", "98", "27", "", ".3")))  # fmt: skip
        check = exchange.benefits
        check.refresh_from_db()
        assert (check.pa_required, check.coinsurance_percent) == ("no", Decimal(20))
        eligibility.eligibility_confirm(exchange=exchange, user=s.coordinator)
        check.refresh_from_db()
        assert (check.pa_required, check.coinsurance_percent) == ("yes", Decimal(30))
        assert check.reference_number == f"X12 271 {exchange.trace_number}"
        assert check.verified_by == s.coordinator
        exchange.refresh_from_db()
        assert (exchange.status, exchange.reviewed_by) == ("confirmed", s.coordinator)
        audited = AuditEvent.objects.filter(object_id=exchange.public_id, action="state")
        assert audited.filter(changes__status=["answered", "confirmed"]).exists()
        assert AuditEvent.objects.filter(object_id=check.public_id).exists()

    def test_dismissing_keeps_the_benefits_and_clears_the_finding(self, s: Any, drop: Path) -> None:
        exchange = _answered(s, drop, benefits=(("6", "IND", "30"),))
        assert eligibility.benefits_flags(s.org, None)
        eligibility.eligibility_dismiss(exchange=exchange, user=s.coordinator)
        assert eligibility.benefits_flags(s.org, None) == {}
        exchange.benefits.refresh_from_db()
        assert exchange.benefits.coverage_active is True


class TestRecheckBeforeAppointments:
    def _book(self, s: Any) -> Any:
        sf.make_shift(s.nurse, s.location)
        return scheduling.appointment_book(
            organization=s.org, user=s.coordinator, order=s.order, chair=s.chairs["C01"],
            start=sf.at("09:00"),
        ).appointment  # fmt: skip

    def test_an_unchanged_answer_is_not_flagged(self, s: Any, payer: Payer) -> None:
        covered_and_verified(s)
        self._book(s)
        assert recheck_eligibility() == {"sent": 1, "collected": 0, "flagged": 0, "refused": 0}
        assert "DTP*291*D8*20261208~" in payer["sent"][0]  # asked about the appointment day
        assert eligibility.benefits_flags(s.org, None) == {}

    def test_it_does_not_ask_again_within_the_recheck_window(self, s: Any, payer: Payer) -> None:
        covered_and_verified(s)
        self._book(s)
        recheck_eligibility()
        assert recheck_eligibility()["sent"] == 0

    def test_an_inactive_coverage_blocks_the_appointment(self, s: Any, payer: Payer) -> None:
        check = covered_and_verified(s)
        self._book(s)
        payer["changes"] = {"benefits": (("6", "IND", "30"),)}
        assert recheck_eligibility()["flagged"] == 1
        [day] = readiness.readiness_rows(organization=s.org, days=[sf.DAY])
        benefits = [x for x in day.rows[0].findings if x.check == "benefits"]
        assert [(x.blocking, x.message) for x in benefits] == [
            (True, "Eligibility re-check: The payer says the coverage is no longer active.")
        ]
        [row] = benefits_changed(s.org, sf.DAY)
        assert row.item == check and row.tone == "bad"

    def test_new_prior_authorization_and_cost_share_are_flagged(self, s: Any, payer: Payer) -> None:
        covered_and_verified(s)
        self._book(s)
        payer["changes"] = {
            "benefits": (("1", "IND", "30", "", "", "", "Y"), ("B", "IND", "98", "27", "40")),
            "plan_name": "SILVER HMO",
        }
        recheck_eligibility()
        [flags] = eligibility.benefits_flags(s.org, None).values()
        assert sorted(fl.message for fl in flags) == [
            "Eligibility re-check: Copay per visit: 25.00 on file, 40 at the payer.",
            "Eligibility re-check: Plan: GOLD PPO on file, SILVER HMO at the payer.",
            "Eligibility re-check: The payer now requires prior authorization.",
        ]

    def test_the_command_runs_it_once(self, s: Any, payer: Payer, capsys: Any) -> None:
        covered_and_verified(s)
        self._book(s)
        call_command("recheckeligibility")
        assert "1 inquiries sent" in capsys.readouterr().out


class TestPages:
    def test_check_review_confirm_through_the_pages(self, s: Any, payer: Payer) -> None:
        check = covered_and_verified(s)
        payer["changes"] = {"benefits": (("1", "IND", "30"), ("C", "IND", "30", "23", "2000"))}
        client = f.login(s.coordinator)
        response = client.post(reverse("interop:eligibility_check", args=[check.public_id]))
        exchange = EligibilityExchange.objects.get()
        assert response["Location"] == reverse("interop:eligibility", args=[exchange.public_id])
        page = client.get(response["Location"]).content.decode()
        assert "The payer says (271)" in page and "$2,000.00" in page and "$1,500.00" in page
        assert AuditEvent.objects.filter(
            action="view", path__contains=str(exchange.public_id)
        ).exists()
        response = client.post(reverse("interop:eligibility_confirm", args=[exchange.public_id]))
        assert response.status_code == 302
        check.refresh_from_db()
        assert check.deductible == Decimal(2000)

    def test_the_benefits_page_offers_the_check(self, s: Any, payer: Payer) -> None:
        check = covered_and_verified(s)
        page = f.login(s.coordinator).get(
            reverse("authorizations:benefits", args=[check.public_id])
        )
        assert "Check eligibility (X12 270)" in page.content.decode()

    def test_a_bad_inquiry_is_a_400_with_the_reason(self, s: Any, payer: Payer) -> None:
        check = covered_and_verified(s)
        check.coverage.member_id = " "
        check.coverage.save()
        client = f.login(s.coordinator)
        response = client.post(reverse("interop:eligibility_check", args=[check.public_id]))
        assert response.status_code == 400
        assert "no member ID" in response.content.decode()
        assert not EligibilityExchange.objects.exists()

    def test_another_organization_sees_nothing(self, s: Any, payer: Payer, other_org: Any) -> None:
        check = covered_and_verified(s)
        exchange = eligibility.eligibility_check(benefits=check, user=s.coordinator)
        outsider = f.login(f.make_user(other_org, "coordinator"))
        for name, pk in (
            ("eligibility", exchange.public_id),
            ("eligibility_list", check.public_id),
        ):
            assert outsider.get(reverse(f"interop:{name}", args=[pk])).status_code == 404
        for name in ("eligibility_confirm", "eligibility_dismiss", "eligibility_collect"):
            assert (
                outsider.post(reverse(f"interop:{name}", args=[exchange.public_id])).status_code
                == 404
            )
        assert (
            outsider.post(reverse("interop:eligibility_check", args=[check.public_id])).status_code
            == 404
        )
        assert eligibility.benefits_flags(other_org, None) == {}
        exchange.refresh_from_db()
        assert exchange.status == "answered"

    def test_the_checks_of_a_coverage_export_as_csv_audited(self, s: Any, payer: Payer) -> None:
        check = covered_and_verified(s)
        eligibility.eligibility_check(benefits=check, user=s.coordinator)
        client = f.login(s.coordinator)
        url = reverse("interop:eligibility_list", args=[check.public_id])
        assert "format=csv" in client.get(url).content.decode()
        response = client.get(url, {"format": "csv"})
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:3] == ["sent", "sent_by", "patient_mrn"]
        assert len(rows) == 2 and rows[1][2] == check.patient.mrn
        assert AuditEvent.objects.filter(
            action="export", reason="Eligibility checks (270/271) (CSV)"
        ).exists()

    def test_only_access_staff_check_or_confirm(self, s: Any, payer: Payer) -> None:
        check = covered_and_verified(s)
        exchange = eligibility.eligibility_check(benefits=check, user=s.coordinator)
        nurse = f.login(f.make_user(s.org, "nurse"))
        assert (
            nurse.post(reverse("interop:eligibility_check", args=[check.public_id])).status_code
            == 403
        )
        assert (
            nurse.post(
                reverse("interop:eligibility_confirm", args=[exchange.public_id])
            ).status_code
            == 403
        )
        page = nurse.get(reverse("interop:eligibility", args=[exchange.public_id]))
        assert page.status_code == 200 and "Confirm into the benefits" not in page.content.decode()
        exchange.refresh_from_db()
        assert exchange.status == "answered"
