from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from chairside.inventory import selectors, services
from chairside.inventory.selectors.forecast import _booked_doses
from chairside.inventory.tests import factories as inv
from chairside.rules.inventory.forecast import BookedDose

MONDAY = dt.date(2026, 3, 2)


def dose(days: int, mg: str = "350", patient: Any = None, drug: str = "infliximab") -> BookedDose:
    return BookedDose(
        MONDAY + dt.timedelta(days=days), drug, Decimal(mg), str(patient.pk) if patient else None
    )


@pytest.fixture
def on_monday(location: Any) -> Any:
    with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(9), tzinfo=location.tz)):
        yield


@pytest.mark.usefixtures("on_monday")
class TestDemandForecast:
    def forecast(self, org: Any, location: Any, doses: list[BookedDose], **kw: Any) -> Any:
        return selectors.demand_forecast(
            organization=org, location=location, doses=doses, days=14, **kw
        )

    def test_it_turns_booked_doses_into_vials_per_day(
        self, org: Any, location: Any, lot: Any
    ) -> None:
        result = self.forecast(org, location, [dose(1), dose(1, "500"), dose(3)])
        row = result.rows[0]
        assert row.demand == {MONDAY + dt.timedelta(days=1): 9, MONDAY + dt.timedelta(days=3): 4}
        assert row.cells[:4] == [0, 9, 0, 4]
        assert row.on_hand == 10
        assert row.stockout == MONDAY + dt.timedelta(days=3)  # 13 vials booked, 10 on hand

    def test_it_suggests_an_order_that_covers_the_bookings_and_the_target(
        self, org: Any, location: Any, lot: Any
    ) -> None:
        # 4 vials a day for two weeks: 8 booked before a Tuesday order arrives Wednesday,
        # and the target is 7 days x 4 vials = 28 on the shelf.
        doses = [dose(n) for n in range(14)]
        row = self.forecast(org, location, doses).rows[0]
        assert row.daily_use == Decimal(2)  # 56 vials over the 28-day window
        assert row.suggestion.arrives_on == MONDAY + dt.timedelta(days=1)
        assert row.suggestion.vials == 14 - 10  # 7 days x 2 a day = 14, less 10 on hand
        assert row.days_on_hand == Decimal("5.0")

    def test_it_counts_what_is_on_order(
        self, org: Any, location: Any, lot: Any, pharmacist: Any
    ) -> None:
        order = services.purchase_order_create(
            organization=org,
            location=location,
            vendor=lot.vendor,
            user=pharmacist,
            lines=[(lot.package, 6, Decimal(330))],
        )
        services.purchase_order_send(order=order, user=pharmacist)
        row = self.forecast(org, location, [dose(n) for n in range(14)]).rows[0]
        assert row.on_order == {MONDAY + dt.timedelta(days=1): 6}
        assert row.suggestion.vials == 0

    def test_a_patients_own_stock_covers_their_doses_first(
        self, org: Any, location: Any, fridge: Any, lot: Any, patient: Any
    ) -> None:
        inv.make_lot(fridge, lot.package, vials=4, patient=patient)
        row = self.forecast(org, location, [dose(2, patient=patient), dose(2)]).rows[0]
        assert row.white_bag_vials == 4
        assert row.demand == {MONDAY + dt.timedelta(days=2): 4}

    def test_it_warns_of_doses_of_a_drug_with_no_package(
        self, org: Any, location: Any, lot: Any
    ) -> None:
        result = self.forecast(org, location, [dose(1, drug="rituximab")])
        assert result.unstocked == {"rituximab": 1}

    def test_expired_and_quarantined_stock_does_not_count(
        self, org: Any, location: Any, fridge: Any, pkg: Any
    ) -> None:
        from chairside.inventory.models import StoragePlace

        quarantine = inv.make_place(location, "Quarantine", kind=StoragePlace.Kind.QUARANTINE)
        suspect = inv.make_lot(fridge, pkg, vials=5)
        services.stock_transfer(lot=suspect, vials=5, to_place=quarantine, user=None)
        row = self.forecast(org, location, [dose(1)]).rows[0]
        assert row.on_hand == 0
        assert row.stockout == MONDAY + dt.timedelta(days=1)

    def test_the_page_drafts_a_purchase_order_from_the_suggestion(
        self, pharmacist_client: Any, location: Any, lot: Any
    ) -> None:
        page = pharmacist_client.get(reverse("inventory:forecast"), {"location": location.pk})
        assert page.status_code == 200
        response = pharmacist_client.post(
            reverse("inventory:order_create"),
            {
                "location": location.public_id,
                "vendor": lot.vendor.public_id,
                "package": [lot.package.public_id],
                f"vials-{lot.package.public_id}": "12",
                f"cost-{lot.package.public_id}": "330.00",
            },
        )
        assert response.status_code == 302
        order = selectors.purchase_orders(organization=lot.organization).get()
        assert [(line.package, line.vials_ordered) for line in order.lines.all()] == [
            (lot.package, 12)
        ]

    def test_the_purchase_order_defaults_to_the_vendor_the_suggestion_assumed(
        self, org: Any, location: Any, lot: Any, vendor: Any
    ) -> None:
        from chairside.inventory.views.ordering import _suggested_vendor

        # First by name and slower: the order must not default to it.
        inv.make_vendor(org, name="Aardvark Pharma (demo)", lead_time_days=3)
        result = self.forecast(org, location, [dose(n) for n in range(14)])
        assert result.rows[0].vendor == vendor
        assert result.rows[0].suggestion.vials > 0
        assert _suggested_vendor(result) == vendor
        nothing_to_order = self.forecast(org, location, [])
        assert _suggested_vendor(nothing_to_order) is None


