from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.inventory import services
from chairside.inventory.tests import factories as inv
from chairside.inventory.tests.factories import noon
from tests import factories as f
from tests.factories import someone


class TestStockDispense:
    def test_it_takes_vials_names_the_patient_and_audits_the_chart(
        self, lot: Any, patient: Any, pharmacist: Any
    ) -> None:
        move = services.stock_dispense(
            lot=lot, vials=4, patient=patient, user=pharmacist, visit_ref="V-1"
        )
        lot.refresh_from_db()
        assert lot.on_hand == 6
        assert (move.vials, move.mg, move.patient, move.visit_ref) == (
            -4,
            Decimal("400.000"),
            patient,
            "V-1",
        )
        assert AuditEvent.objects.filter(
            patient_id=patient.public_id, object_id=move.public_id
        ).exists()

    def test_it_refuses_more_vials_than_the_lot_holds(self, lot: Any, patient: Any) -> None:
        with pytest.raises(ValidationError, match="Only 10 vials of lot A100 on hand"):
            services.stock_dispense(lot=lot, vials=11, patient=patient, user=someone())
        lot.refresh_from_db()
        assert lot.on_hand == 10

    def test_it_refuses_an_expired_lot(self, lot: Any, patient: Any) -> None:
        with (
            time_machine.travel(noon(lot, lot.expires_on + dt.timedelta(days=1))),
            pytest.raises(ValidationError, match="expired"),
        ):
            services.stock_dispense(lot=lot, vials=1, patient=patient, user=someone())

    def test_it_allows_a_lot_on_its_expiry_date(self, lot: Any, patient: Any) -> None:
        with time_machine.travel(
            dt.datetime.combine(lot.expires_on, dt.time(12), tzinfo=lot.location.tz)
        ):
            services.stock_dispense(lot=lot, vials=1, patient=patient, user=someone())

    def test_it_keeps_patient_specific_stock_for_its_patient(
        self, org: Any, fridge: Any, pkg: Any, patient: Any
    ) -> None:
        white_bag = inv.make_lot(fridge, pkg, vials=3, patient=patient)
        someone_else = f.make_patient(org)
        with pytest.raises(ValidationError, match="patient-specific stock for"):
            services.stock_dispense(lot=white_bag, vials=1, patient=someone_else, user=someone())
        services.stock_dispense(lot=white_bag, vials=1, patient=patient, user=someone())

    def test_it_refuses_another_organizations_patient(self, lot: Any, foreign_patient: Any) -> None:
        with pytest.raises(ValidationError, match="your organization"):
            services.stock_dispense(lot=lot, vials=1, patient=foreign_patient, user=someone())


