from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.audit.models import AuditEvent
from chairside.billing.models import ChargeLine, Claim, Encounter
from chairside.billing.services import charge_line_adjust, charges_derive
from chairside.billing.tests import factories as bf
from chairside.rules.billing import claim_states as states
from tests import factories as f


@pytest.fixture
def billing(org: Any) -> Any:
    bf.billable_org(org)
    return org


@pytest.fixture
def payer(billing: Any) -> Any:
    return bf.medicare(billing)


def derive(org: Any, patient: Any, facts: Any, location: Any = None) -> Any:
    return charges_derive(organization=org, patient=patient, location=location, facts=facts)


@pytest.mark.django_db
class TestChargesDerive:
    def test_it_derives_the_lines_and_a_ready_primary_claim(self, billing: Any, payer: Any) -> None:
        patient = bf.billable_patient(billing)
        encounter = derive(billing, patient, bf.facts_for(patient, payer))
        lines = list(encounter.current_lines.order_by("position"))
        assert [(x.code, x.modifiers, x.units) for x in lines] == [
            ("96413", "", 1),
            ("96415", "", 1),
            ("J1745", "", 35),
            ("J1745", "JW", 5),
        ]
        assert [x.charge for x in lines] == [
            Decimal("450.00"),
            Decimal("95.00"),
            Decimal("2695.00"),
            Decimal("385.00"),
        ]
        claim = encounter.claims.get()
        assert claim.state == states.READY, claim.problems
        assert claim.total_charge == Decimal("3625.00")
        # Medicare: 150 + 32 admin, J1745 40 units x 38.50 = 1540; 80% less 2% sequestration.
        parts = ("117.60", "25.09", "1056.44", "150.92")
        assert claim.expected_payer == sum(map(Decimal, parts))
        assert AuditEvent.objects.filter(object_id=encounter.public_id, action="create").exists()

    def test_it_blocks_a_claim_missing_npi_diagnosis_authorization_and_ndc(
        self, billing: Any
    ) -> None:
        payer = bf.commercial(billing, requires_prior_authorization=True)
        patient = bf.billable_patient(billing)
        facts = bf.facts_for(patient, payer)
        facts = replace(
            facts,
            rendering_provider=None,
            diagnoses=(),
            prior_authorization="",
            drugs=(replace(facts.drugs[0], ndc11=""),),
        )
        claim = derive(billing, patient, facts).claims.get()
        assert claim.state == states.DRAFT
        assert [p["message"] for p in claim.problems] == [
            "The rendering provider NPI is missing.",
            "No diagnosis: add the ICD-10-CM code of the treatment order.",
            "The NDC is missing for infliximab (J1745).",
            "The NDC is missing for infliximab (discarded) (J1745-JW).",
            f"{payer.name} requires a prior authorization number for this drug; none is "
            "recorded for the visit.",
        ]

    def test_it_rederives_a_corrected_visit_before_billing(self, billing: Any, payer: Any) -> None:
        patient = bf.billable_patient(billing)
        facts = bf.facts_for(patient, payer)
        encounter = derive(billing, patient, facts)
        corrected = replace(facts, drugs=(replace(facts.drugs[0], dose_mg=Decimal(400)),))
        encounter = derive(billing, patient, corrected)
        assert encounter.version == 2
        current = encounter.current_lines.order_by("position")
        assert [(x.code, x.modifiers, x.units) for x in current][2:] == [("J1745", "JZ", 40)]
        assert encounter.lines.filter(status=ChargeLine.Status.SUPERSEDED).count() == 4
        assert encounter.claims.get().items.count() == 3

    def test_it_holds_a_correction_after_billing_for_review(self, billing: Any, payer: Any) -> None:
        patient = bf.billable_patient(billing)
        facts = bf.facts_for(patient, payer)
        encounter = derive(billing, patient, facts)
        Claim.objects.filter(encounter=encounter).update(state=states.SUBMITTED)
        corrected = replace(facts, drugs=(replace(facts.drugs[0], dose_mg=Decimal(400)),))
        encounter = derive(billing, patient, corrected)
        assert encounter.needs_review
        assert "Billed: 96413 x1, 96415 x1, J1745 x35, J1745-JW x5" in encounter.review_note
        assert encounter.current_lines.count() == 4  # billed lines are never edited
        assert encounter.lines.filter(status=ChargeLine.Status.CORRECTION).count() == 3

    def test_it_refuses_to_move_a_visit_to_another_patient(self, billing: Any, payer: Any) -> None:
        patient = bf.billable_patient(billing)
        facts = bf.facts_for(patient, payer)
        derive(billing, patient, facts)
        with pytest.raises(ValidationError, match="another patient"):
            derive(billing, bf.billable_patient(billing), facts)

    def test_it_refuses_malformed_facts_and_saves_nothing(self, billing: Any, payer: Any) -> None:
        patient = bf.billable_patient(billing)
        facts = replace(bf.facts_for(patient, payer), place_of_service="Office")
        with pytest.raises(ValidationError, match="cannot be billed as documented"):
            derive(billing, patient, facts)
        assert not Encounter.objects.exists()

    def test_it_sends_a_self_pay_visit_to_review_without_a_claim(self, billing: Any) -> None:
        patient = bf.billable_patient(billing)
        encounter = derive(billing, patient, bf.facts_for(patient))
        assert not encounter.claims.exists()
        assert encounter.needs_review

    def test_it_bills_only_the_administration_of_a_white_bagged_drug(
        self, billing: Any, payer: Any
    ) -> None:
        patient = bf.billable_patient(billing)
        facts = bf.facts_for(patient, payer)
        facts = replace(facts, drugs=(replace(facts.drugs[0], center_supplied=False),))
        encounter = derive(billing, patient, facts)
        assert [x.code for x in encounter.current_lines] == ["96413", "96415"]

    def test_it_refuses_a_location_of_another_organization(
        self, billing: Any, payer: Any, other_org: Any
    ) -> None:
        patient = bf.billable_patient(billing)
        with pytest.raises(ValidationError, match="another organization"):
            derive(billing, patient, bf.facts_for(patient, payer), f.make_location(other_org))


@pytest.mark.django_db
class TestChargeLineAdjust:
    def test_it_adjusts_a_line_with_a_reason_and_never_edits_it(
        self, billing: Any, payer: Any, admin_user: Any
    ) -> None:
        patient = bf.billable_patient(billing)
        line = derive(billing, patient, bf.facts_for(patient, payer)).current_lines.first()
        charge_line_adjust(line=line, amount=Decimal("-50.00"), reason="Courtesy", user=admin_user)
        line.refresh_from_db()
        assert line.charge == Decimal("450.00")
        assert line.adjusted_charge == Decimal("400.00")
        with pytest.raises(TypeError, match="never edited"):
            line.units = 2
            line.save()

    def test_it_needs_a_reason(self, billing: Any, payer: Any, admin_user: Any) -> None:
        patient = bf.billable_patient(billing)
        line = derive(billing, patient, bf.facts_for(patient, payer)).current_lines.first()
        with pytest.raises(ValidationError, match="Say why"):
            charge_line_adjust(line=line, amount=Decimal("-1"), reason=" ", user=admin_user)
