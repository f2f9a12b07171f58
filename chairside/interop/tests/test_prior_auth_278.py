"""Electronic prior authorization: prepare the 278 request, read the payer's response and
confirm the change it proposes (state machine respected, nothing written on bad input,
scoped to the organization, permission-checked)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chairside.access.authorizations import services as access
from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from chairside.interop import prior_auth
from chairside.interop.models import PriorAuthExchange
from chairside.patients.models import Diagnosis
from chairside.rules.access import authorization_states as states
from chairside.rules.billing.x12.x12_278 import (
    Decision,
    check_278,
    parse_278_response,
    split_segments,
    write_278_response,
)
from chairside.rules.billing.x12.x12_837p import Party
from tests import factories as f
from tests.assertions import assert_no_db_changes
from tests.factories import someone

TODAY = dt.date(2026, 1, 8)


def scene(org: Any) -> SimpleNamespace:
    org.group_npi, org.tax_id = "1234567893", "12-3456789"
    org.save()
    patient = rf.covered_patient(org)
    coverage = patient.coverages.get()
    coverage.payer.payer_id = "60054"
    coverage.payer.save()
    Diagnosis.objects.create(
        patient=patient, icd10_code="K50.90", description="Crohn's", is_primary=True
    )
    order = rf.make_order(patient)
    order.diagnoses.set(patient.diagnoses.all())
    rf.verify_benefits(order, None)
    auth = order.authorizations.get()
    return SimpleNamespace(org=org, patient=patient, coverage=coverage, order=order, auth=auth)


@pytest.fixture
def s(org: Any) -> SimpleNamespace:
    return scene(org)


@pytest.fixture
def coordinator(org: Any) -> Any:
    return f.login(f.make_user(org, "coordinator"))


REQUESTED = prior_auth.Requested(dt.date(2026, 1, 12), dt.date(2026, 6, 30), 40, 5)


def prepared(s: SimpleNamespace) -> PriorAuthExchange:
    return prior_auth.prior_auth_278_prepare(
        authorization=s.auth, user=someone(), requested=REQUESTED
    )


def answer(s: SimpleNamespace, decision: Decision, reference: str = "") -> str:
    """The payer's 278 response to the request prepared for the scene."""
    auth = PriorAuthorization.objects.get(pk=s.auth.pk)
    exchange = PriorAuthExchange.objects.filter(authorization=auth).order_by("-id").first()
    ref = reference or (exchange.reference if exchange else "OTHER")
    request = prior_auth.review_request(auth, REQUESTED, ref)
    return write_278_response(
        request,
        decision,
        sender=Party("Demo Health Plan (demo)", "DEMOPAYER"),
        receiver=Party("Center", "CENTER"),
        control_number=9,
        created_at=timezone.now(),
    )


CERTIFIED = Decision(
    "A1", "AUTH-778899", start=dt.date(2026, 1, 12), end=dt.date(2026, 6, 30), units=40, visits=5
)


class TestPrepare278:
    def test_it_stores_and_audits_a_request_that_passes_the_structural_check(
        self, s: SimpleNamespace
    ) -> None:
        exchange = prepared(s)
        assert exchange.direction == "request" and exchange.control_number == 1
        assert check_278(exchange.content, purpose="13") == []
        ids = {seg.seg_id: seg for seg in split_segments(exchange.content)[0]}
        assert ids["SV1"].elements[0] == f"HC:{s.order.drug.hcpcs}"
        assert ids["SV1"].get(4) == "40" and ids["HSD"].get(2) == "5"
        assert ids["HI"].elements == ("ABK:K5090",)
        assert AuditEvent.objects.filter(
            object_id=s.auth.public_id, action="export", patient_id=s.patient.public_id
        ).exists()

    def test_it_numbers_each_request(self, s: SimpleNamespace) -> None:
        assert [prepared(s).control_number for _ in range(2)] == [1, 2]

    def test_it_writes_nothing_when_the_payer_id_is_missing(self, s: SimpleNamespace) -> None:
        s.coverage.payer.payer_id = ""
        s.coverage.payer.save()
        with pytest.raises(ValidationError, match="payer ID"):
            prepared(s)
        assert not PriorAuthExchange.objects.exists()

    def test_it_refuses_a_decided_authorization(self, s: SimpleNamespace) -> None:
        access.authorization_transition(authorization=s.auth, user=None, to_status=states.SUBMITTED)
        access.authorization_transition(
            authorization=s.auth,
            user=None,
            to_status=states.DENIED,
            reason="x",
            appeal_deadline=timezone.localdate(),
        )
        s.auth.refresh_from_db()
        with pytest.raises(ValidationError, match="denied"):
            prepared(s)

    def test_the_defaults_come_from_the_order(self, s: SimpleNamespace) -> None:
        wanted = prior_auth.requested_defaults(s.auth, dt.date(2026, 1, 5))
        dates = s.order.planned_dates()
        assert (wanted.start_on, wanted.end_on, wanted.visits) == (dates[0], dates[-1], len(dates))
        assert wanted.units >= wanted.visits


