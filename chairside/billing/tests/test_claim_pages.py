from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chairside.audit.models import AuditEvent
from chairside.billing.models import (
    AspPrice,
    AspPricingFile,
    BillingProfile,
    Claim,
    ClaimExport,
    ClaimStateChange,
    PayerContract,
    Remittance,
)
from chairside.billing.services import charges_derive
from chairside.billing.simulate import simulated_835
from chairside.billing.tests import factories as bf
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.x12.x12_validate import validate_x12
from tests.assertions import assert_no_db_changes


@pytest.mark.django_db
class TestClaimPage:
    def test_it_runs_the_check_and_lists_what_blocks_the_claim(
        self, biller_client: Any, world: Any
    ) -> None:
        claim = world.ready
        encounter = claim.encounter
        facts = replace(encounter.encounter_facts(), diagnoses=(), rendering_provider=None)
        charges_derive(
            organization=world.org, patient=encounter.patient, location=None, facts=facts
        )
        response = biller_client.post(
            reverse("billing:claim_check", kwargs={"public_id": claim.public_id}),
            HTTP_HX_REQUEST="true",
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "Blocked: 2 items to fix" in body
        assert "The rendering provider NPI is missing." in body
        assert "No diagnosis: add the ICD-10-CM code of the treatment order." in body

    def test_it_sends_a_ready_claim_and_offers_the_837p_download(
        self, biller_client: Any, world: Any
    ) -> None:
        claim = world.ready
        response = biller_client.post(
            reverse("billing:claim_submit", kwargs={"public_id": claim.public_id})
        )
        assert response.status_code == 302
        export = ClaimExport.objects.filter(organization=world.org).latest("control_number")
        assert f"export={export.public_id}" in response["Location"]
        download = biller_client.get(
            reverse("billing:export", kwargs={"public_id": export.public_id})
        )
        assert download["Content-Disposition"] == f'attachment; filename="{export.filename}"'
        assert validate_x12(download.content.decode()) == []
        claim.refresh_from_db()
        assert claim.state == states.SUBMITTED

    def test_it_exports_the_ticked_ready_claims(self, biller_client: Any, world: Any) -> None:
        response = biller_client.post(
            reverse("billing:export_ready"), {"claim": [str(world.ready.public_id)]}
        )
        assert response.status_code == 302
        world.ready.refresh_from_db()
        assert world.ready.state == states.SUBMITTED

    def test_it_shows_why_a_claim_cannot_be_sent(self, biller_client: Any, world: Any) -> None:
        response = biller_client.post(
            reverse("billing:claim_submit", kwargs={"public_id": world.claim.public_id}),
            follow=True,
        )
        assert "is Partially paid, not ready." in response.content.decode()

    def test_it_prints_the_cms_1500(self, biller_client: Any, world: Any) -> None:
        page = biller_client.get(
            reverse("billing:claim_cms1500", kwargs={"public_id": world.claim.public_id})
        ).content.decode()
        assert "HEALTH INSURANCE CLAIM FORM" in page
        assert "a. K5090" in page and "N457894003001UN3.5" in page
        assert "1245319599" in page  # item 17b referring NPI
        pdf = biller_client.get(
            reverse("billing:claim_cms1500", kwargs={"public_id": world.claim.public_id}),
            {"format": "pdf"},
        )
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        out = Path("test-output/screenshots")
        out.mkdir(parents=True, exist_ok=True)
        (out / "cms1500.pdf").write_bytes(pdf.content)  # for a look at the printed form

    def test_it_prints_six_service_lines_per_form(self, world: Any) -> None:
        from chairside.billing.documents import cms1500_context

        context = cms1500_context(world.claim)
        rows = context["rows"]
        assert context["form_count"] == (len(rows) + 5) // 6
        assert all(len(form["rows"]) <= 6 for form in context["forms"])
        assert sum(form["total"] for form in context["forms"]) == sum(
            r["item"].charge for r in rows
        )
        assert [box for box, on in context["item1"] if on] == ["GROUP HEALTH PLAN"]  # commercial

    def test_it_moves_a_claim_with_a_reason(self, biller_client: Any, world: Any) -> None:
        biller_client.post(
            reverse("billing:claim_transition", kwargs={"public_id": world.claim.public_id}),
            {"to_state": "closed", "reason": ""},
        )
        world.claim.refresh_from_db()
        assert world.claim.state == states.PARTIALLY_PAID  # closing unpaid needs a reason
        biller_client.post(
            reverse("billing:claim_transition", kwargs={"public_id": world.claim.public_id}),
            {"to_state": "closed", "reason": "Written off: NDC not billable"},
        )
        world.claim.refresh_from_db()
        assert world.claim.state == states.CLOSED

    def test_it_updates_a_denial_inline(self, biller_client: Any, biller: Any, world: Any) -> None:
        response = biller_client.post(
            reverse("billing:denial", kwargs={"public_id": world.denial.public_id}),
            {"status": "appealed", "assigned_to": biller.pk, "note": "Sent NDC"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        world.denial.refresh_from_db()
        assert (world.denial.status, world.denial.assigned_to) == ("appealed", biller)

    def test_it_needs_a_reason_to_write_off(self, biller_client: Any, world: Any) -> None:
        response = biller_client.post(
            reverse("billing:denial", kwargs={"public_id": world.denial.public_id}),
            {"status": "written_off"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 400
        assert "Say why the amount is written off." in response.content.decode()
        world.denial.refresh_from_db()
        assert world.denial.status != "written_off"


@pytest.mark.django_db
class TestRemittancePage:
    def test_it_posts_an_uploaded_835(self, biller_client: Any, world: Any) -> None:
        from chairside.billing.services import claims_export

        claims_export(organization=world.org, claims=[world.ready], user=None)
        world.ready.refresh_from_db()
        text = simulated_835([world.ready], trace="UP1", paid_on=dt.date(2026, 4, 9))
        response = biller_client.post(
            reverse("billing:remittances"),
            {"file": SimpleUploadedFile("era.835", text.encode())},
        )
        assert response.status_code == 302
        world.ready.refresh_from_db()
        assert world.ready.state == states.PAID

    def test_it_rejects_a_malformed_835_with_the_segment(
        self, biller_client: Any, world: Any
    ) -> None:
        before = Remittance.objects.count()
        response = biller_client.post(
            reverse("billing:remittances"),
            {"file": SimpleUploadedFile("bad.835", b"ISA*00*garbage~")},
        )
        body = response.content.decode()
        assert response.status_code == 400
        assert "The 835 was rejected at segment" in body and "Nothing was posted." in body
        assert Remittance.objects.count() == before


@pytest.mark.django_db
class TestFeePages:
    def test_it_imports_an_asp_file(self, biller_client: Any, world: Any) -> None:
        text = bf.ASP_CSV.replace(
            "January 1, 2026 through March 31, 2026", "April 1, 2026 through June 30, 2026"
        )
        response = biller_client.post(
            reverse("billing:fees"), {"file": SimpleUploadedFile("asp.csv", text.encode("cp1252"))}
        )
        assert response.status_code == 302
        page = biller_client.get(reverse("billing:fees")).content.decode()
        assert "04/01/2026" in page and "J1745" in page

    def test_it_rejects_a_file_that_is_not_the_asp_file(
        self, biller_client: Any, world: Any
    ) -> None:
        with assert_no_db_changes(AspPricingFile, AspPrice):
            response = biller_client.post(
                reverse("billing:fees"), {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")}
            )
            assert response.status_code == 400
        assert "No table header found" in response.content.decode()

    def test_it_adds_a_contract_and_its_fees(self, biller_client: Any, world: Any) -> None:
        from tests import factories as f

        payer = f.make_payer(world.org, name="Northstar PPO")
        response = biller_client.post(
            reverse("billing:contract_new"),
            {
                "payer": payer.pk,
                "drug_basis": "wac",
                "drug_percent": "95",
                "patient_share_percent": "10",
                "secondary_covers_percent": "100",
                "appeal_window_days": "180",
            },
        )
        assert response.status_code == 302
        contract = payer.__class__.objects.get(pk=payer.pk)
        from chairside.billing.models import PayerContract

        saved = PayerContract.objects.get(payer=contract)
        # Sent without the infusion suite's terms: the defaults (POS 49, nurse in the per diem).
        assert (saved.suite_place_of_service, saved.suite_nursing) == ("49", "included")
        biller_client.post(
            reverse("billing:contract_fee", kwargs={"public_id": saved.public_id}),
            {"cpt": "96413", "amount": "210.00"},
        )
        assert saved.admin_fees.get().cpt == "96413"

    def test_it_refuses_a_fixed_contract_without_rate(self, biller_client: Any, world: Any) -> None:
        from tests import factories as f

        payer = f.make_payer(world.org, name="Fixed Payer")
        response = biller_client.post(
            reverse("billing:contract_new"),
            {
                "payer": payer.pk,
                "drug_basis": "fixed",
                "drug_percent": "100",
                "patient_share_percent": "10",
                "secondary_covers_percent": "100",
                "appeal_window_days": "90",
            },
        )
        assert response.status_code == 400
        assert "A fixed-rate contract needs its rate per unit." in response.content.decode()
        assert not PayerContract.objects.filter(payer=payer).exists()

    def test_it_keeps_the_billing_settings_honest(self, biller_client: Any, world: Any) -> None:
        response = biller_client.post(
            reverse("billing:settings"),
            {
                "billing_name": "X",
                "npi": "1234567890",
                "postal_code": "19000",
                "supplies_cost_per_visit": "0",
                "nurse_cost_per_hour": "0",
            },
        )
        body = response.content.decode()
        assert response.status_code == 400
        assert "This is not a valid NPI" in body and "ZIP+4" in body
        assert not BillingProfile.objects.filter(billing_name="X").exists()


@pytest.mark.django_db
class TestClaimsApi:
    def test_it_lists_and_reads_claims_of_the_organization_only(
        self, biller_client: Any, world: Any, other_world: Any
    ) -> None:
        listing = biller_client.get("/api/v1/claims").json()
        assert listing["count"] == 2
        detail = biller_client.get(f"/api/v1/claims/{world.claim.public_id}").json()
        assert detail["total_charge"] == "3625.00" and len(detail["lines"]) == 4
        assert biller_client.get(f"/api/v1/claims/{other_world.claim.public_id}").status_code == 404

    def test_it_checks_and_exports_through_the_api(self, biller_client: Any, world: Any) -> None:
        checked = biller_client.post(f"/api/v1/claims/{world.ready.public_id}/check").json()
        assert checked["state"] == "ready" and checked["problems"] == []
        made = biller_client.post(
            "/api/v1/claims/export",
            json.dumps({"claims": [str(world.ready.public_id)]}),
            content_type="application/json",
        )
        assert made.status_code == 201
        with assert_no_db_changes(ClaimExport, Claim):
            again = biller_client.post(
                "/api/v1/claims/export",
                json.dumps({"claims": [str(world.ready.public_id)]}),
                content_type="application/json",
            )
            assert again.status_code == 400 and "not ready" in again.json()["detail"]
        file = biller_client.get(f"/api/v1/claims/exports/{made.json()['public_id']}/837p")
        assert validate_x12(file.content.decode()) == []

    def test_it_refuses_roles_without_billing(
        self, nurse_client: Any, auditor_client: Any, world: Any
    ) -> None:
        assert nurse_client.get("/api/v1/claims").status_code == 403
        assert auditor_client.get("/api/v1/claims").status_code == 200
        with assert_no_db_changes(Claim, ClaimStateChange, AuditEvent):
            check = auditor_client.post(f"/api/v1/claims/{world.ready.public_id}/check")
            assert check.status_code == 403
