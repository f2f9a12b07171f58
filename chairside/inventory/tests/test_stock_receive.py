from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.inventory import services
from chairside.inventory.models import Lot, Movement, VendorInvoice
from chairside.inventory.tests import factories as inv
from tests.factories import someone

TODAY = timezone.localdate


def line(ndc: str = "57894-030-01", **kw: Any) -> services.ReceiptLine:
    kw.setdefault("lot_number", "ab123")
    kw.setdefault("expires_on", TODAY() + dt.timedelta(days=300))
    kw.setdefault("vials", 6)
    kw.setdefault("cost_per_vial", Decimal("330.00"))
    return services.ReceiptLine(ndc=ndc, **kw)


def receive(org: Any, user: Any, vendor: Any, place: Any, lines: list[Any], **kw: Any) -> Any:
    kw.setdefault("invoice_number", "INV-1")
    return services.shipment_receive(
        organization=org, user=user, vendor=vendor, storage_place=place, lines=lines, **kw
    )


class TestStockReceive:
    def test_it_creates_a_lot_with_its_receive_movement_and_audit(self, lot: Any) -> None:
        assert lot.on_hand == 10
        move = Movement.objects.get(lot=lot)
        assert (move.kind, move.vials, move.balance_after) == ("receive", 10, 10)
        assert AuditEvent.objects.filter(object_id=move.public_id, action="create").exists()

    @pytest.mark.parametrize(
        ("vials", "message"),
        [
            (-2, "1 vial or more"),
            (0, "1 vial or more"),
            ("1.5", "not a whole number"),
            ("x", "not a number"),
        ],
    )
    def test_it_refuses_a_bad_vial_count_and_saves_nothing(
        self, org: Any, fridge: Any, pkg: Any, *, vendor: Any, vials: Any, message: str
    ) -> None:
        with pytest.raises(ValidationError, match=message):
            services.stock_receive(
                organization=org,
                user=someone(),
                storage_place=fridge,
                package=pkg,
                lot_number="X1",
                expires_on=TODAY() + dt.timedelta(days=90),
                vials=vials,
                cost_per_vial=Decimal(1),
                vendor=vendor,
            )
        assert not Lot.objects.exists()

    def test_it_refuses_an_expired_lot(self, org: Any, fridge: Any, pkg: Any, vendor: Any) -> None:
        with pytest.raises(ValidationError, match="expired on"):
            services.stock_receive(
                organization=org,
                user=someone(),
                storage_place=fridge,
                package=pkg,
                lot_number="OLD",
                expires_on=TODAY() - dt.timedelta(days=1),
                vials=3,
                cost_per_vial=Decimal(1),
                vendor=vendor,
            )
        assert not Lot.objects.exists()

    def test_it_receives_patient_specific_stock_at_no_cost(
        self, fridge: Any, pkg: Any, patient: Any
    ) -> None:
        white_bag = inv.make_lot(fridge, pkg, vials=4, patient=patient)
        assert white_bag.patient == patient
        assert white_bag.cost_per_vial == 0
        assert white_bag.invoice is None

    def test_replacement_drug_comes_for_an_enrolled_patient_and_is_kept_apart(
        self, org: Any, fridge: Any, pkg: Any, patient: Any
    ) -> None:
        from chairside.access.authorizations import services as access

        program = access.assistance_program_create(
            organization=org, user=someone(), name="Free drug", kind="free_drug"
        )

        def receive_free(for_patient: Any) -> Lot:
            return services.stock_receive(
                organization=org,
                user=someone(),
                storage_place=fridge,
                package=pkg,
                lot_number="RP1",
                expires_on=TODAY() + dt.timedelta(days=90),
                vials=2,
                patient=for_patient,
                replacement_program=program,
            )

        with pytest.raises(ValidationError, match="give the MRN"):
            receive_free(None)
        with pytest.raises(ValidationError, match="no current enrolment"):
            receive_free(patient)
        access.assistance_enroll(
            patient=patient,
            user=someone(),
            program=program,
            drug=pkg.drug,
            member_id="PAP-9",
            enrolled_on=TODAY() - dt.timedelta(days=10),
            expires_on=TODAY() + dt.timedelta(days=300),
        )
        lot = receive_free(patient)
        assert lot.patient == patient and lot.cost_per_vial == 0 and lot.invoice is None
        assert "never billed" in Movement.objects.get(lot=lot).reason

    def test_it_refuses_a_cost_on_patient_specific_stock(
        self, org: Any, fridge: Any, pkg: Any, patient: Any
    ) -> None:
        with pytest.raises(ValidationError, match="costs the center nothing"):
            services.stock_receive(
                organization=org,
                user=someone(),
                storage_place=fridge,
                package=pkg,
                lot_number="WB1",
                expires_on=TODAY() + dt.timedelta(days=90),
                vials=2,
                cost_per_vial=Decimal("100"),
                patient=patient,
            )

    def test_it_refuses_another_organizations_storage_place(
        self, org: Any, other_org: Any, pkg: Any, vendor: Any
    ) -> None:
        from tests import factories as f

        elsewhere = inv.make_place(f.make_location(other_org))
        with pytest.raises(ValidationError, match="your organization"):
            services.stock_receive(
                organization=org,
                user=someone(),
                storage_place=elsewhere,
                package=pkg,
                lot_number="X",
                expires_on=TODAY() + dt.timedelta(days=90),
                vials=1,
                cost_per_vial=Decimal(1),
                vendor=vendor,
            )