@pytest.mark.skipif(
    not apps.is_installed("chairside.scheduling"), reason="the scheduling module is not installed"
)
class TestBookedDosesFromScheduling:
    def test_it_reads_booked_appointments_and_their_doses(self, org: Any, location: Any) -> None:
        from chairside.access.referrals.tests import factories as rf

        rf.formulary(org)
        patient = rf.covered_patient(org, weight_kg="80.0")
        order = rf.make_order(patient, "infliximab", "Crohn")
        appointment = apps.get_model("scheduling", "Appointment")
        chair = location.chairs.first()
        day = dt.datetime.combine(MONDAY, dt.time(10), tzinfo=location.tz)
        for offset, status in [(0, "booked"), (1, "confirmed"), (2, "cancelled"), (3, "completed")]:
            appointment.objects.create(
                organization=org,
                patient=patient,
                order=order,
                location=location,
                chair=chair,
                start=day + dt.timedelta(days=offset),
                end=day + dt.timedelta(days=offset, hours=2),
                status=status,
                dose_number=offset + 1,
            )
        doses = _booked_doses(org, location, MONDAY, MONDAY + dt.timedelta(days=7))
        assert [(d.day, d.drug, d.dose_mg) for d in doses] == [
            (MONDAY, "infliximab", Decimal("400")),  # 5 mg/kg x 80 kg
            (MONDAY + dt.timedelta(days=1), "infliximab", Decimal("400")),
        ]
        assert all(d.weight_based for d in doses)

    def test_it_names_a_booked_appointment_whose_dose_it_cannot_work_out(
        self, org: Any, location: Any, pharmacist_client: Any
    ) -> None:
        from chairside.access.referrals.tests import factories as rf
        from chairside.patients.models import BodyMeasurement

        rf.formulary(org)
        patient = rf.covered_patient(org, weight_kg="80.0", last_name="Noweight")
        order = rf.make_order(patient, "infliximab", "Crohn")
        # A per-kg dose with no weight anywhere: not on the chart, not on the order.
        BodyMeasurement.objects.filter(patient=patient).delete()
        type(order).objects.filter(pk=order.pk).update(weight_kg_at_order=None)
        apps.get_model("scheduling", "Appointment").objects.create(
            organization=org,
            patient=patient,
            order=order,
            location=location,
            chair=location.chairs.first(),
            start=dt.datetime.combine(MONDAY, dt.time(10), tzinfo=location.tz)
            + dt.timedelta(days=2),
            end=dt.datetime.combine(MONDAY, dt.time(12), tzinfo=location.tz) + dt.timedelta(days=2),
            status="booked",
            dose_number=1,
        )
        with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(9), tzinfo=location.tz)):
            result = selectors.demand_forecast(organization=org, location=location, days=14)
            page = pharmacist_client.get(reverse("inventory:forecast"))
        assert result.rows == []  # nothing could be counted...
        [missing] = result.uncounted  # ...and the forecast says so
        assert (missing.day, missing.patient, missing.drug) == (
            MONDAY + dt.timedelta(days=2),
            patient,
            "infliximab",
        )
        assert "record the patient's weight" in missing.reason
        text = page.content.decode()
        assert "1 booked appointment not counted" in text
        assert "Noweight" in text
