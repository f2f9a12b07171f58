"""Sending the patient's share of a claim to an assistance program (rules.assistance)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chairside.access.authorizations import services as access
from chairside.access.referrals.tests import factories as rf
from chairside.billing.models import AssistanceClaim, Claim
from chairside.billing.services import assistance_claim_decide, assistance_claim_submit
from chairside.billing.tests import factories as bf
from tests.factories import someone

D = Decimal
PDF = b"%PDF-1.4\n% EOB\n"
FIVE_HUNDRED = D(500)
THOUSAND = D(1000)


def _claim_with_share(world: Any, share: Decimal = FIVE_HUNDRED) -> Claim:
    claim: Claim = world.claim
    Claim.objects.filter(pk=claim.pk).update(patient_responsibility=share)
    claim.refresh_from_db()
    return claim


def _enrollment(claim: Claim, kind: str = "copay", cap: Decimal | None = THOUSAND) -> Any:
    org = claim.organization
    program = access.assistance_program_create(
        organization=org, user=someone(), name=f"{kind} fund {cap}", kind=kind
    )
    return access.assistance_enroll(
        patient=claim.encounter.patient,
        user=someone(),
        program=program,
        drug=rf.drug(org, "infliximab"),
        member_id="C-1",
        enrolled_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2026, 12, 31),
        annual_cap=cap,
    )


def _submit(claim: Claim, enrollment: Any, amount: Decimal, **kw: Any) -> AssistanceClaim:
    return assistance_claim_submit(
        claim=claim,
        enrollment=enrollment,
        amount=amount,
        user=someone(),
        submitted_on=kw.pop("submitted_on", dt.date(2026, 4, 10)),
        **kw,
    )


@pytest.mark.django_db
class TestSubmit:
    def test_it_sends_the_share_with_the_eob_and_counts_it_against_the_cap(
        self, world: Any
    ) -> None:
        claim = _claim_with_share(world)
        enrollment = _enrollment(claim)
        made = _submit(claim, enrollment, D(400), eob=SimpleUploadedFile("eob.pdf", PDF))
        assert made.documents.count() == 1
        assert access.enrollment_remaining(enrollment, 2026) == D("600.00")
        assistance_claim_decide(
            assistance_claim=made,
            user=someone(),
            status="paid",
            decided_on=dt.date(2026, 4, 20),
            amount_paid=D(350),
        )
        assert access.enrollment_remaining(enrollment, 2026) == D("650.00")

    def test_it_refuses_more_than_the_patients_open_share(self, world: Any) -> None:
        claim = _claim_with_share(world, D(300))
        enrollment = _enrollment(claim)
        _submit(claim, enrollment, D(200))
        with pytest.raises(ValidationError, match=r"At most \$100.00"):
            _submit(claim, enrollment, D(150))
        assert AssistanceClaim.objects.count() == 1

    def test_it_refuses_more_than_is_left_of_the_cap(self, world: Any) -> None:
        claim = _claim_with_share(world, D(900))
        with pytest.raises(ValidationError, match=r"\$250.00 is left"):
            _submit(claim, _enrollment(claim, cap=D(250)), D(400))

    def test_a_copay_program_is_refused_for_a_medicare_claim(self, world: Any) -> None:
        claim = _claim_with_share(world)
        medicare = bf.medicare(world.org)
        Claim.objects.filter(pk=claim.pk).update(payer=medicare)
        claim.refresh_from_db()
        with pytest.raises(ValidationError, match="anti-kickback"):
            _submit(claim, _enrollment(claim), D(100))

    def test_a_denial_needs_a_reason_and_frees_the_share(self, world: Any) -> None:
        claim = _claim_with_share(world)
        enrollment = _enrollment(claim)
        made = _submit(claim, enrollment, D(500))
        with pytest.raises(ValidationError, match="why"):
            assistance_claim_decide(
                assistance_claim=made,
                user=someone(),
                status="denied",
                decided_on=dt.date(2026, 5, 1),
            )
        assistance_claim_decide(
            assistance_claim=made,
            user=someone(),
            status="denied",
            decided_on=dt.date(2026, 5, 1),
            note="Not enrolled on the date of service per the program",
        )
        assert access.enrollment_remaining(enrollment, 2026) == D("1000.00")
        _submit(claim, enrollment, D(500))  # the whole share may be sent again


@pytest.mark.django_db
class TestPage:
    def test_a_biller_sends_the_share_from_the_claim(self, biller_client: Any, world: Any) -> None:
        claim = _claim_with_share(world)
        enrollment = _enrollment(claim)
        url = reverse("billing:claim_assistance", kwargs={"public_id": claim.public_id})
        assert (
            "Patient share to a program"
            in biller_client.get(claim.get_absolute_url()).content.decode()
        )
        response = biller_client.post(
            url,
            {
                "enrollment": enrollment.pk,
                "amount": "500.00",
                "submitted_on": "2026-04-10",
                "eob": SimpleUploadedFile("eob.pdf", PDF, content_type="application/pdf"),
            },
        )
        assert response.status_code == 302
        made = AssistanceClaim.objects.get()
        page = biller_client.get(url).content.decode()
        assert "500.00" in page and "Submitted" in page
        document = made.documents.get()
        opened = biller_client.get(
            reverse("billing:assistance_document", kwargs={"public_id": document.public_id})
        )
        assert opened.status_code == 200 and opened["Content-Type"] == "application/pdf"

    def test_too_much_is_shown_and_nothing_saved(self, biller_client: Any, world: Any) -> None:
        claim = _claim_with_share(world, D(100))
        enrollment = _enrollment(claim)
        url = reverse("billing:claim_assistance", kwargs={"public_id": claim.public_id})
        response = biller_client.post(
            url, {"enrollment": enrollment.pk, "amount": "900", "submitted_on": "2026-04-10"}
        )
        assert response.status_code == 400
        assert b"At most $100.00" in response.content
        assert not AssistanceClaim.objects.exists()
