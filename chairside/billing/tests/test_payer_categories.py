"""Per-payer administration categories: a payer that wants 96365 for infliximab gets it,
set and removed on the Billing settings page, one organization's choice never another's."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.billing.models import PayerDrugCategory
from chairside.billing.services import charges_derive, payer_drug_category_set
from chairside.billing.tests import factories as bf
from chairside.formulary.models import Drug
from tests import factories as f
from tests.factories import someone


def _admin_codes(encounter: Any) -> list[str]:
    return list(
        encounter.current_lines.filter(kind="administration")
        .order_by("position")
        .values_list("code", flat=True)
    )


def _derive(org: Any, patient: Any, payer: Any, ref: str) -> Any:
    facts = bf.facts_for(patient, payer, encounter_ref=ref)
    return charges_derive(organization=org, patient=patient, location=None, facts=facts)


@pytest.fixture
def billable(org: Any) -> dict[str, Any]:
    bf.billable_org(org)
    return {
        "payer": bf.commercial(org),
        "medicare": bf.medicare(org),
        "patient": bf.billable_patient(org),
        "drug": Drug.objects.get(organization=org, key="infliximab"),
    }


@pytest.mark.django_db
class TestDerivedCodes:
    def test_the_payers_category_turns_96413_into_96365_and_removing_it_turns_it_back(
        self, org: Any, billable: dict[str, Any]
    ) -> None:
        payer, patient, drug = billable["payer"], billable["patient"], billable["drug"]
        assert _admin_codes(_derive(org, patient, payer, "v1")) == ["96413", "96415"]

        payer_drug_category_set(
            organization=org, payer=payer, drug=drug, category="therapeutic", user=someone()
        )
        encounter = _derive(org, patient, payer, "v1")  # the visit corrected before sending
        assert _admin_codes(encounter) == ["96365", "96366"]
        assert encounter.facts["administrations"][0]["category"] == "therapeutic"
        claim = encounter.claims.get(superseded=False)
        assert [i.line.code for i in claim.items.order_by("line_number")][:2] == [
            "96365",
            "96366",
        ]

        payer_drug_category_set(
            organization=org, payer=payer, drug=drug, category="", user=someone()
        )
        assert not PayerDrugCategory.objects.filter(organization=org).exists()
        assert _admin_codes(_derive(org, patient, payer, "v1")) == ["96413", "96415"]

    def test_another_payer_keeps_the_formularys_category(
        self, org: Any, billable: dict[str, Any]
    ) -> None:
        payer_drug_category_set(
            organization=org,
            payer=billable["payer"],
            drug=billable["drug"],
            category="therapeutic",
            user=someone(),
        )
        medicare = _derive(org, billable["patient"], billable["medicare"], "v2")
        assert _admin_codes(medicare) == ["96413", "96415"]

    def test_a_payer_can_ask_for_complex_codes_for_a_therapeutic_drug(
        self, org: Any, billable: dict[str, Any]
    ) -> None:
        Drug.objects.filter(pk=billable["drug"].pk).update(admin_category="therapeutic")
        patient, payer = billable["patient"], billable["payer"]
        facts = bf.facts_for(patient, payer, encounter_ref="v3")
        facts = replace(
            facts, administrations=(replace(facts.administrations[0], category="therapeutic"),)
        )
        encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
        assert _admin_codes(encounter) == ["96365", "96366"]
        billable["drug"].refresh_from_db()
        payer_drug_category_set(
            organization=org, payer=payer, drug=billable["drug"], category="chemo", user=someone()
        )
        encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
        assert _admin_codes(encounter) == ["96413", "96415"]


@pytest.mark.django_db
class TestOrganizations:
    def test_another_organizations_choice_does_not_touch_this_ones_claims(
        self, org: Any, other_org: Any, billable: dict[str, Any]
    ) -> None:
        bf.billable_org(other_org)
        other_payer = bf.commercial(other_org)
        other_drug = Drug.objects.get(organization=other_org, key="infliximab")
        payer_drug_category_set(
            organization=other_org,
            payer=other_payer,
            drug=other_drug,
            category="therapeutic",
            user=someone(),
        )
        mine = _derive(org, billable["patient"], billable["payer"], "v4")
        assert _admin_codes(mine) == ["96413", "96415"]
        theirs = _derive(other_org, bf.billable_patient(other_org), other_payer, "v5")
        assert _admin_codes(theirs) == ["96365", "96366"]

    def test_a_payer_or_drug_of_another_organization_is_refused(
        self, org: Any, other_org: Any, billable: dict[str, Any]
    ) -> None:
        bf.billable_org(other_org)
        other_drug = Drug.objects.get(organization=other_org, key="infliximab")
        with pytest.raises(ValidationError, match="another organization"):
            payer_drug_category_set(
                organization=org,
                payer=f.make_payer(other_org),
                drug=billable["drug"],
                category="therapeutic",
                user=someone(),
            )
        with pytest.raises(ValidationError, match="another organization"):
            payer_drug_category_set(
                organization=org,
                payer=billable["payer"],
                drug=other_drug,
                category="therapeutic",
                user=someone(),
            )
        assert not PayerDrugCategory.objects.exists()


@pytest.mark.django_db
class TestBadInput:
    def test_an_unknown_category_names_the_choices(
        self, org: Any, billable: dict[str, Any]
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            payer_drug_category_set(
                organization=org,
                payer=billable["payer"],
                drug=billable["drug"],
                category="hydration",
                user=someone(),
            )
        assert "chemotherapy/complex (96413 family) or therapeutic (96365 family)" in str(
            caught.value
        )

    def test_a_hydration_fluid_has_no_category_to_choose(
        self, org: Any, billable: dict[str, Any]
    ) -> None:
        saline = Drug.objects.create(
            organization=org,
            key="saline",
            generic_name="sodium chloride 0.9%",
            hcpcs="J7050",
            billing_unit_mg=Decimal(250),
            admin_category="hydration",
        )
        with pytest.raises(ValidationError, match="is hydration"):
            payer_drug_category_set(
                organization=org,
                payer=billable["payer"],
                drug=saline,
                category="chemo",
                user=someone(),
            )


@pytest.mark.django_db
class TestSettingsPage:
    URL = "billing:payer_drug_category"

    def test_a_biller_sets_and_removes_a_payers_category_on_the_settings_page(
        self, org: Any, billable: dict[str, Any], biller_client: Any
    ) -> None:
        payer, drug = billable["payer"], billable["drug"]
        response = biller_client.post(
            reverse(self.URL),
            {"payer": payer.pk, "drug": drug.pk, "category": "therapeutic", "note": "Policy 12"},
        )
        assert response.status_code == 302
        row = PayerDrugCategory.objects.get(organization=org)
        assert (row.payer, row.drug, row.category, row.note) == (
            payer,
            drug,
            "therapeutic",
            "Policy 12",
        )
        page = biller_client.get(reverse("billing:settings")).content.decode()
        assert "Therapeutic (96365 family)" in page and "Policy 12" in page
        biller_client.post(reverse(self.URL), {"payer": payer.pk, "drug": drug.pk, "category": ""})
        assert not PayerDrugCategory.objects.exists()

    def test_an_administrator_may_set_it_and_a_nurse_may_not(
        self, org: Any, billable: dict[str, Any], admin_client: Any, nurse_client: Any
    ) -> None:
        data = {"payer": billable["payer"].pk, "drug": billable["drug"].pk, "category": "chemo"}
        assert nurse_client.post(reverse(self.URL), data).status_code == 403
        assert not PayerDrugCategory.objects.exists()
        assert admin_client.post(reverse(self.URL), data).status_code == 302
        assert PayerDrugCategory.objects.get().category == "chemo"

    def test_another_organizations_payer_or_a_missing_drug_is_refused_with_the_field_named(
        self, org: Any, other_org: Any, billable: dict[str, Any], biller_client: Any
    ) -> None:
        theirs = f.make_payer(other_org)
        response = biller_client.post(
            reverse(self.URL),
            {"payer": theirs.pk, "drug": billable["drug"].pk, "category": "therapeutic"},
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        response = biller_client.post(
            reverse(self.URL), {"payer": billable["payer"].pk, "category": "therapeutic"}
        )
        assert response.status_code == 400
        assert "This field is required" in response.content.decode()
        assert not PayerDrugCategory.objects.exists()

    def test_the_settings_page_lists_only_this_organizations_choices(
        self, org: Any, other_org: Any, billable: dict[str, Any], biller_client: Any
    ) -> None:
        bf.billable_org(other_org)
        payer_drug_category_set(
            organization=other_org,
            payer=bf.commercial(other_org, name="Elsewhere Health"),
            drug=Drug.objects.get(organization=other_org, key="infliximab"),
            category="therapeutic",
            user=someone(),
        )
        page = biller_client.get(reverse("billing:settings")).content.decode()
        assert "Elsewhere Health" not in page
        assert "every payer is billed by the formulary" in page