class TestConfirm278:
    def test_it_approves_through_submitted_with_the_payers_numbers(
        self, s: SimpleNamespace
    ) -> None:
        prepared(s)
        auth = prior_auth.prior_auth_278_confirm(
            authorization=s.auth, user=someone(), text=answer(s, CERTIFIED)
        )
        assert auth.status == states.APPROVED
        assert (auth.authorization_number, auth.units_authorized, auth.visits_authorized) == (
            "AUTH-778899",
            40,
            5,
        )
        assert (auth.start_on, auth.end_on) == (dt.date(2026, 1, 12), dt.date(2026, 6, 30))
        moves = list(auth.status_changes.order_by("id").values_list("to_status", flat=True))
        assert moves == [states.SUBMITTED, states.APPROVED]
        kept = PriorAuthExchange.objects.get(direction="response")
        assert kept.action_code == "A1"

    def test_reading_writes_nothing(self, s: SimpleNamespace) -> None:
        prepared(s)
        events = AuditEvent.objects.count()
        read = prior_auth.read_278_response(authorization=s.auth, text=answer(s, CERTIFIED))
        assert read.proposal.steps == (states.SUBMITTED, states.APPROVED)
        s.auth.refresh_from_db()
        assert s.auth.status == states.TO_SUBMIT and s.auth.authorization_number == ""
        assert AuditEvent.objects.count() == events
        assert not PriorAuthExchange.objects.filter(direction="response").exists()

    def test_a_denial_needs_the_appeal_deadline_and_keeps_the_reason(
        self, s: SimpleNamespace
    ) -> None:
        prepared(s)
        text = answer(s, Decision("A3", reason_code="0V"))
        with pytest.raises(ValidationError, match="appeal deadline"):
            prior_auth.prior_auth_278_confirm(authorization=s.auth, user=someone(), text=text)
        s.auth.refresh_from_db()
        assert s.auth.status == states.TO_SUBMIT  # the "submitted" step rolled back too
        auth = prior_auth.prior_auth_278_confirm(
            authorization=s.auth, user=someone(), text=text, appeal_deadline=timezone.localdate()
        )
        assert auth.status == states.DENIED and "reason 0V" in auth.denial_reason

    def test_it_respects_the_state_machine(self, s: SimpleNamespace) -> None:
        rf.approved_authorization(s.order, None)
        access.authorization_transition(
            authorization=s.auth, user=None, to_status=states.EXPIRED, on_date=TODAY
        )
        s.auth.refresh_from_db()
        with pytest.raises(ValidationError, match="cannot move an authorization that is expired"):
            prior_auth.prior_auth_278_confirm(
                authorization=s.auth, user=someone(), text=answer(s, CERTIFIED)
            )
        assert not PriorAuthExchange.objects.filter(direction="response").exists()

    def test_a_modified_approval_is_corrected_in_place(self, s: SimpleNamespace) -> None:
        prepared(s)
        prior_auth.prior_auth_278_confirm(
            authorization=s.auth, user=someone(), text=answer(s, CERTIFIED)
        )
        modified = Decision(
            "A6",
            "AUTH-778899",
            start=dt.date(2026, 1, 12),
            end=dt.date(2026, 6, 30),
            units=30,
            visits=5,
        )
        auth = prior_auth.prior_auth_278_confirm(
            authorization=s.auth, user=someone(), text=answer(s, modified)
        )
        assert auth.status == states.APPROVED and auth.units_authorized == 30

    def test_it_refuses_a_response_to_another_request(self, s: SimpleNamespace) -> None:
        prepared(s)
        text = answer(s, CERTIFIED, reference="SOMEONE-ELSE").replace(
            f"MI*{s.coverage.member_id.upper()}", "MI*W000"
        )
        with pytest.raises(ValidationError, match="does not answer a request"):
            prior_auth.read_278_response(authorization=s.auth, text=text)

    @pytest.mark.parametrize(
        ("text", "words"),
        [
            ("", "Upload the 278"),
            ("hello", "ISA segment"),
            ("ISA*00*" + "x" * 200, "delimiters|not a 278|expected exactly"),
        ],
    )
    def test_bad_files_write_nothing(self, s: SimpleNamespace, text: str, words: str) -> None:
        with pytest.raises(ValidationError, match=words):
            prior_auth.prior_auth_278_confirm(authorization=s.auth, user=someone(), text=text)
        s.auth.refresh_from_db()
        assert s.auth.status == states.TO_SUBMIT
        assert not PriorAuthExchange.objects.exists()

    def test_aaa_errors_are_shown_not_applied(self, s: SimpleNamespace) -> None:
        prepared(s)
        text = answer(s, Decision("", reject_reason="72"))
        assert parse_278_response(text).errors
        with pytest.raises(ValidationError, match="Invalid/missing subscriber/insured ID"):
            prior_auth.read_278_response(authorization=s.auth, text=text)


