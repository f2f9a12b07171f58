"""Corrected and void claims (837P CLM05-3 7/8 with REF*F8, NUCC 1500 item 22) and the
MUE check with its override note."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.billing.models import ChargeLine, Claim, MueTable
from chairside.billing.services import (
    charges_derive,
    claim_check,
    claim_mue_override,
    claim_replace,
    claim_void,
    claims_export,
    remittance_import,
)
from chairside.billing.simulate import simulated_835
from chairside.billing.tests import factories as bf
from chairside.rules.billing import claim_states as states
from tests.factories import someone

PAID_ON = dt.date(2026, 4, 2)


@pytest.fixture
def billing(org: Any) -> Any:
    bf.billable_org(org)
    return org


def paid_claim(org: Any) -> tuple[Any, Any, Any]:
    """A claim sent and paid (the 835 gives the payer's claim number)."""
    patient = bf.billable_patient(org)
    facts = bf.facts_for(patient, bf.medicare(org))
    encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
    claim = encounter.claims.get()
    claims_export(organization=org, claims=[claim], user=None)
    claim.refresh_from_db()
    remittance_import(
        organization=org,
        text=simulated_835([claim], trace=f"P{claim.pk}", paid_on=PAID_ON),
        filename="era.835",
        user=None,
    )
    claim.refresh_from_db()
    return claim, patient, facts


@pytest.mark.django_db
class TestReplacementClaims:
    def test_a_changed_unit_count_goes_out_as_a_replacement(self, billing: Any) -> None:
        claim, patient, facts = paid_claim(billing)
        corrected = replace(facts, drugs=(replace(facts.drugs[0], dose_mg=Decimal(400)),))
        charges_derive(organization=billing, patient=patient, location=None, facts=corrected)
        replacement = claim_replace(claim=claim, user=someone(), reason="Dose was 400 mg.")
        claim.refresh_from_db()
        assert claim.superseded and replacement.replaces == claim
        assert (replacement.frequency_code, replacement.state) == ("7", states.READY)
        lines = [(i.line.code, i.line.units, i.line.modifiers) for i in replacement.items.all()]
        assert ("J1745", 40, "JZ") in lines
        export = claims_export(organization=billing, claims=[replacement], user=None)  # pyx12
        assert ":B:7*" in export.content
        assert f"REF*F8*{claim.payer_claim_number}~" in export.content
        assert not replacement.encounter.lines.filter(status=ChargeLine.Status.CORRECTION).exists()

    def test_it_refuses_a_replacement_when_nothing_changed(self, billing: Any) -> None:
        claim, _, _ = paid_claim(billing)
        with pytest.raises(ValidationError, match="nothing to replace"):
            claim_replace(claim=claim, user=someone())
        claim.refresh_from_db()
        assert not claim.superseded and Claim.objects.count() == 1

    def test_it_refuses_without_the_payers_claim_number(self, billing: Any) -> None:
        claim, patient, facts = paid_claim(billing)
        Claim.objects.filter(pk=claim.pk).update(payer_claim_number="")
        corrected = replace(facts, drugs=(replace(facts.drugs[0], dose_mg=Decimal(400)),))
        charges_derive(organization=billing, patient=patient, location=None, facts=corrected)
        with pytest.raises(ValidationError, match="REF\\*F8"):
            claim_replace(claim=claim, user=someone())
        assert Claim.objects.count() == 1

    def test_a_void_copies_the_claim_as_sent_with_frequency_8(self, billing: Any) -> None:
        claim, _, _ = paid_claim(billing)
        void = claim_void(claim=claim, user=someone(), reason="Billed to the wrong payer.")
        assert (void.frequency_code, void.state) == ("8", states.READY)
        assert [i.line_id for i in void.items.all()] == [i.line_id for i in claim.items.all()]
        export = claims_export(organization=billing, claims=[void], user=None)
        assert ":B:8*" in export.content and "REF*F8*" in export.content

    def test_a_void_needs_a_reason(self, billing: Any) -> None:
        claim, _, _ = paid_claim(billing)
        with pytest.raises(ValidationError):
            claim_void(claim=claim, user=someone(), reason=" ")
        assert Claim.objects.count() == 1


@pytest.mark.django_db
class TestMedicallyUnlikelyEdits:
    def draft(self, org: Any) -> Any:
        MueTable.objects.create(
            organization=org, filename="mue.csv", source="test table", values={"J1745": 30}
        )
        patient = bf.billable_patient(org)
        facts = bf.facts_for(patient, bf.medicare(org))
        encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
        return encounter.claims.get()

    def test_it_names_units_above_the_mue(self, billing: Any) -> None:
        claim = self.draft(billing)
        assert claim.state == states.DRAFT
        assert [p["code"] for p in claim.problems] == ["mue"]
        assert (
            "J1745 is billed for 40 units, above the CMS practitioner MUE of 30"
            in (claim.problems[0]["message"])
        )

    def test_an_override_needs_a_note_and_then_lets_the_claim_go(self, billing: Any) -> None:
        claim = self.draft(billing)
        with pytest.raises(ValidationError):
            claim_mue_override(claim=claim, user=someone(), note="  ")
        claim.refresh_from_db()
        assert claim.mue_override_note == "" and claim.state == states.DRAFT
        claim = claim_mue_override(claim=claim, user=someone(), note="Weight-based 5 mg/kg dose.")
        assert claim.state == states.READY and claim_check(claim=claim) == []


@pytest.mark.django_db
def test_importmue_loads_the_cms_table(billing: Any, tmp_path: Any) -> None:
    from django.core.management import call_command

    csv = tmp_path / "mue.csv"
    csv.write_text(
        "Title\nHCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator\n"
        "J9999,9,3 Date of Service Edit: Clinical\n"
    )
    call_command("importmue", str(csv), "--date", "2026-10-01")
    table = MueTable.objects.get(organization=billing)
    assert table.values == {"J9999": 9} and table.file_date == dt.date(2026, 10, 1)
