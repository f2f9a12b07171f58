"""Home infusion billing: a patient's month of deliveries and home visits to a POS 12 claim,
its check (plan of care, visit notes, delivery proof), the page, and organization scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chairside.access.referrals.tests.factories import make_provider
from chairside.billing import home_infusion
from chairside.billing.documents import claim_document
from chairside.billing.models import ChargeMasterItem, Claim, Encounter, PayerContract
from chairside.billing.services import home_charges_derive
from chairside.billing.tests import factories as bf
from chairside.homecare import services as homecare
from chairside.homecare.models import HomeInfusionOrder, HomeVisit, PlanOfCare
from chairside.homecare.tests import factories as hf
from chairside.rules.billing.x12.x12_837p import Interchange, write_837p
from tests import factories as f

pytestmark = pytest.mark.django_db

PRICES = {"S9502": "180.00", "S9338": "210.00", "99601": "160.00", "99602": "70.00"}


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def home_world(org: Any, *, kind: str = "commercial", signed: bool = True, **order: Any) -> Any:
    """A home patient on vancomycin every 8 hours (written in, no formulary drug), with a
    signed plan of care, deliveries on days 3 and 5 of last month (proof recorded), and a
    completed 150-minute visit on day 3."""
    bf.billable_org(org)
    for code, price in PRICES.items():
        ChargeMasterItem.objects.create(organization=org, code=code, price_per_unit=Decimal(price))
    location = hf.make_home_location(org)
    patient = hf.make_home_patient(org, location)
    address = {"address_line1": "12 Elm St", "city": "Riverside", "state": "PA"}
    for field, value in {**address, "postal_code": "19000"}.items():
        setattr(patient, field, value)
    patient.save()
    payer = (bf.medicare if kind == "medicare_b" else bf.commercial)(org)
    f.make_coverage(patient, payer, member_id="1EG4TE5MK72")
    month = last_month()
    defaults = {
        "therapy_type": HomeInfusionOrder.TherapyType.IV_ANTIBIOTIC,
        "drug_name": "vancomycin (written in)",
        "dose_amount": Decimal(1000),
        "doses_per_day": 3,
        "access_device": "picc",
        "administration_device": "elastomeric",
        "diagnosis_code": "A41.9",
    }
    defaults.update(order)
    made = HomeInfusionOrder.objects.create(
        organization=org,
        patient=patient,
        start_date=month,
        ordering_provider=make_provider(org),
        status=HomeInfusionOrder.Status.ACTIVE,
        signed_on=month,
        **defaults,
    )
    plan = PlanOfCare.objects.create(
        organization=org, patient=patient, signed_on=month if signed else None
    )
    plan.orders.add(made)
    days = [month + dt.timedelta(days=n) for n in (2, 4)]
    tickets = [hf.make_delivery(patient, location, d) for d in days]
    for ticket in tickets:
        record_proof(org, ticket)
    visit = hf.make_visit(patient, location, days[0], duration_minutes=150)
    HomeVisit.objects.filter(pk=visit.pk).update(
        status=HomeVisit.Status.COMPLETED, nurse=hf.make_staff(org)
    )
    return patient, location, month, days, tickets


def record_proof(org: Any, ticket: Any) -> None:
    homecare.delivery_record_proof(
        organization=org,
        user=None,
        ticket=ticket,
        received_by="Pat Home",
        signature_kind="typed",
        signature_text="Pat Home",
        delivered_at=dt.datetime.combine(ticket.date, dt.time(10), tzinfo=dt.UTC),
    )


def claim_of(encounter: Encounter) -> Claim:
    return encounter.claims.get(sequence=1, superseded=False)


class TestDerive:
    def test_it_bills_the_per_diem_days_and_the_nursing_on_pos_12(self, org: Any) -> None:
        patient, _loc, month, days, _t = home_world(org)
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        lines = list(encounter.current_lines.order_by("position"))
        assert [(x.code, x.units, x.date_of_service) for x in lines] == [
            ("S9502", 1, days[0]),
            ("S9502", 1, days[1]),
            ("99601", 1, days[0]),
        ]
        assert {x.place_of_service for x in lines} == {"12"}
        assert encounter.source == Encounter.Source.HOME
        claim = claim_of(encounter)
        assert claim.claim_form == "837P" and claim.problems == []
        assert claim.total_charge == Decimal("520.00")

    def test_vancomycin_every_12_hours_bills_s9501(self, org: Any) -> None:
        # Vancomycin q12h, the common adult schedule: refused before S9501 was in the table.
        patient, _loc, month, days, _t = home_world(org, doses_per_day=2)
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        lines = list(encounter.current_lines.order_by("position"))
        assert [(x.code, x.units, x.date_of_service) for x in lines] == [
            ("S9501", 1, days[0]),
            ("S9501", 1, days[1]),
            ("99601", 1, days[0]),
        ]
        assert "12 hours" in lines[0].description

    def test_a_payer_that_pays_one_code_per_therapy_gets_s9494(self, org: Any) -> None:
        patient, _loc, month, days, _t = home_world(org)
        PayerContract.objects.filter(organization=org).update(per_diem_coding="therapy")
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        lines = list(encounter.current_lines.order_by("position"))
        assert [(x.code, x.date_of_service) for x in lines] == [
            ("S9494", days[0]),
            ("S9494", days[1]),
            ("99601", days[0]),
        ]

    def test_the_837p_says_home(self, org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(org)
        claim = claim_of(
            home_charges_derive(organization=org, patient=patient, month=month, user=None)
        )
        text = write_837p_for(claim)
        segments = [s.strip() for s in text.replace("\n", "").split("~")]
        clm = next(s for s in segments if s.startswith("CLM*"))
        assert clm.split("*")[5].startswith("12:")
        assert "SV1*HC:S9502*" in text and "SV1*HC:99601*" in text

    def test_deriving_again_keeps_one_encounter(self, org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(org)
        first = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        again = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        assert first.pk == again.pk and again.version == 2
        assert Encounter.objects.filter(organization=org).count() == 1

    def test_medicare_bills_the_g_code_on_the_visit_day_only(self, org: Any) -> None:
        patient, _loc, month, days, _t = home_world(
            org,
            kind="medicare_b",
            therapy_type=HomeInfusionOrder.TherapyType.INOTROPE,
            drug_name="milrinone (written in)",
            dose_amount=Decimal(50),
            dose_unit="mcg/kg/min",
            doses_per_day=1,
            continuous=True,
            administration_device="ambulatory_pump",
        )
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        lines = list(encounter.current_lines.order_by("position"))
        assert [(x.code, x.units, x.date_of_service) for x in lines] == [("G0088", 10, days[0])]

    def test_medicare_refuses_a_drug_without_a_dme_pump(self, org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(
            org,
            kind="medicare_b",
            therapy_type=HomeInfusionOrder.TherapyType.INOTROPE,
            drug_name="milrinone (written in)",
            dose_unit="mcg/kg/min",
            continuous=True,
            administration_device="elastomeric",
        )
        with pytest.raises(ValidationError, match="external infusion pump"):
            home_charges_derive(organization=org, patient=patient, month=month, user=None)
        assert not Encounter.objects.filter(organization=org).exists()

    def test_it_refuses_a_month_without_an_order(self, org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(org)
        earlier = (month - dt.timedelta(days=1)).replace(day=1)
        with pytest.raises(ValidationError, match="no home infusion order"):
            home_charges_derive(organization=org, patient=patient, month=earlier, user=None)

    def test_it_refuses_another_organizations_patient(self, org: Any, other_org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(org)
        with pytest.raises(ValidationError, match="another organization"):
            home_charges_derive(organization=other_org, patient=patient, month=month, user=None)


def write_837p_for(claim: Claim) -> str:
    from chairside.billing.documents import billing_provider, receiver, sender
    from chairside.billing.pricing import billing_profile

    profile = billing_profile(claim.organization)
    return write_837p(
        Interchange(
            sender=sender(profile),
            receiver=receiver(profile),
            billing_provider=billing_provider(profile),
            control_number=1,
            created_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
            claims=(claim_document(claim),),
        )
    )


class TestClaimCheck:
    def test_a_delivery_without_proof_is_named_and_cleared_by_recording_it(self, org: Any) -> None:
        patient, location, month, days, _t = home_world(org)
        late = hf.make_delivery(patient, location, days[1] + dt.timedelta(days=1))
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        claim = claim_of(encounter)
        assert [p["code"] for p in claim.problems] == ["delivery_proof"]
        assert f"delivery of {late.date:%m/%d/%Y}" in claim.problems[0]["message"]
        record_proof(org, late)  # the handler derives the billed month again
        claim = claim_of(Encounter.objects.get(pk=encounter.pk))
        assert claim.problems == []

    def test_an_unsigned_plan_of_care_is_named(self, org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(org, signed=False)
        claim = claim_of(
            home_charges_derive(organization=org, patient=patient, month=month, user=None)
        )
        assert [p["code"] for p in claim.problems] == ["plan_of_care"]
        assert claim.problems_with_hints[0]["hint"]

    def test_a_billed_nursing_day_whose_visit_is_reopened_is_named(self, org: Any) -> None:
        patient, _loc, month, days, _t = home_world(org)
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        HomeVisit.objects.filter(patient=patient).update(status=HomeVisit.Status.SCHEDULED)
        from chairside.billing.services import claim_check

        problems = claim_check(claim=claim_of(encounter), user=None)
        assert [p.code for p in problems] == ["home_visit_note"]
        assert f"{days[0]:%m/%d/%Y}" in problems[0].message


class TestOrderTherapy:
    def test_an_antibiotic_every_8_hours_is_s9502_and_not_hit(self, org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(org)
        order = home_infusion.billing_order(
            organization=org, patient=patient, start=month, end=month + dt.timedelta(days=27)
        )
        assert order is not None
        therapy = home_infusion.order_therapy(order)
        assert (therapy.therapy, therapy.every_hours, therapy.via_dme_pump) == (
            "anti_infective",
            8,
            False,
        )
        assert therapy.hit_category is None


class TestPage:
    def test_a_biller_sees_the_month_and_derives(self, org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(org)
        client = f.login(f.make_user(org, "biller"))
        url = reverse("billing:home_infusion")
        page = client.get(url, {"month": f"{month:%Y-%m}"})
        assert page.status_code == 200
        assert patient.full_name in page.content.decode()
        done = client.post(
            reverse("billing:home_infusion_derive", args=[patient.public_id]),
            {"month": f"{month:%Y-%m}"},
        )
        assert done.status_code == 302
        assert Encounter.objects.filter(organization=org, patient=patient).count() == 1
        page = client.get(url, {"month": f"{month:%Y-%m}"})
        assert claim_of(Encounter.objects.get(patient=patient)).control_number in (
            page.content.decode()
        )

    def test_a_malformed_month_is_a_400_and_writes_nothing(self, org: Any) -> None:
        patient, _loc, _month, _days, _t = home_world(org)
        client = f.login(f.make_user(org, "biller"))
        assert client.get(reverse("billing:home_infusion"), {"month": "11/2026"}).status_code == 400
        derive = reverse("billing:home_infusion_derive", args=[patient.public_id])
        assert client.post(derive, {"month": "nope"}).status_code == 400
        assert not Encounter.objects.exists()

    def test_a_nurse_may_not_derive(self, org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(org)
        client = f.login(f.make_user(org, "nurse"))
        derive = reverse("billing:home_infusion_derive", args=[patient.public_id])
        assert client.post(derive, {"month": f"{month:%Y-%m}"}).status_code == 403
        assert not Encounter.objects.exists()

    def test_another_organizations_patient_is_a_404(self, org: Any, other_org: Any) -> None:
        patient, _loc, month, _days, _t = home_world(org)
        client = f.login(f.make_user(other_org, "biller"))
        page = client.get(reverse("billing:home_infusion"), {"month": f"{month:%Y-%m}"})
        assert page.status_code == 200 and patient.full_name not in page.content.decode()
        derive = reverse("billing:home_infusion_derive", args=[patient.public_id])
        assert client.post(derive, {"month": f"{month:%Y-%m}"}).status_code == 404
        assert not Encounter.objects.exists()
