from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from chairside.rules.billing.charges import CoverageFacts, Provider, derive_claim_lines
from chairside.rules.billing.claim_check import BillingProviderFacts, CheckInput, check_claim
from chairside.rules.tests.billing_examples import DAY, MEDICARE, infliximab_visit

BILLING = BillingProviderFacts(
    "Riverside Infusion",
    "1902847312",  # made up, check digit valid
    "234731906",  # made up, a prefix the IRS assigns
    "100 Riverside Plaza",
    "Riverside",
    "PA",
    "190001234",
)


def check(facts=None, **kw):
    facts = facts or infliximab_visit()
    lines = derive_claim_lines(facts)
    data = CheckInput(
        facts=facts,
        coverage_index=kw.pop("coverage_index", 0),
        lines=lines,
        charges=kw.pop("charges", [Decimal(100)] * len(lines)),
        billing_provider=kw.pop("billing", BILLING),
        **kw,
    )
    return check_claim(data)


def codes(problems):
    return sorted(p.code for p in problems)


class TestCheckClaim:
    def test_it_passes_a_complete_claim(self):
        assert check() == []

    def test_it_names_every_missing_item_at_once(self):
        """The issue's bad input: no NPI, no diagnosis, no authorization the payer
        requires, no NDC -> blocked with the exact list."""
        facts = infliximab_visit(
            rendering_provider=Provider("", "Marsh"),
            diagnoses=(),
            drugs=(replace(infliximab_visit().drugs[0], ndc11=""),),
        )
        problems = check(facts, authorization_required=True)
        messages = [p.message for p in problems]
        assert codes(problems) == ["authorization", "diagnosis", "ndc", "ndc", "rendering_npi"]
        assert "The rendering provider NPI is missing." in messages
        assert "No diagnosis: add the ICD-10-CM code of the treatment order." in messages
        assert (
            "Medicare Part B requires a prior authorization number for this drug; none is "
            "recorded for the visit." in messages
        )
        assert "The NDC is missing for infliximab (J1745)." in messages
        assert "The NDC is missing for infliximab (discarded) (J1745-JW)." in messages

    def test_it_accepts_the_authorization_when_recorded(self):
        assert (
            check(infliximab_visit(prior_authorization="PA-77"), authorization_required=True) == []
        )

    def test_it_rejects_an_npi_with_a_wrong_check_digit(self):
        facts = infliximab_visit(referring_provider=Provider("1245319598", "Okafor"))
        [problem] = check(facts)
        assert (
            problem.message == "The referring provider NPI 1245319598 is not valid (check digit)."
        )

    def test_it_rejects_a_category_that_has_billable_children(self):
        # G35 has been a category since FY2026 (children G35.A ... G35.D).
        [problem] = check(
            infliximab_visit(diagnoses=("G35",)), known_icd10=("G35.A", "G35.D", "K50.90")
        )
        assert problem.code == "diagnosis"
        assert "G35 is a category" in problem.message and "G35.A, G35.D" in problem.message
        assert check(infliximab_visit(diagnoses=("G35.A",)), known_icd10=("G35.A",)) == []

    @pytest.mark.parametrize("ein", ["000000000", "00-0000000", "123456789", "777777777"])
    def test_it_catches_a_placeholder_ein(self, ein):
        [problem] = check(billing=replace(BILLING, tax_id=ein))
        assert problem.code == "tax_id"
        assert "placeholder" in problem.message and "Billing settings" in problem.message

    def test_it_catches_an_ein_prefix_the_irs_never_assigns(self):
        [problem] = check(billing=replace(BILLING, tax_id="07-4731906"))
        assert "never assigns" in problem.message

    @pytest.mark.parametrize("npi", ["1234567893", "1000000004", "1111111112"])
    def test_it_catches_a_placeholder_npi(self, npi):
        [problem] = check(infliximab_visit(referring_provider=Provider(npi, "Okafor")))
        assert problem.code == "referring_npi"
        assert (
            problem.message
            == f"The referring provider NPI {npi} is a placeholder, not an assigned NPI."
        )

    def test_it_catches_a_placeholder_billing_npi(self):
        [problem] = check(billing=replace(BILLING, npi="1234567893"))
        assert problem.code == "billing_npi"

    def test_it_rejects_a_malformed_diagnosis(self):
        [problem] = check(infliximab_visit(diagnoses=("50K.90",)))
        assert problem.code == "diagnosis"

    def test_it_names_payer_and_member_gaps(self):
        coverage = replace(MEDICARE, payer_id="", member_id=" ")
        assert codes(check(infliximab_visit(coverages=(coverage,)))) == ["member_id", "payer_id"]

    def test_it_needs_the_subscriber_when_the_patient_is_not_one(self):
        coverage = CoverageFacts("p", "Keystone", "DEMO1", "M1", relationship="spouse")
        assert codes(check(infliximab_visit(coverages=(coverage,)))) == ["subscriber"]

    def test_it_needs_the_billing_provider_details(self):
        billing = replace(BILLING, npi="", tax_id="12-34", postal_code="19000")
        assert codes(check(billing=billing)) == ["billing_npi", "billing_zip", "tax_id"]

    def test_it_needs_a_price_for_every_line(self):
        problems = check(charges=[Decimal(100), None, Decimal(0), Decimal(5)])
        assert [p.message for p in problems] == [
            "No charge price in the charge master for 96415, J1745."
        ]

    def test_it_holds_a_secondary_claim_until_the_primary_paid(self):
        assert codes(check(coverage_index=1, prior_payer_adjudicated=False)) == ["prior_payer"]

    def test_it_refuses_a_future_date_of_service(self):
        assert codes(check(today=DAY - dt.timedelta(days=1))) == ["date"]

    def test_it_blocks_a_claim_without_lines(self):
        facts = infliximab_visit(administrations=(), drugs=())
        assert codes(check(facts, charges=[])) == ["lines"]

    def test_it_insists_on_one_charge_per_line(self):
        with pytest.raises(ValueError, match="one amount"):
            check(charges=[Decimal(1)])


class TestFrequencyAndMue:
    """837P REF*F8 is required when CLM05-3 is 7 or 8; CMS MUEs per code and date."""

    def test_a_replacement_needs_the_payers_claim_number(self):
        assert "original_claim" in codes(check(frequency_code="7"))
        assert "original_claim" in codes(check(frequency_code="8"))
        assert "original_claim" not in codes(check(frequency_code="7", original_reference="P1"))

    def test_it_refuses_an_unknown_frequency(self):
        with pytest.raises(ValueError, match="frequency"):
            check(frequency_code="5")

    def test_it_names_units_above_the_mue_summed_over_the_code_lines(self):
        # 35 given + 5 discarded (JW) of J1745 on one date of service.
        problems = check(mue_limits={"J1745": 39}, mue_source="CMS MUE table 2026-Q4")
        [mue] = [p for p in problems if p.code == "mue"]
        assert "J1745 is billed for 40 units" in mue.message and "2026-Q4" in mue.message
        assert "mue" not in codes(check(mue_limits={"J1745": 40}))

    def test_an_override_note_lets_the_units_go(self):
        problems = check(mue_limits={"J1745": 10}, mue_override_note="Loading dose per label.")
        assert "mue" not in codes(problems)