class TestShipmentReceive:
    def test_it_receives_several_lots_on_one_invoice_due_after_the_terms(
        self, org: Any, drug: Any, fridge: Any, pharmacist: Any
    ) -> None:
        vendor = inv.make_vendor(org, payment_terms_days=60)
        lots = receive(
            org,
            pharmacist,
            vendor,
            fridge,
            [line("57894-030-01", lot_number="a1"), line("57894003001", lot_number="a2", vials=2)],
            invoice_date=TODAY(),
        )
        assert [lt.lot_number for lt in lots] == ["A1", "A2"]
        invoice = VendorInvoice.objects.get()
        assert invoice.due_on == TODAY() + dt.timedelta(days=60)
        assert invoice.amount == Decimal("330.00") * 8

    def test_it_saves_nothing_when_one_line_is_bad(
        self, org: Any, drug: Any, fridge: Any, vendor: Any
    ) -> None:
        with pytest.raises(ValidationError) as exc:
            receive(org, None, vendor, fridge, [line(), line(vials="2.5")])
        assert "1-vials" in exc.value.message_dict
        assert not Lot.objects.exists()
        assert not VendorInvoice.objects.exists()

    def test_it_flags_an_ndc_not_in_the_formulary(
        self, org: Any, drug: Any, fridge: Any, vendor: Any
    ) -> None:
        with pytest.raises(ValidationError) as exc:
            receive(org, None, vendor, fridge, [line("12345-6789-01")])
        error = exc.value.error_dict["0-ndc"][0]
        assert error.code == services.UNKNOWN_NDC
        assert error.params == {"ndc11": "12345678901"}

    def test_it_refuses_the_same_invoice_twice(
        self, org: Any, drug: Any, fridge: Any, vendor: Any
    ) -> None:
        receive(org, None, vendor, fridge, [line()])
        with pytest.raises(ValidationError, match="already received"):
            receive(org, None, vendor, fridge, [line(lot_number="other")])
        assert Lot.objects.count() == 1


