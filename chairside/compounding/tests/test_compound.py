"""Compounding a dose: stock drawn through the ledger, the BUD, and what is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.compounding.models import CompoundingRecord
from chairside.compounding.tests import factories as cf
from chairside.inventory import services as stock
from chairside.inventory.models import Movement
from chairside.inventory.tests import factories as inv
from chairside.rules.inventory.compounding import expiry_end

pytestmark = pytest.mark.django_db


class TestCompound:
    def test_it_draws_the_vials_from_stock_and_works_out_the_bud(
        self, formulation: Any, patient: Any, area: Any, lot: Any, technician: Any
    ) -> None:
        record = cf.compound(formulation, patient=patient, area=area, lot=lot, user=technician)
        lot.refresh_from_db()
        assert lot.on_hand == 6
        move = Movement.objects.get(lot=lot, kind="dispense")
        assert (move.vials, move.patient, move.visit_ref) == (-4, patient, record.number)
        assert record.ingredients.get().movement == move
        assert record.dose_mg == Decimal(350)
        assert record.concentration_mg_ml == Decimal("1.4000")  # 350 mg / 250 mL
        assert record.beyond_use_at == record.started_at + dt.timedelta(hours=24)
        assert record.bud_limited_by == "USP <797>: Category 1, 24 hours"
        assert record.prepared_by_name == "Luis Ortega, CPhT"
        assert record.status == CompoundingRecord.Status.PREPARED
        event = AuditEvent.objects.get(object_id=record.public_id, action="create")
        assert event.patient_id == patient.public_id
        assert "350 mg infliximab lot RX100 (4 vials)" in event.changes["ingredients"][1]

    def test_it_refuses_an_expired_lot_and_saves_nothing(
        self, kit: SimpleNamespace, fridge: Any, drug: Any
    ) -> None:
        old = inv.make_lot(fridge, inv.package(drug), vials=5, expires_in=1, lot_number="OLD1")
        later = timezone.now() + dt.timedelta(days=3)
        with time_machine.travel(later), pytest.raises(ValidationError, match="OLD1 expired on"):
            cf.compound(
                kit.formulation, patient=kit.patient, area=kit.area, lot=old, user=kit.technician
            )
        old.refresh_from_db()
        assert old.on_hand == 5
        assert not CompoundingRecord.objects.exists()

    def test_it_refuses_a_quarantined_lot(self, kit: SimpleNamespace, location: Any) -> None:
        quarantine = inv.make_place(location, "Quarantine shelf", kind="quarantine")
        _, inward = stock.stock_transfer(
            lot=kit.lot, vials=4, to_place=quarantine, user=kit.technician
        )
        with pytest.raises(ValidationError, match="in quarantine"):
            cf.compound(
                kit.formulation,
                patient=kit.patient,
                area=kit.area,
                lot=inward.lot,
                user=kit.technician,
            )
        assert not CompoundingRecord.objects.exists()

    def test_it_never_takes_stock_below_zero(
        self, formulation: Any, patient: Any, area: Any, lot: Any, technician: Any
    ) -> None:
        with pytest.raises(ValidationError, match="Only 10 vials of lot RX100"):
            cf.compound(
                formulation,
                patient=patient,
                area=area,
                lot=lot,
                user=technician,
                vials=11,
                amount_mg="1050",
            )
        lot.refresh_from_db()
        assert lot.on_hand == 10

    def test_it_refuses_more_drug_than_the_opened_vials_hold(
        self, formulation: Any, patient: Any, area: Any, lot: Any, technician: Any
    ) -> None:
        with pytest.raises(ValidationError, match="more than 3 vials of 100 mg hold"):
            cf.compound(formulation, patient=patient, area=area, lot=lot, user=technician, vials=3)

    def test_the_bud_is_never_later_than_a_lot_expiry(
        self, kit: SimpleNamespace, org: Any, drug: Any, fridge: Any
    ) -> None:
        cat2 = cf.make_formulation(org, drug, category="category_2", name="Cat 2 bag")
        short = inv.make_lot(fridge, inv.package(drug), vials=5, expires_in=2, lot_number="S2")
        record = cf.compound(
            cat2, patient=kit.patient, area=kit.area, lot=short, user=kit.technician
        )
        assert record.beyond_use_at == expiry_end(short.expires_on, kit.area.location.tz)
        assert record.bud_limited_by == "infliximab lot S2 expiry"

    def test_the_diluent_expiry_counts_too(
        self, formulation: Any, patient: Any, area: Any, lot: Any, technician: Any
    ) -> None:
        with pytest.raises(ValidationError, match="0.9% sodium chloride lot NS2231 has expired"):
            cf.compound(
                formulation,
                patient=patient,
                area=area,
                lot=lot,
                user=technician,
                diluent_expires_on=timezone.localdate() - dt.timedelta(days=1),
            )
        lot.refresh_from_db()
        assert lot.on_hand == 10  # the dispense made before the BUD check was rolled back

    def test_category_2_is_refused_outside_a_cleanroom(
        self, kit: SimpleNamespace, org: Any, drug: Any, location: Any
    ) -> None:
        cat2 = cf.make_formulation(org, drug, category="category_2", name="Cat 2 bag")
        sca = cf.make_area(location, kind="segregated", name="SCA · BSC 1")
        with pytest.raises(ValidationError, match="compounded in a cleanroom suite"):
            cf.compound(cat2, patient=kit.patient, area=sca, lot=kit.lot, user=kit.technician)

    def test_it_refuses_another_organizations_lot(
        self,
        formulation: Any,
        patient: Any,
        area: Any,
        other_org: Any,
        technician: Any,
    ) -> None:
        from tests import factories as f

        elsewhere = inv.make_place(f.make_location(other_org), "Their fridge")
        theirs = inv.make_lot(elsewhere, inv.package(inv.make_drug(other_org)), vials=5)
        with pytest.raises(ValidationError, match="your organization's own records"):
            cf.compound(formulation, patient=patient, area=area, lot=theirs, user=technician)


class TestFormulation:
    def test_it_refuses_a_frozen_category_1(self, org: Any, drug: Any) -> None:
        with pytest.raises(ValidationError, match="cannot be stored freeze"):
            cf.make_formulation(org, drug, storage="frozen")

    def test_it_refuses_category_3(self, org: Any, drug: Any) -> None:
        with pytest.raises(ValidationError, match="Category 3"):
            cf.make_formulation(org, drug, category="category_3")

    def test_a_fixed_amount_must_be_drawn_as_written(
        self, kit: SimpleNamespace, org: Any, drug: Any
    ) -> None:
        fixed = cf.make_formulation(org, drug, name="Fixed 300", amount_mg=Decimal(300))
        with pytest.raises(ValidationError, match="takes 300 mg of infliximab, not 350 mg"):
            cf.compound(fixed, patient=kit.patient, area=kit.area, lot=kit.lot, user=kit.technician)
