"""OPPS Addendum B import (command and page), the claim's OPPS estimate, and the margins
report's facility/professional split."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from chairside.billing.models import OppsRateFile
from chairside.billing.selectors import claim_opps_estimate
from chairside.billing.selectors.margins import margin_report
from chairside.billing.services.opps import DEMO_FILE
from chairside.billing.tests import factories as bf
from chairside.billing.tests.test_institutional_claims import (
    department,
    hospital_claim,
    office_claim,
)


@pytest.fixture
def billing(org: Any) -> Any:
    bf.billable_org(org)
    return org


@pytest.mark.django_db
class TestImport:
    def test_the_command_imports_the_demo_file_marked_demo(self, billing: Any) -> None:
        out = StringIO()
        call_command("importopps", str(DEMO_FILE), stdout=out)
        assert "Imported 13 OPPS rates for 1 organization(s)" in out.getvalue()
        record = OppsRateFile.objects.get(organization=billing)
        assert record.is_demo
        assert record.rates.get(hcpcs="J1745").status_indicator == "K"

    def test_the_page_imports_an_upload_and_refuses_a_wrong_file(
        self, billing: Any, biller_client: Any
    ) -> None:
        with DEMO_FILE.open("rb") as handle:
            sent = biller_client.post("/billing/fees/opps/", {"file": handle})
        assert sent.status_code == 302
        page = biller_client.get("/billing/fees/opps/").content.decode()
        assert "DEMO figures, not CMS's" in page and "96413" in page
        from django.core.files.uploadedfile import SimpleUploadedFile

        bad = SimpleUploadedFile("asp.csv", bf.ASP_CSV.encode())
        refused = biller_client.post("/billing/fees/opps/", {"file": bad})
        assert refused.status_code == 400 and b"Addendum B" in refused.content
        assert OppsRateFile.objects.filter(organization=billing).count() == 1


@pytest.mark.django_db
class TestEstimate:
    def test_the_claim_shows_k_at_asp_plus_6_n_packaged_and_the_apc(
        self, billing: Any, biller_client: Any
    ) -> None:
        call_command("importopps", str(DEMO_FILE), stdout=StringIO())
        claim = hospital_claim(billing, department(billing), bf.medicare(billing))
        estimate = claim_opps_estimate(claim=claim)
        assert [(e.line.code, e.status_indicator, e.amount) for e in estimate["lines"]] == [
            ("96413", "S", Decimal("310.00")),  # demo APC rate
            ("96415", "N", Decimal("0")),  # packaged
            ("J1745", "K", Decimal("1347.50")),  # 35 units × the ASP file's 38.50
            ("J1745", "K", Decimal("192.50")),  # the JW line, 5 units
        ]
        page = biller_client.get(claim.get_absolute_url()).content.decode()
        assert "OPPS payment estimate" in page and "Packaged (paid within the APC)" in page
        assert "demo figures, not CMS" in page and "$1,850.00" in page

    def test_a_professional_claim_has_no_opps_estimate(
        self, billing: Any, biller_client: Any
    ) -> None:
        claim = office_claim(billing, bf.medicare(billing))
        assert b"OPPS payment estimate" not in biller_client.get(claim.get_absolute_url()).content


@pytest.mark.django_db
class TestMarginsByForm:
    def test_it_separates_facility_and_professional_revenue(self, billing: Any) -> None:
        payer = bf.medicare(billing)
        hospital = hospital_claim(billing, department(billing), payer)
        office = office_claim(billing, payer)
        day = hospital.encounter.date_of_service
        report = margin_report(organization=billing, start=day, end=day)
        by_form = {s.key[0]: s for s in report["by_form"]}
        assert set(by_form) == {
            "Facility (hospital outpatient, 837I)",
            "Professional (837P)",
        }
        assert by_form["Facility (hospital outpatient, 837I)"].visits == 1
        assert by_form["Facility (hospital outpatient, 837I)"].payer_revenue == (
            hospital.expected_payer
        )
        assert by_form["Professional (837P)"].payer_revenue == office.expected_payer
