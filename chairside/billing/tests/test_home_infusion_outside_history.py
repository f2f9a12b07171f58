"""Medicare's 60-day rule for the initial-visit G-codes with another supplier's history
(Benefit Policy Manual ch. 15 §320.8.3): the coordinator records the other supplier's last
home infusion therapy visit on the home-infusion patient page (audited); deriving the month
bills the first visit as initial only after a gap of more than 60 days, the claim says why
it is subsequent, and a claim built before the date was known is named by the check and
derived again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.billing import services as billing
from chairside.billing.models import ChargeMasterItem, Encounter
from chairside.billing.services import home_charges_derive
from chairside.billing.tests.test_home_infusion import claim_of, home_world
from chairside.homecare import services as homecare
from chairside.homecare.models import HomeInfusionOrder, OutsideHitHistory
from tests import factories as f

pytestmark = pytest.mark.django_db
SUPPLIER = "Acme Home Infusion (demo)"


def medicare_world(org: Any) -> Any:
    """A Medicare patient on a continuous inotrope through an ambulatory pump (HIT
    category 1), one completed 150-minute visit on day 3 of last month."""
    world = home_world(
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
    for code in ("G0068", "G0088"):  # test prices, not a fee schedule
        ChargeMasterItem.objects.create(organization=org, code=code, price_per_unit=Decimal(10))
    return world


def record(org: Any, patient: Any, day: dt.date | None, supplier: str = SUPPLIER) -> Any:
    return homecare.outside_hit_history_set(
        organization=org,
        user=f.make_user(org, "coordinator"),
        patient=patient,
        last_visit_on=day,
        supplier=supplier if day else "",
        source="referral packet" if day else "",
    )


def codes(encounter: Encounter) -> list[str]:
    return [x.code for x in encounter.current_lines.order_by("position")]


class TestDerive:
    @pytest.mark.parametrize(("gap", "code"), [(60, "G0068"), (61, "G0088")])
    def test_the_first_visit_after_another_suppliers_visit(
        self, org: Any, gap: int, code: str
    ) -> None:
        patient, _loc, month, days, _t = medicare_world(org)
        record(org, patient, days[0] - dt.timedelta(days=gap))
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        assert codes(encounter) == [code]
        claim = claim_of(encounter)
        assert claim.problems == []
        client = f.login(f.make_user(org, "biller"))
        page = client.get(reverse("billing:claim", args=[claim.public_id])).content.decode()
        if code == "G0068":
            assert 'id="check-notes"' in page
            assert "billed as a subsequent visit" in page and SUPPLIER in page
            assert f"{gap} days earlier" in page
        else:
            assert 'id="check-notes"' not in page

    def test_without_outside_history_it_is_initial(self, org: Any) -> None:
        patient, _loc, month, _days, _t = medicare_world(org)
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        assert codes(encounter) == ["G0088"]

    def test_recording_it_after_billing_derives_the_month_again(self, org: Any) -> None:
        patient, _loc, month, days, _t = medicare_world(org)
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        assert codes(encounter) == ["G0088"]
        record(org, patient, days[0] - dt.timedelta(days=20))
        encounter = Encounter.objects.get(pk=encounter.pk)
        assert codes(encounter) == ["G0068"]
        assert claim_of(encounter).problems == []
        record(org, patient, None)  # cleared: initial again
        assert codes(Encounter.objects.get(pk=encounter.pk)) == ["G0088"]


class TestClaimCheck:
    def test_an_initial_code_the_outside_history_forbids_is_named(self, org: Any) -> None:
        patient, _loc, month, days, _t = medicare_world(org)
        encounter = home_charges_derive(organization=org, patient=patient, month=month, user=None)
        claim = claim_of(encounter)
        # Recorded behind the service's back (e.g. an import): the claim still says G0088.
        OutsideHitHistory.objects.create(
            organization=org,
            patient=patient,
            last_visit_on=days[0] - dt.timedelta(days=30),
            supplier=SUPPLIER,
        )
        problems = billing.claim_check(claim=claim, user=None)
        assert [p.code for p in problems] == ["hit_initial"]
        assert SUPPLIER in problems[0].message and "30 days earlier" in problems[0].message
        assert "§320.8.3" in problems[0].message


class TestRecording:
    def test_it_is_audited_with_the_old_and_new_values(self, org: Any) -> None:
        patient, *_ = medicare_world(org)
        first = timezone.localdate() - dt.timedelta(days=40)
        record(org, patient, first)
        record(org, patient, first + dt.timedelta(days=2))
        events = AuditEvent.objects.filter(
            object_type="homecare.outsidehithistory", patient_id=patient.public_id
        ).order_by("at", "id")
        assert [e.action for e in events] == ["create", "update"]
        assert events[1].changes["last_visit_on"] == [str(first), str(first + dt.timedelta(2))]

    @pytest.mark.parametrize(
        ("days_ago", "supplier", "field"),
        [(-1, SUPPLIER, "last_visit_on"), (10, "", "supplier"), (None, SUPPLIER, "last_visit_on")],
    )
    def test_it_refuses_and_writes_nothing(
        self, org: Any, days_ago: int | None, supplier: str, field: str
    ) -> None:
        patient, *_ = medicare_world(org)
        day = None if days_ago is None else timezone.localdate() - dt.timedelta(days=days_ago)
        with pytest.raises(ValidationError) as exc:
            homecare.outside_hit_history_set(
                organization=org,
                user=f.someone(),
                patient=patient,
                last_visit_on=day,
                supplier=supplier,
            )
        assert field in exc.value.message_dict
        assert not OutsideHitHistory.objects.exists()
        assert not AuditEvent.objects.filter(object_type="homecare.outsidehithistory").exists()

    def test_another_organizations_patient_is_refused(self, org: Any, other_org: Any) -> None:
        patient, *_ = medicare_world(org)
        with pytest.raises(ValidationError, match="another organization"):
            record(other_org, patient, timezone.localdate() - dt.timedelta(days=5))
        assert not OutsideHitHistory.objects.exists()


class TestPage:
    def test_the_coordinator_records_it_and_the_patient_page_shows_it(self, org: Any) -> None:
        patient, *_ = medicare_world(org)
        client = f.login(f.make_user(org, "coordinator"))
        url = reverse("homecare:outside_history", args=[patient.public_id])
        assert client.get(url).status_code == 200
        day = timezone.localdate() - dt.timedelta(days=12)
        done = client.post(
            url, {"last_visit_on": f"{day:%Y-%m-%d}", "supplier": SUPPLIER, "source": "referral"}
        )
        assert done.status_code == 302
        saved = OutsideHitHistory.objects.get(patient=patient)
        assert (saved.last_visit_on, saved.supplier) == (day, SUPPLIER)
        page = client.get(reverse("homecare:patient", args=[patient.public_id])).content.decode()
        assert SUPPLIER in page and f"{day:%m/%d/%Y}" in page
        assert f"{day + dt.timedelta(days=61):%m/%d/%Y}" in page  # initial codes from then

    def test_a_refused_post_is_400_and_saves_nothing(self, org: Any) -> None:
        patient, *_ = medicare_world(org)
        client = f.login(f.make_user(org, "coordinator"))
        url = reverse("homecare:outside_history", args=[patient.public_id])
        day = timezone.localdate() - dt.timedelta(days=3)
        refused = client.post(url, {"last_visit_on": f"{day:%Y-%m-%d}", "supplier": ""})
        assert refused.status_code == 400
        assert "Name the supplier" in refused.content.decode()
        assert not OutsideHitHistory.objects.exists()

    def test_a_biller_may_not_record_it(self, org: Any) -> None:
        patient, *_ = medicare_world(org)
        client = f.login(f.make_user(org, "biller"))
        url = reverse("homecare:outside_history", args=[patient.public_id])
        day = timezone.localdate() - dt.timedelta(days=3)
        refused = client.post(url, {"last_visit_on": f"{day:%Y-%m-%d}", "supplier": SUPPLIER})
        assert refused.status_code == 403
        assert not OutsideHitHistory.objects.exists()