class TestPages:
    def test_the_authorization_page_links_here(self, s: SimpleNamespace, coordinator: Any) -> None:
        page = coordinator.get(reverse("authorizations:detail", args=[s.auth.public_id]))
        assert reverse("interop:prior_auth_278", args=[s.auth.public_id]) in page.content.decode()

    def test_prepare_download_read_confirm(self, s: SimpleNamespace, coordinator: Any) -> None:
        url = reverse("interop:prior_auth_278", args=[s.auth.public_id])
        form = coordinator.get(url)
        assert form.status_code == 200
        done = coordinator.post(
            url, {"start_on": "2026-01-12", "end_on": "2026-06-30", "units": "40", "visits": "5"}
        )
        assert done.status_code == 302
        exchange = PriorAuthExchange.objects.get()
        download = coordinator.get(
            reverse("interop:prior_auth_download", args=[exchange.public_id])
        )
        assert download.status_code == 200 and download.content.decode().startswith("ISA*")
        upload = SimpleUploadedFile("278.x12", answer(s, CERTIFIED).encode())
        shown = coordinator.post(
            reverse("interop:prior_auth_read", args=[s.auth.public_id]), {"file": upload}
        )
        assert shown.status_code == 200 and b"AUTH-778899" in shown.content
        s.auth.refresh_from_db()
        assert s.auth.status == states.TO_SUBMIT
        confirmed = coordinator.post(
            reverse("interop:prior_auth_confirm", args=[s.auth.public_id]),
            {"text": answer(s, CERTIFIED)},
        )
        assert confirmed.status_code == 302
        s.auth.refresh_from_db()
        assert s.auth.status == states.APPROVED

    def test_a_bad_file_is_a_400_with_a_clear_message(
        self, s: SimpleNamespace, coordinator: Any
    ) -> None:
        response = coordinator.post(
            reverse("interop:prior_auth_read", args=[s.auth.public_id]), {"text": "not x12"}
        )
        assert response.status_code == 400
        assert b"does not start with an ISA segment" in response.content
        bad_confirm = coordinator.post(
            reverse("interop:prior_auth_confirm", args=[s.auth.public_id]), {"text": "nope"}
        )
        assert bad_confirm.status_code == 400
        assert not PriorAuthExchange.objects.exists()

    def test_another_organization_cannot_see_or_use_it(
        self, s: SimpleNamespace, other_org: Any
    ) -> None:
        stranger = f.login(f.make_user(other_org, "coordinator"))
        exchange = prepared(s)
        for url in (
            reverse("interop:prior_auth_278", args=[s.auth.public_id]),
            reverse("interop:prior_auth_read", args=[s.auth.public_id]),
            reverse("interop:prior_auth_pas", args=[s.auth.public_id]),
            reverse("interop:prior_auth_download", args=[exchange.public_id]),
        ):
            assert stranger.get(url).status_code == 404
        confirm = stranger.post(
            reverse("interop:prior_auth_confirm", args=[s.auth.public_id]),
            {"text": answer(s, CERTIFIED)},
        )
        assert confirm.status_code == 404
        s.auth.refresh_from_db()
        assert s.auth.status == states.TO_SUBMIT

    def test_a_nurse_may_not_prepare_or_confirm(self, s: SimpleNamespace, org: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        url = reverse("interop:prior_auth_278", args=[s.auth.public_id])
        assert nurse.get(url).status_code == 403
        with assert_no_db_changes(PriorAuthorization, PriorAuthExchange):
            assert (
                nurse.post(
                    reverse("interop:prior_auth_confirm", args=[s.auth.public_id]),
                    {"text": answer(s, CERTIFIED)},
                ).status_code
                == 403
            )
        page = nurse.get(reverse("authorizations:detail", args=[s.auth.public_id]))
        assert url not in page.content.decode()
