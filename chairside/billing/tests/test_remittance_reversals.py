"""835 reversals, corrections and Medicare crossovers (TR3 005010X221A1 §1.10.2.8; CLP02
code list: 19 processed as primary and forwarded, 22 reversal of previous payment; RARC
MA18)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from chairside.audit.exports import EXPORTS
from chairside.audit.models import AuditEvent
from chairside.billing.models import Claim, ClaimExport, Denial, UnmatchedRemittance
from chairside.billing.selectors import crossovers_to_follow_up, unmatched_remittances
from chairside.billing.services import charges_derive, claims_export, remittance_import
from chairside.billing.simulate import claim_payment, reversal_of, simulated_835
from chairside.billing.tests import factories as bf
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.x12.x12_835 import RemitAdjustment
from tests import factories as f

PAID_ON = dt.date(2026, 4, 2)


@pytest.fixture
def billing(org: Any) -> Any:
    bf.billable_org(org)
    return org


def submitted(org: Any, *payers: Any) -> Any:
    patient = bf.billable_patient(org)
    facts = bf.facts_for(patient, *payers)
    claim = charges_derive(
        organization=org, patient=patient, location=None, facts=facts
    ).claims.get()
    claims_export(organization=org, claims=[claim], user=None)
    claim.refresh_from_db()
    return claim


def post(org: Any, text: str) -> Any:
    return remittance_import(organization=org, text=text, filename="era.835", user=None)


@pytest.mark.django_db
class TestReversals:
    def test_a_reversal_and_its_correction_post_without_blocking_the_file(
        self, billing: Any
    ) -> None:
        payer = bf.medicare(billing)
        first, second = submitted(billing, payer), submitted(billing, payer)
        post(billing, simulated_835([first], trace="T1", paid_on=PAID_ON))
        first.refresh_from_db()
        paid = claim_payment(first)
        # The payer takes the payment back and pays one line less (denied CO-16).
        corrected = claim_payment(first, {4: ("16", "M119")})
        text = simulated_835(
            [first, second],
            trace="T2",
            paid_on=PAID_ON + dt.timedelta(days=14),
            payments=[reversal_of(paid), corrected, claim_payment(second)],
        )
        post(billing, text)
        first.refresh_from_db()
        second.refresh_from_db()
        assert second.state == states.PAID  # the other claim in the file posted
        assert first.state == states.PARTIALLY_PAID
        assert first.paid == corrected.paid
        assert first.paid + first.adjusted + first.patient_responsibility == first.total_charge
        assert [c.to_state for c in first.state_changes.all()][-2:] == [
            states.ACCEPTED,
            states.PARTIALLY_PAID,
        ]
        assert Denial.objects.filter(claim=first, status="open").count() == 1
        assert not UnmatchedRemittance.objects.exists()

    def test_a_reversal_alone_returns_the_claim_to_awaiting_payment(self, billing: Any) -> None:
        claim = submitted(billing, bf.medicare(billing))
        post(billing, simulated_835([claim], trace="T1", paid_on=PAID_ON))
        claim.refresh_from_db()
        reversal = reversal_of(claim_payment(claim))
        post(billing, simulated_835([claim], trace="T2", paid_on=PAID_ON, payments=[reversal]))
        claim.refresh_from_db()
        assert claim.state == states.ACCEPTED
        assert (claim.paid, claim.adjusted, claim.patient_responsibility) == (0, 0, 0)
        assert set(claim.items.values_list("status", flat=True)) == {"open"}

    def test_a_correction_against_a_paid_claim_replaces_the_decision(self, billing: Any) -> None:
        claim = submitted(billing, bf.medicare(billing))
        post(billing, simulated_835([claim], trace="T1", paid_on=PAID_ON))
        claim.refresh_from_db()
        before = claim.paid
        post(billing, simulated_835([claim], trace="T2", paid_on=PAID_ON))
        claim.refresh_from_db()
        assert claim.state == states.PAID and claim.paid == before  # not paid twice
        assert claim.paid + claim.adjusted + claim.patient_responsibility == claim.total_charge

    def test_a_reversal_of_nothing_posted_goes_to_the_unmatched_queue(self, billing: Any) -> None:
        claim = submitted(billing, bf.medicare(billing))
        reversal = reversal_of(claim_payment(claim))
        other = submitted(billing, bf.medicare(billing))
        post(
            billing,
            simulated_835(
                [claim, other],
                trace="T3",
                paid_on=PAID_ON,
                payments=[reversal, claim_payment(other)],
            ),
        )
        other.refresh_from_db()
        assert other.state == states.PAID
        [entry] = unmatched_remittances(organization=billing)
        assert entry.claim == claim and "no payment of it was posted" in entry.reason

    def test_an_unbalanced_file_is_still_refused_whole(self, billing: Any) -> None:
        from django.core.exceptions import ValidationError

        claim = submitted(billing, bf.medicare(billing))
        bad = replace(claim_payment(claim), paid=Decimal("1"))
        with pytest.raises(ValidationError, match="does not balance"):
            post(billing, simulated_835([claim], trace="T4", paid_on=PAID_ON, payments=[bad]))
        assert not UnmatchedRemittance.objects.exists()


@pytest.mark.django_db
class TestCrossovers:
    def test_a_crossover_builds_no_secondary_claim_to_send(self, billing: Any) -> None:
        medigap = bf.commercial(billing, name="Medigap G", patient_share_percent=Decimal(0))
        claim = submitted(billing, bf.medicare(billing), medigap)
        post(billing, simulated_835([claim], trace="X1", paid_on=PAID_ON, crossover=True))
        claim.refresh_from_db()
        assert claim.state == states.PAID
        assert claim.crossed_over_on == PAID_ON
        assert not Claim.objects.filter(encounter=claim.encounter, sequence=2).exists()

    def test_it_queues_a_crossover_the_supplemental_payer_has_not_paid_in_time(
        self, billing: Any
    ) -> None:
        medigap = bf.commercial(billing, name="Medigap G", patient_share_percent=Decimal(0))
        claim = submitted(billing, bf.medicare(billing), medigap)
        post(billing, simulated_835([claim], trace="X1", paid_on=PAID_ON, crossover=True))
        day_29 = PAID_ON + dt.timedelta(days=29)
        day_31 = PAID_ON + dt.timedelta(days=31)
        assert list(crossovers_to_follow_up(organization=billing, today=day_29)) == []
        assert list(crossovers_to_follow_up(organization=billing, today=day_31)) == [claim]

    def test_the_page_exports_the_crossovers_to_follow_up_as_csv(self, billing: Any) -> None:
        medigap = bf.commercial(billing, name="Medigap G", patient_share_percent=Decimal(0))
        claim = submitted(billing, bf.medicare(billing), medigap)
        post(billing, simulated_835([claim], trace="X1", paid_on=PAID_ON, crossover=True))
        claim.refresh_from_db()
        client = f.login(f.make_user(billing, "biller"))
        page = client.get(reverse("billing:unmatched"))
        assert b"format=csv&amp;table=crossovers" in page.content
        with time_machine.travel(dt.datetime(2026, 5, 15, 15, tzinfo=dt.UTC), tick=False):
            response = client.get(
                reverse("billing:unmatched"), {"format": "csv", "table": "crossovers"}
            )
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == EXPORTS["billing:unmatched#crossovers"].header
        assert rows[1:] == [
            [
                "2026-04-02",
                claim.control_number,
                str(claim.patient),
                claim.encounter.date_of_service.isoformat(),
                str(claim.patient_responsibility),
            ]
        ]
        assert 'filename="crossovers-to-follow-up.csv"' in response["Content-Disposition"]
        csv_exports = AuditEvent.objects.filter(action="export", reason__endswith="(CSV)")
        assert [e.reason for e in csv_exports] == ["Medicare crossovers to follow up (CSV)"]
        nurse = f.login(f.make_user(billing, "nurse"))
        query = {"format": "csv", "table": "crossovers"}
        assert nurse.get(reverse("billing:unmatched"), query).status_code == 403
        assert csv_exports.count() == 1  # the refusal exported nothing

    def test_the_supplemental_payment_posts_and_clears_the_queue(self, billing: Any) -> None:
        medigap = bf.commercial(billing, name="Medigap G", patient_share_percent=Decimal(0))
        claim = submitted(billing, bf.medicare(billing), medigap)
        post(billing, simulated_835([claim], trace="X1", paid_on=PAID_ON, crossover=True))
        claim.refresh_from_db()

        # The supplemental payer's 835 pays under the claim number Medicare forwarded.
        def covers(service: Any) -> Any:  # the Medigap pays the patient's share of a line
            share = sum((a.amount for a in service.adjustments if a.group == "PR"), Decimal(0))
            other = RemitAdjustment("OA", "23", service.charge - share)  # prior payer's impact
            return replace(service, paid=share, adjustments=(other,) if other.amount else ())

        primary = claim_payment(claim)
        services = tuple(covers(s) for s in primary.services)
        supplemental = replace(
            primary,
            status="2",
            paid=sum((s.paid for s in services), Decimal(0)),
            patient_responsibility=Decimal(0),
            services=services,
        )
        text = simulated_835([claim], trace="G1", paid_on=PAID_ON, payments=[supplemental])
        post(billing, text.replace("MEDICARE PART B", "MEDIGAP G"))
        secondary = Claim.objects.get(encounter=claim.encounter, sequence=2)
        assert secondary.via_crossover and secondary.state == states.PAID
        assert secondary.paid == claim.patient_responsibility
        assert not ClaimExport.objects.filter(claims=secondary).exists()
        later = PAID_ON + dt.timedelta(days=60)
        assert list(crossovers_to_follow_up(organization=billing, today=later)) == []
