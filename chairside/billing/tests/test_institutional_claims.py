"""Hospital outpatient departments: the visit makes an 837I claim with revenue codes, PO/PN
off campus, sent in its own file (pyx12-validated), checked for what an 837I needs, and
printed as a UB-04."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.billing.models import ChargeMasterItem, Claim
from chairside.billing.services import (
    charges_derive,
    claim_check,
    claims_export,
    claims_export_by_form,
)
from chairside.billing.tests import factories as bf
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.charges import Provider
from chairside.rules.billing.x12.x12_validate import validate_x12
from tests import factories as f

SUPERVISOR = Provider("1902847312", "Marsh", "Elena", "MD")  # made up, check digit valid


@pytest.fixture
def billing(org: Any) -> Any:
    bf.billable_org(org)
    return org


def department(org: Any, site_type: str = "hospital_off_campus", status: str = "excepted") -> Any:
    return f.make_location(
        org,
        name=f"Infusion department {site_type} {status}",
        site_type=site_type,
        place_of_service="19" if site_type == "hospital_off_campus" else "22",
        off_campus_status=status,
    )


def hospital_claim(org: Any, location: Any, *payers: Any, **changes: Any) -> Claim:
    patient = bf.billable_patient(org)
    changes.setdefault("place_of_service", location.place_of_service if location else "22")
    changes.setdefault("setting", "facility")
    changes.setdefault("supervising_provider", SUPERVISOR)
    facts = bf.facts_for(patient, *payers, **changes)
    encounter = charges_derive(organization=org, patient=patient, location=location, facts=facts)
    return encounter.claims.get(sequence=1)


def office_claim(org: Any, payer: Any) -> Claim:
    patient = bf.billable_patient(org)
    encounter = charges_derive(
        organization=org, patient=patient, location=None, facts=bf.facts_for(patient, payer)
    )
    return encounter.claims.get(sequence=1)


@pytest.mark.django_db
class TestWhichClaim:
    def test_it_builds_an_institutional_claim_with_revenue_codes_and_po(self, billing: Any) -> None:
        claim = hospital_claim(billing, department(billing), bf.medicare(billing))
        assert claim.claim_form == "837I"
        items = list(claim.items.select_related("line").order_by("line_number"))
        assert [(i.line.code, i.revenue_code) for i in items] == [
            ("96413", "0335"),
            ("96415", "0335"),
            ("J1745", "0636"),
            ("J1745", "0636"),
        ]
        assert all("PO" in i.line.modifier_list for i in items)
        assert items[3].line.modifier_list == ("JW", "PO")
        assert claim.state == states.READY, claim.problems

    def test_it_marks_a_non_excepted_department_pn_and_on_campus_nothing(
        self, billing: Any
    ) -> None:
        payer = bf.medicare(billing)
        pn = hospital_claim(billing, department(billing, status="non_excepted"), payer)
        assert {i.line.modifier_list[-1] for i in pn.items.select_related("line")} == {"PN"}
        on_campus = hospital_claim(billing, department(billing, "hospital_on_campus", ""), payer)
        assert on_campus.claim_form == "837I"
        assert all(
            not {"PO", "PN"} & set(i.line.modifier_list)
            for i in on_campus.items.select_related("line")
        )

    def test_it_uses_the_charge_masters_revenue_code(self, billing: Any) -> None:
        ChargeMasterItem.objects.filter(organization=billing, code="96413").update(
            revenue_code="0510"
        )
        claim = hospital_claim(billing, department(billing), bf.medicare(billing))
        assert claim.items.get(line_number=1).revenue_code == "0510"

    def test_an_office_visit_still_makes_a_professional_claim(self, billing: Any) -> None:
        office = f.make_location(billing, name="Suite", site_type="office", place_of_service="11")
        claim = hospital_claim(
            billing, office, bf.medicare(billing), place_of_service="11", setting="office"
        )
        assert claim.claim_form == "837P"
        assert set(claim.items.values_list("revenue_code", flat=True)) == {""}


@pytest.mark.django_db
class TestInstitutionalCheck:
    def test_it_names_a_missing_attending_npi(self, billing: Any) -> None:
        claim = hospital_claim(
            billing,
            department(billing),
            bf.medicare(billing),
            supervising_provider=None,
            rendering_provider=None,
        )
        codes = {p["code"] for p in claim.problems}
        assert "attending_npi" in codes and "rendering_npi" not in codes
        assert claim.state == states.DRAFT

    def test_it_names_a_line_without_a_revenue_code(self, billing: Any) -> None:
        ChargeMasterItem.objects.create(organization=billing, code="96549", price_per_unit=10)
        claim = hospital_claim(billing, department(billing), bf.medicare(billing))
        item = claim.items.get(line_number=1)
        item.revenue_code = ""
        item.save()
        problems = claim_check(claim=claim, user=None)
        assert [p.code for p in problems] == ["revenue_code"]
        assert "96413" in problems[0].message and "charge master" in problems[0].message

    def test_it_names_an_off_campus_department_without_po_or_pn(self, billing: Any) -> None:
        location = department(billing)
        type(location).objects.filter(pk=location.pk).update(off_campus_status="")
        location.refresh_from_db()
        claim = hospital_claim(billing, location, bf.medicare(billing))
        assert [p["code"] for p in claim.problems] == ["department_modifier"]

    def test_it_never_lets_a_hospital_departments_drug_go_on_a_professional_claim(
        self, billing: Any
    ) -> None:
        # No location recorded (so the claim defaults to 837P) but the visit was at POS 22.
        claim = hospital_claim(billing, None, bf.medicare(billing), place_of_service="22")
        assert claim.claim_form == "837P"
        assert [p["code"] for p in claim.problems] == ["claim_form"]
        assert claim.state == states.DRAFT
        Claim.objects.filter(pk=claim.pk).update(state=states.READY)  # even if forced ready
        with pytest.raises(ValidationError, match="institutional claim"):
            claims_export(organization=billing, claims=[claim], user=None)


@pytest.mark.django_db
class TestSendingInstitutionalClaims:
    def test_it_writes_an_837i_that_pyx12_accepts(self, billing: Any, admin_user: Any) -> None:
        payer = bf.medicare(billing)
        location = department(billing)
        claims = [
            hospital_claim(billing, location, payer),
            hospital_claim(billing, location, payer),
        ]
        export = claims_export(organization=billing, claims=claims, user=admin_user)
        assert export.claim_form == "837I" and export.filename.startswith("837I-")
        assert validate_x12(export.content) == []
        assert "005010X223A2" in export.content and "CLM*" + claims[0].control_number in (
            export.content
        )
        assert "SV2*0335*HC:96413:PO*" in export.content
        assert "NM1*71*1*MARSH*ELENA****XX*1902847312" in export.content
        for claim in claims:
            claim.refresh_from_db()
            assert claim.state == states.SUBMITTED

    def test_it_splits_a_mixed_choice_into_one_file_per_form(
        self, billing: Any, admin_user: Any
    ) -> None:
        payer = bf.medicare(billing)
        hospital = hospital_claim(billing, department(billing), payer)
        office = office_claim(billing, payer)
        with pytest.raises(ValidationError, match="separate files"):
            claims_export(organization=billing, claims=[hospital, office], user=admin_user)
        exports = claims_export_by_form(
            organization=billing, claims=[hospital, office], user=admin_user
        )
        assert [(e.claim_form, e.claim_count) for e in exports] == [("837P", 1), ("837I", 1)]
        assert all(validate_x12(e.content) == [] for e in exports)
        assert "005010X222A1" in exports[0].content and "005010X223A2" in exports[1].content

    def test_a_file_that_fails_sends_nothing(self, billing: Any, admin_user: Any) -> None:
        payer = bf.medicare(billing)
        hospital = hospital_claim(billing, department(billing), payer)
        office = office_claim(billing, payer)
        Claim.objects.filter(pk=hospital.pk).update(state=states.DRAFT)
        with pytest.raises(ValidationError):
            claims_export_by_form(organization=billing, claims=[office, hospital], user=admin_user)
        office.refresh_from_db()
        assert office.state == states.READY and not office.exports.exists()


@pytest.mark.django_db
class TestUb04View:
    def test_it_prints_the_claim_by_form_locator(self, billing: Any, biller_client: Any) -> None:
        claim = hospital_claim(billing, department(billing), bf.medicare(billing))
        client = biller_client
        page = client.get(f"/billing/claims/{claim.public_id}/ub-04/")
        assert page.status_code == 200
        html = page.content.decode()
        for text in ("4. Type of bill", ">0131<", "42. Rev. cd.", "0335", "96413 PO", "K5090"):
            assert text in html, text
        assert "1902847312 &nbsp; Marsh" in html  # FL 76 attending
        assert "1245319599" in html  # FL 78 referring
        redirected = client.get(f"/billing/claims/{claim.public_id}/cms-1500/")
        assert redirected.status_code == 302 and redirected.url.endswith("/ub-04/")

    def test_it_makes_a_pdf(self, billing: Any, biller_client: Any) -> None:
        claim = hospital_claim(billing, department(billing), bf.medicare(billing))
        client = biller_client
        page = client.get(f"/billing/claims/{claim.public_id}/ub-04/?format=pdf")
        assert page.status_code == 200 and page.content[:4] == b"%PDF"

    def test_the_send_button_splits_and_offers_both_files(
        self, billing: Any, biller_client: Any
    ) -> None:
        payer = bf.medicare(billing)
        hospital = hospital_claim(billing, department(billing), payer)
        office = office_claim(billing, payer)
        client = biller_client
        sent = client.post(
            "/billing/claims/export/", {"claim": [str(hospital.public_id), str(office.public_id)]}
        )
        assert sent.status_code == 302
        home = client.get(sent.url).content.decode()
        assert "Download the 837P file" in home and "Download the 837I file" in home
