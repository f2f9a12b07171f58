from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chairside.access.referrals.models import ReferralDocument
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from chairside.demo.access_pipeline import demo_pdf
from tests import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


class TestReferralDocuments:
    def test_a_coordinator_attaches_a_pdf_and_a_nurse_opens_it(
        self, org: Any, coordinator_client: Any
    ) -> None:
        referral = rf.make_referral(org)
        url = reverse("referrals:document_add", args=[referral.public_id])
        upload = SimpleUploadedFile("fax.pdf", demo_pdf("Referral"), "application/pdf")
        response = coordinator_client.post(url, {"file": upload, "kind": "referral", "title": ""})
        assert response.status_code == 302
        document = ReferralDocument.objects.get(referral=referral)
        assert document.title == "fax.pdf"
        assert document.content_type == "application/pdf"
        assert "Ada" not in str(document.file.name)  # stored under a random name, no PHI
        nurse = f.login(f.make_user(org, "nurse"))
        opened = nurse.get(reverse("referrals:document", args=[document.public_id]))
        assert opened.status_code == 200
        assert b"".join(opened.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
        assert AuditEvent.objects.filter(object_id=document.public_id, action="view").exists()

    def test_it_accepts_an_image(self, org: Any, coordinator_client: Any) -> None:
        referral = rf.make_referral(org)
        url = reverse("referrals:document_add", args=[referral.public_id])
        upload = SimpleUploadedFile("card.png", PNG, "image/png")
        coordinator_client.post(url, {"file": upload, "kind": "insurance", "title": "Card"})
        assert ReferralDocument.objects.get().content_type == "image/png"

    def test_it_refuses_a_file_that_is_not_a_pdf_or_image(
        self, org: Any, coordinator_client: Any
    ) -> None:
        referral = rf.make_referral(org)
        url = reverse("referrals:document_add", args=[referral.public_id])
        upload = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00 not really a pdf", "application/pdf")
        response = coordinator_client.post(url, {"file": upload, "kind": "other"})
        assert response.status_code == 400
        assert b"Attach a PDF or an image" in response.content
        assert not ReferralDocument.objects.exists()

    def test_it_is_404_for_another_organizations_document(
        self, org: Any, other_org: Any, coordinator_client: Any
    ) -> None:
        from chairside.access.referrals.services import referral_document_add

        foreign = rf.make_referral(other_org)
        upload = SimpleUploadedFile("x.pdf", demo_pdf("x"), "application/pdf")
        document = referral_document_add(
            referral=foreign,
            user=f.make_user(other_org, "coordinator"),
            upload=upload,
            kind="other",
        )
        url = reverse("referrals:document", args=[document.public_id])
        assert coordinator_client.get(url).status_code == 404
        add = reverse("referrals:document_add", args=[foreign.public_id])
        fax = SimpleUploadedFile("fax.pdf", demo_pdf("Referral"), "application/pdf")
        assert coordinator_client.post(add, {"file": fax, "kind": "referral"}).status_code == 404
        assert ReferralDocument.objects.get() == document

    def test_a_biller_cannot_attach(self, org: Any) -> None:
        referral = rf.make_referral(org)
        biller = f.login(f.make_user(org, "biller"))
        url = reverse("referrals:document_add", args=[referral.public_id])
        upload = SimpleUploadedFile("fax.pdf", demo_pdf("Referral"), "application/pdf")
        assert biller.post(url, {"file": upload, "kind": "referral"}).status_code == 403
        assert not ReferralDocument.objects.exists()
