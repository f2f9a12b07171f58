"""The unmatched-remittance page: what an 835 could not post, and overdue crossovers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from chairside.billing.models import UnmatchedRemittance
from chairside.billing.services import charges_derive, claims_export, remittance_import
from chairside.billing.simulate import claim_payment, reversal_of, simulated_835
from chairside.billing.tests import factories as bf


@pytest.fixture
def entry(org: Any) -> UnmatchedRemittance:
    bf.billable_org(org)
    patient = bf.billable_patient(org)
    facts = bf.facts_for(patient, bf.medicare(org))
    claim = charges_derive(
        organization=org, patient=patient, location=None, facts=facts
    ).claims.get()
    claims_export(organization=org, claims=[claim], user=None)
    claim.refresh_from_db()
    text = simulated_835(
        [claim],
        trace="U1",
        paid_on=dt.date(2026, 4, 2),
        payments=[reversal_of(claim_payment(claim))],
    )
    remittance_import(organization=org, text=text, filename="u.835", user=None)
    return UnmatchedRemittance.objects.get()


@pytest.mark.django_db
class TestUnmatchedQueue:
    def test_it_lists_the_payment_with_its_reason(self, biller_client: Any, entry: Any) -> None:
        page = biller_client.get(reverse("billing:unmatched")).content.decode()
        assert entry.control_number in page
        assert "no payment of it was posted" in page

    def test_it_takes_a_payment_off_the_queue_with_a_note(
        self, biller_client: Any, entry: Any
    ) -> None:
        url = reverse("billing:unmatched_resolve", kwargs={"public_id": entry.public_id})
        biller_client.post(url, {"note": "Called the payer: reversal sent in error."})
        entry.refresh_from_db()
        assert entry.resolved and entry.note.startswith("Called the payer")

    def test_it_refuses_to_resolve_without_a_note(self, biller_client: Any, entry: Any) -> None:
        url = reverse("billing:unmatched_resolve", kwargs={"public_id": entry.public_id})
        biller_client.post(url, {"note": " "})
        entry.refresh_from_db()
        assert not entry.resolved and entry.note == ""

    def test_it_refuses_a_nurse(self, nurse_client: Any, entry: Any) -> None:
        url = reverse("billing:unmatched_resolve", kwargs={"public_id": entry.public_id})
        response = nurse_client.post(url, {"note": "x"})
        assert response.status_code == 403
        entry.refresh_from_db()
        assert not entry.resolved
