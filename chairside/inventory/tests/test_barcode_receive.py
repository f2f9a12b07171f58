"""Receiving by scanning the carton: GS1 DataMatrix / GS1-128, GTIN-14 and UPC-A."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chairside.formulary.models import Package
from chairside.inventory import services
from chairside.inventory.models import Lot
from chairside.rules.inventory.barcodes import GS, gs1_check_digit

# Remicade 100 mg vial, NDC 57894-030-01 (5-3-2): NDC-10 5789403001 inside the GTIN.
GTIN = "0035789403001" + gs1_check_digit("0035789403001")
UPC = "35789403001" + gs1_check_digit("35789403001")
EXPIRY = (timezone.localdate() + dt.timedelta(days=400)).replace(day=1)
YYMMDD = EXPIRY.strftime("%y%m%d")


def _form(vendor: Any, fridge: Any, **line: str) -> dict[str, str]:
    data = {
        "vendor": str(vendor.pk),
        "invoice_number": "INV-SCAN-1",
        "invoice_date": timezone.localdate().isoformat(),
        "storage_place": str(fridge.pk),
        "line-TOTAL_FORMS": "1",
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "1",
        "line-MAX_NUM_FORMS": "1000",
        "line-0-ndc": "",
        "line-0-lot_number": "",
        "line-0-expires_on": "",
        "line-0-vials": "5",
        "line-0-cost_per_vial": "330.00",
    }
    data.update({f"line-0-{k}": v for k, v in line.items()})
    return data


class TestPackageForScan:
    def test_a_gs1_scan_finds_the_package_by_the_ndc_in_its_gtin(self, org: Any, drug: Any) -> None:
        package, scan = services.package_for_scan(
            organization=org, text=f"]d201{GTIN}17{YYMMDD}10RX2231{GS}21SN1"
        )
        assert package.ndc11 == "57894003001"
        assert (scan.lot, scan.expires_on, scan.serial) == ("RX2231", EXPIRY, "SN1")

    def test_a_upc_finds_the_package(self, org: Any, drug: Any) -> None:
        assert services.package_for_scan(organization=org, text=UPC)[0].ndc11 == "57894003001"

    def test_a_barcode_ndc_that_fits_two_packages_is_refused(self, org: Any, drug: Any) -> None:
        # 57894-0300-1 (5-4-1) pads to 57894030001, another of the NDC-10's three forms.
        Package.objects.create(
            drug=drug, ndc11="57894030001", description="made up", strength_mg=100
        )
        with pytest.raises(ValidationError, match="fits 2 formulary packages"):
            services.package_for_scan(organization=org, text=GTIN)

    def test_an_unknown_barcode_ndc_says_to_add_the_package(self, org: Any, drug: Any) -> None:
        other = "0031234567890"
        with pytest.raises(ValidationError, match="barcode's NDC 1234567890 is not in the"):
            services.package_for_scan(organization=org, text=other + gs1_check_digit(other))

    def test_another_organizations_package_is_not_found(self, other_org: Any, drug: Any) -> None:
        with pytest.raises(ValidationError, match="not in the formulary"):
            services.package_for_scan(organization=other_org, text=GTIN)


class TestReceivePage:
    def test_a_scanned_datamatrix_alone_fills_ndc_lot_and_expiry(
        self, pharmacist_client: Any, drug: Any, fridge: Any, vendor: Any
    ) -> None:
        scan = f"01{GTIN}17{YYMMDD}10RX2231{GS}21SN1"
        response = pharmacist_client.post(
            reverse("inventory:receive"), _form(vendor, fridge, ndc=scan)
        )
        assert response.status_code == 302, response.content.decode()
        lot = Lot.objects.get()
        assert (lot.package.ndc11, lot.lot_number, lot.expires_on, lot.on_hand) == (
            "57894003001",
            "RX2231",
            EXPIRY,
            5,
        )

    def test_a_typed_lot_that_differs_from_the_barcode_is_refused(
        self, pharmacist_client: Any, drug: Any, fridge: Any, vendor: Any
    ) -> None:
        scan = f"(01){GTIN}(17){YYMMDD}(10)RX2231"
        response = pharmacist_client.post(
            reverse("inventory:receive"), _form(vendor, fridge, ndc=scan, lot_number="RX9999")
        )
        assert response.status_code == 400
        assert b"The barcode says RX2231." in response.content
        assert not Lot.objects.exists()

    def test_the_lookup_says_what_the_scan_is_with_lot_and_expiry(
        self, pharmacist_client: Any, drug: Any
    ) -> None:
        found = pharmacist_client.get(
            reverse("inventory:ndc_lookup"), {"line-0-ndc": f"01{GTIN}17{YYMMDD}10RX2231"}
        ).content.decode()
        assert "infliximab 100 mg" in found
        assert 'data-lot="RX2231"' in found
        assert f'data-expires="{EXPIRY.isoformat()}"' in found
        assert 'data-ndc="57894-0030-01"' in found or 'data-ndc="57894-030-01"' in found