class TestDispenseSuggestion:
    def test_it_picks_first_expiry_first_and_skips_expired_lots(
        self, org: Any, location: Any, fridge: Any, pkg: Any, patient: Any
    ) -> None:
        late = inv.make_lot(fridge, pkg, vials=5, expires_in=300)
        soon = inv.make_lot(fridge, pkg, vials=2, expires_in=20)
        picks = services.dispense_suggestion(
            organization=org,
            location=location,
            drug=pkg.drug,
            dose_mg=Decimal("350"),
            patient=patient,
        )
        assert [(lot.pk, n) for lot, n in picks] == [(soon.pk, 2), (late.pk, 2)]
        with time_machine.travel(noon(late, timezone.localdate() + dt.timedelta(days=25))):
            picks = services.dispense_suggestion(
                organization=org,
                location=location,
                drug=pkg.drug,
                dose_mg=Decimal("350"),
                patient=patient,
            )
        assert [(lot.pk, n) for lot, n in picks] == [(late.pk, 4)]

    def test_it_uses_the_patients_own_stock_first(
        self, org: Any, location: Any, fridge: Any, pkg: Any, patient: Any
    ) -> None:
        inv.make_lot(fridge, pkg, vials=9, expires_in=10)
        own = inv.make_lot(fridge, pkg, vials=4, patient=patient, expires_in=200)
        picks = services.dispense_suggestion(
            organization=org,
            location=location,
            drug=pkg.drug,
            dose_mg=Decimal("400"),
            patient=patient,
        )
        assert [(lot.pk, n) for lot, n in picks] == [(own.pk, 4)]

    def test_it_chooses_the_vials_that_waste_least(
        self, org: Any, location: Any, fridge: Any, patient: Any
    ) -> None:
        toci = inv.make_drug(org, inv.TOCILIZUMAB)
        for strength in ("80", "200", "400"):
            inv.make_lot(fridge, inv.package(toci, strength), vials=3, cost="100")
        picks = services.dispense_suggestion(
            organization=org, location=location, drug=toci, dose_mg=Decimal("560"), patient=patient
        )
        assert sorted((lot.package.strength_mg, n) for lot, n in picks) == [
            (Decimal("80.000"), 2),
            (Decimal("400.000"), 1),
        ]

    def test_it_says_when_stock_cannot_cover_the_dose(
        self, org: Any, location: Any, lot: Any, patient: Any
    ) -> None:
        with pytest.raises(ValidationError, match="Cannot prepare 1500 mg"):
            services.dispense_suggestion(
                organization=org,
                location=location,
                drug=lot.package.drug,
                dose_mg=Decimal("1500"),
                patient=patient,
            )

    def test_it_dispenses_a_whole_dose_in_one_go(
        self, org: Any, location: Any, lot: Any, patient: Any, pharmacist: Any
    ) -> None:
        moves = services.stock_dispense_dose(
            organization=org,
            location=location,
            drug=lot.package.drug,
            dose_mg=Decimal("367.5"),
            patient=patient,
            user=pharmacist,
            visit_ref="V-9",
        )
        lot.refresh_from_db()
        assert sum(m.vials for m in moves) == -4
        assert lot.on_hand == 6

    def test_it_refuses_a_dose_while_the_order_awaits_signature(
        self, org: Any, location: Any, lot: Any, patient: Any, pharmacist: Any
    ) -> None:
        """Issue 11.2: the pharmacy prepares nothing for an unsigned order."""
        from chairside.scheduling.tests.factories import make_order

        order = make_order(patient, drug=lot.package.drug, signed_at=None)
        args = {
            "organization": org,
            "location": location,
            "drug": lot.package.drug,
            "dose_mg": Decimal("350"),
            "patient": patient,
            "user": pharmacist,
        }
        with pytest.raises(ValidationError, match="awaits a physician's or NP's signature"):
            services.stock_dispense_dose(**args)
        lot.refresh_from_db()
        assert lot.on_hand == 10
        order.signed_at = timezone.now()
        order.save()
        assert sum(m.vials for m in services.stock_dispense_dose(**args)) == -4


class TestDispensePage:
    def test_it_shows_the_plan_then_dispenses_on_confirmation(
        self, pharmacist_client: Any, location: Any, lot: Any, patient: Any
    ) -> None:
        data = {
            "location": location.pk,
            "patient": patient.mrn,
            "drug": lot.package.drug.pk,
            "dose_mg": "350",
            "visit_ref": "V-2",
        }
        plan = pharmacist_client.get(reverse("inventory:dispense"), data)
        assert plan.status_code == 200
        assert b"A100" in plan.content
        lot.refresh_from_db()
        assert lot.on_hand == 10
        done = pharmacist_client.post(reverse("inventory:dispense"), {**data, "confirm": "1"})
        assert done.status_code == 302
        lot.refresh_from_db()
        assert lot.on_hand == 6

    def test_it_says_an_unknown_mrn_clearly(
        self, pharmacist_client: Any, location: Any, lot: Any
    ) -> None:
        response = pharmacist_client.get(
            reverse("inventory:dispense"),
            {
                "location": location.pk,
                "patient": "NOPE",
                "drug": lot.package.drug.pk,
                "dose_mg": "100",
            },
        )
        assert response.status_code == 400
        assert b"No patient has MRN NOPE" in response.content

    def test_it_is_refused_to_a_nurse(self, nurse_client: Any) -> None:
        assert nurse_client.get(reverse("inventory:dispense")).status_code == 403
