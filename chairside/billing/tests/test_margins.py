from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from chairside.billing.models import Denial
from chairside.billing.selectors import denials_past_half_window, receivables
from chairside.billing.selectors.margins import margin_report
from chairside.billing.services import charges_derive
from chairside.billing.tests import factories as bf
from chairside.formulary.models import Package
from chairside.inventory.models import StoragePlace, Vendor
from chairside.inventory.services.stock import stock_dispense, stock_receive
from tests import factories as f
from tests.factories import someone

PERIOD = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def dispense(org: Any, location: Any, patient: Any, visit_ref: str, vials: int) -> None:
    place = StoragePlace.objects.create(organization=org, location=location, name=f"F{visit_ref}")
    vendor = Vendor.objects.create(organization=org, name=f"V{visit_ref}")
    package = Package.objects.get(drug__organization=org, ndc11="57894003001")
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=bf.TZ)):
        lot = stock_receive(
            organization=org,
            user=someone(),
            storage_place=place,
            package=package,
            lot_number=f"L{visit_ref}",
            expires_on=dt.date(2027, 1, 1),
            vials=10,
            cost_per_vial=Decimal("330.00"),
            vendor=vendor,
        )
    with time_machine.travel(dt.datetime(2026, 3, 10, 8, tzinfo=bf.TZ)):
        stock_dispense(lot=lot, vials=vials, patient=patient, user=someone(), visit_ref=visit_ref)


@pytest.mark.django_db
class TestMarginReport:
    def test_it_costs_the_lots_dispensed_and_reconciles_to_the_cent(self, org: Any) -> None:
        bf.billable_org(org)
        medicare, keystone = bf.medicare(org), bf.commercial(org)
        location = f.make_location(org, nurse_patient_ratio=4)
        rows = []
        for payer in (medicare, medicare, keystone):
            patient = bf.billable_patient(org)
            facts = bf.facts_for(patient, payer)
            charges_derive(organization=org, patient=patient, location=location, facts=facts)
            rows.append((patient, facts.encounter_ref))
        dispense(org, location, rows[0][0], rows[0][1], 4)  # 4 vials x 330.00 = 1320.00
        report = margin_report(organization=org, start=PERIOD[0], end=PERIOD[1])
        visits = {r.claim.encounter.encounter_ref: r for r in report["rows"]}
        measured = visits[rows[0][1]]
        assert not measured.estimated_cost
        assert measured.margin.drug_cost == Decimal("1320.00")
        # Estimated: 40 billed units x 33.00 acquisition cost per unit.
        assert visits[rows[1][1]].estimated_cost
        assert visits[rows[1][1]].margin.drug_cost == Decimal("1320.00")
        # Nurse: 130 minutes at 52.00 an hour for one of 4 patients = 28.17; supplies 25.00.
        assert measured.margin.nurse_cost == Decimal("28.17")
        assert measured.margin.supplies_cost == Decimal("25.00")
        # Medicare pays 1350.05 and the patient owes 344.40 (no secondary).
        assert measured.margin.payer_revenue == Decimal("1350.05")
        assert measured.margin.patient_revenue == Decimal("344.40")
        total = report["margin"]
        assert total == sum(r.margin.margin for r in report["rows"])
        for key in ("by_drug", "by_payer", "by_pair"):
            assert sum(s.margin for s in report[key]) == total
        assert report["revenue"] - report["cost"] == total

    def test_it_flags_a_drug_a_payer_pays_below_cost(self, org: Any) -> None:
        bf.billable_org(org)
        cheap = bf.commercial(org, drug_basis="asp", drug_percent=Decimal(50))
        patient = bf.billable_patient(org)
        charges_derive(
            organization=org, patient=patient, location=None, facts=bf.facts_for(patient, cheap)
        )
        report = margin_report(organization=org, start=PERIOD[0], end=PERIOD[1])
        [flag] = report["unviable"]
        assert flag.key == ("infliximab", cheap.name)
        assert flag.drug_revenue < flag.drug_cost

    def test_it_shows_the_report_page(self, biller_client: Any, world: Any) -> None:
        page = biller_client.get(
            reverse("billing:margins"), {"start": "2026-03-01", "end": "2026-03-31"}
        )
        body = page.content.decode()
        assert page.status_code == 200 and "By drug × payer" in body and "infliximab" in body


@pytest.mark.django_db
class TestReceivablesAndDenialClock:
    def test_it_ages_what_payers_still_owe(self, world: Any) -> None:
        from chairside.billing.services import claims_export

        claims_export(organization=world.org, claims=[world.ready], user=None)
        world.ready.refresh_from_db()
        found = receivables(organization=world.org, today=dt.date(2026, 5, 20))
        # Submitted on 03/10: 71 days. The open denial (same date of service) as well.
        assert found["buckets"]["61–90"] == world.ready.expected_payer + world.denial.amount
        assert found["total"] == found["buckets"]["61–90"]

    def test_it_flags_denials_past_half_their_window(self, world: Any) -> None:
        # Window 60 days from 04/02: half gone on 05/02.
        assert denials_past_half_window(organization=world.org, today=dt.date(2026, 5, 1)) == []
        [late] = denials_past_half_window(organization=world.org, today=dt.date(2026, 5, 2))
        assert late == world.denial
        Denial.objects.filter(pk=late.pk).update(status="appealed")
        assert denials_past_half_window(organization=world.org, today=dt.date(2026, 5, 2)) == []


@pytest.mark.django_db
class TestTodayCardsAndChart:
    def test_it_counts_ready_claims_and_late_denials_on_today(
        self, biller_client: Any, world: Any
    ) -> None:
        with time_machine.travel(dt.datetime(2026, 5, 10, 9, tzinfo=bf.TZ)):
            body = biller_client.get(reverse("today")).content.decode()
        assert "Claims ready to submit" in body
        assert "Denials past half their appeal window" in body

    def test_it_hides_the_cards_from_a_nurse(self, nurse_client: Any, world: Any) -> None:
        body = nurse_client.get(reverse("today")).content.decode()
        assert "Claims ready to submit" not in body

    def test_it_does_not_count_for_a_role_that_cannot_see_the_cards(
        self, nurse_client: Any, world: Any, monkeypatch: Any
    ) -> None:
        from chairside.billing import selectors

        def refuse(**_kw: Any) -> Any:
            raise AssertionError("billing counted for a Today page that hides its cards")

        monkeypatch.setattr(selectors, "claims_ready", refuse)
        monkeypatch.setattr(selectors, "denials_past_half_window", refuse)
        assert nurse_client.get(reverse("today")).status_code == 200

    def test_it_lists_the_patients_claims_on_the_chart(
        self, biller_client: Any, world: Any
    ) -> None:
        chart = reverse("patients:chart", kwargs={"public_id": world.claim.patient.public_id})
        body = biller_client.get(chart).content.decode()
        assert world.claim.control_number in body