class TestReceivePage:
    def form(self, vendor: Any, place: Any, **lines: Any) -> dict[str, Any]:
        data = {
            "vendor": vendor.pk,
            "invoice_number": "PS-77",
            "invoice_date": TODAY().isoformat(),
            "storage_place": place.pk,
            "patient": "",
            "line-TOTAL_FORMS": "1",
            "line-INITIAL_FORMS": "0",
            "line-MIN_NUM_FORMS": "1",
            "line-MAX_NUM_FORMS": "1000",
            "line-0-ndc": "57894-030-01",
            "line-0-lot_number": "p9",
            "line-0-expires_on": (TODAY() + dt.timedelta(days=200)).isoformat(),
            "line-0-vials": "5",
            "line-0-cost_per_vial": "330.00",
        }
        data.update({f"line-0-{k}": v for k, v in lines.items()})
        return data

    def test_it_receives_a_scanned_11_digit_ndc(
        self, pharmacist_client: Any, drug: Any, fridge: Any, vendor: Any
    ) -> None:
        response = pharmacist_client.post(
            reverse("inventory:receive"), self.form(vendor, fridge, ndc="57894003001")
        )
        assert response.status_code == 302
        assert Lot.objects.get().on_hand == 5

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("expires_on", "2001-01-01", b"expired on"),
            ("vials", "-3", b"1 vial or more"),
            ("vials", "2.5", b"not a whole number"),
            ("ndc", "5789403001", b"ambiguous"),
        ],
    )
    def test_it_shows_a_clear_message_and_saves_nothing(
        self,
        pharmacist_client: Any,
        *,
        drug: Any,
        fridge: Any,
        vendor: Any,
        field: str,
        value: str,
        message: bytes,
    ) -> None:
        response = pharmacist_client.post(
            reverse("inventory:receive"), self.form(vendor, fridge, **{field: value})
        )
        assert response.status_code == 400
        assert message in response.content
        assert not Lot.objects.exists()

    def test_it_skips_blank_lines_and_asks_for_the_rest_of_a_started_one(
        self, pharmacist_client: Any, drug: Any, fridge: Any, vendor: Any
    ) -> None:
        data = self.form(vendor, fridge)
        data.update({"line-TOTAL_FORMS": "3", "line-INITIAL_FORMS": "3"})
        data.update({f"line-2-{k}": "" for k in ("ndc", "lot_number", "expires_on", "vials")})
        data.update({"line-1-ndc": "57894-030-01", "line-1-lot_number": "", "line-1-vials": "2"})
        response = pharmacist_client.post(reverse("inventory:receive"), data)
        assert response.status_code == 400
        assert b"Needed for this lot." in response.content
        assert not Lot.objects.exists() and not VendorInvoice.objects.exists()
        data["line-1-ndc"] = data["line-1-vials"] = ""
        assert pharmacist_client.post(reverse("inventory:receive"), data).status_code == 302
        assert Lot.objects.count() == 1

    def test_it_offers_to_add_an_unknown_ndc(
        self, pharmacist_client: Any, drug: Any, fridge: Any, vendor: Any
    ) -> None:
        response = pharmacist_client.post(
            reverse("inventory:receive"), self.form(vendor, fridge, ndc="12345-6789-01")
        )
        assert response.status_code == 400
        assert b"Add this package" in response.content
        assert b"12345-6789-01" in response.content
        assert not Lot.objects.exists() and not VendorInvoice.objects.exists()

    def test_it_looks_an_ndc_up_as_it_is_scanned(self, pharmacist_client: Any, drug: Any) -> None:
        found = pharmacist_client.get(
            reverse("inventory:ndc_lookup"), {"line-0-ndc": "57894-030-01"}
        )
        assert b"infliximab 100 mg" in found.content
        unknown = pharmacist_client.get(
            reverse("inventory:ndc_lookup"), {"line-0-ndc": "12345-6789-01"}
        )
        assert b"not in the formulary" in unknown.content and b"packages/new" in unknown.content

    def test_it_is_refused_to_a_nurse(self, nurse_client: Any) -> None:
        assert nurse_client.get(reverse("inventory:receive")).status_code == 403


class TestPackageAdd:
    def test_it_adds_the_package_so_the_ndc_can_be_received(
        self, pharmacist_client: Any, org: Any, drug: Any
    ) -> None:
        response = pharmacist_client.post(
            reverse("inventory:package_add"),
            {
                "drug": drug.pk,
                "ndc": "57894-160-01",
                "description": "Infliximab (unbranded) 100 mg single-dose vial",
                "strength_mg": "100",
                "single_dose": "on",
                "storage": "refrigerated",
                "source": "openFDA NDC 57894-160-01",
            },
        )
        assert response.status_code == 302
        assert services.package_for_ndc(organization=org, ndc="57894-160-01").drug == drug

    def test_it_refuses_a_package_already_on_the_formulary(self, org: Any, drug: Any) -> None:
        with pytest.raises(ValidationError, match="already in the formulary"):
            services.package_add(
                organization=org,
                user=someone(),
                drug=drug,
                ndc="57894-030-01",
                description="dup",
                strength_mg=Decimal(100),
            )
