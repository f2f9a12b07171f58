"""What a biller needs to act without hunting: where to fix a blocked claim, why a claim was
rejected, the true count of open denials, filters that survive paging, and remittance codes
in words."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.urls import reverse

from chairside.billing import hints
from chairside.billing.services import charges_derive, claim_transition, claims_export
from chairside.billing.tests import factories as bf
from chairside.billing.views import claims as claim_views
from chairside.rules.billing import claim_states as states

REJECTION = "277CA A7:164 — entity's contract/member number is invalid for this payer."


@pytest.mark.django_db
class TestBlockedClaim:
    def test_each_problem_says_where_it_is_fixed(self, biller_client: Any, world: Any) -> None:
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
        assert hints.HINTS["diagnosis"] in body
        assert "Set the NPI on the staff member" in body

    def test_hints_link_to_the_chart_or_the_settings(self) -> None:
        found = hints.with_hints(
            [
                {"code": "member_id", "message": "m"},
                {"code": "tax_id", "message": "t"},
                {"code": "unknown", "message": "u"},
            ]
        )
        assert [(p["where"], bool(p["hint"])) for p in found] == [
            ("chart", True),
            ("settings", True),
            ("", False),
        ]

    def test_an_unsent_claim_shows_its_lines_as_not_sent(
        self, biller_client: Any, world: Any
    ) -> None:
        body = biller_client.get(world.ready.get_absolute_url()).content.decode()
        assert "Not sent" in body
        assert "Awaiting payment" not in body


@pytest.mark.django_db
class TestRejectedClaim:
    @pytest.fixture
    def rejected(self, world: Any) -> Any:
        claim = world.ready
        claims_export(organization=world.org, claims=[claim], user=None)
        claim.refresh_from_db()
        claim_transition(claim=claim, to_state=states.REJECTED, user=None, reason=REJECTION)
        return claim

    def test_the_claim_page_leads_with_the_rejection_reason(
        self, biller_client: Any, rejected: Any
    ) -> None:
        body = biller_client.get(rejected.get_absolute_url()).content.decode()
        top = body.split('id="check-results"')[0]
        assert "Rejected by the payer or clearinghouse:" in top
        assert "member number is invalid" in top

    def test_the_work_queue_shows_why_each_claim_was_rejected(
        self, biller_client: Any, rejected: Any
    ) -> None:
        body = biller_client.get(reverse("billing:home")).content.decode()
        section = body.split('id="rejected"')[1].split("</section>")[0]
        assert rejected.control_number in section
        assert "member number is invalid" in section


@pytest.mark.django_db
class TestQueuesAndLists:
    def test_the_denial_count_is_of_all_open_denials_not_the_listed_ones(
        self, biller_client: Any, world: Any, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(claim_views, "DENIALS_SHOWN", 0)
        body = biller_client.get(reverse("billing:home")).content.decode()
        assert '<span class="count">1</span><span class="title">Open denials</span>' in body
        assert "the first 0 of 1" in body

    def test_paging_keeps_the_state_filter(
        self, biller_client: Any, world: Any, monkeypatch: Any
    ) -> None:
        for _ in range(2):
            patient = bf.billable_patient(world.org)
            facts = bf.facts_for(patient, world.ready.payer)
            charges_derive(organization=world.org, patient=patient, location=None, facts=facts)
        monkeypatch.setattr(claim_views, "CLAIMS_PER_PAGE", 1)
        body = biller_client.get(reverse("billing:claims"), {"state": "ready"}).content.decode()
        assert "Page 1 of 3" in body
        assert 'href="?state=ready&amp;page=2"' in body


@pytest.mark.django_db
class TestRemittancePage:
    def test_claim_status_and_adjustment_codes_are_in_words(
        self, biller_client: Any, world: Any
    ) -> None:
        url = reverse("billing:remittance", kwargs={"public_id": world.remittance.public_id})
        body = biller_client.get(url).content.decode()
        assert "Processed as primary" in body
        assert 'title="CO-16: Claim/service lacks information' in body
        assert 'title="M119: Missing/incomplete/invalid' in body


@pytest.mark.django_db
class TestClaimsFollowTheChart:
    def test_fixing_the_address_on_the_chart_clears_the_check(
        self, biller_client: Any, world: Any
    ) -> None:
        from chairside.audit.models import AuditEvent
        from chairside.billing.services import claim_check
        from chairside.patients.models import Patient

        claim = world.ready
        patient = claim.encounter.patient
        Patient.objects.filter(pk=patient.pk).update(address_line1="", city="")
        problems = claim_check(claim=claim, user=None)
        assert [p.code for p in problems] == ["patient_address"]
        assert "incomplete" in problems[0].message
        Patient.objects.filter(pk=patient.pk).update(address_line1="9 Oak Lane", city="Riverside")
        assert claim_check(claim=claim, user=None) == []
        claim.refresh_from_db()
        assert claim.encounter.encounter_facts().patient.address_line1 == "9 Oak Lane"
        assert AuditEvent.objects.filter(
            object_id=claim.encounter.public_id,
            reason__startswith="Demographics and member details re-read",
        ).exists()

    def test_a_member_id_fixed_on_the_chart_goes_on_the_claim(
        self, biller_client: Any, world: Any
    ) -> None:
        from chairside.billing.services import claim_check
        from tests import factories as f

        claim = world.ready
        encounter = claim.encounter
        payer = claim.payer
        f.make_coverage(encounter.patient, payer, member_id="NEW123", effective_from=bf.DAY)
        claim_check(claim=claim, user=None)
        claim.refresh_from_db()
        assert claim.member_id == "NEW123"
        assert encounter.encounter_facts().coverages[0].member_id != "NEW123"  # stale copy
        claim.encounter.refresh_from_db()
        assert claim.encounter.encounter_facts().coverages[0].member_id == "NEW123"
