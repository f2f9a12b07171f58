from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from chairside.access.authorizations import services
from chairside.access.authorizations.estimates import order_estimate
from chairside.access.referrals.tests import factories as rf
from tests import factories as f
from tests.factories import someone

D = Decimal


def _verify(order: Any, **kw: Any) -> None:
    kw.setdefault("coverage_active", True)
    kw.setdefault("pa_required", "no")
    kw.setdefault("verified_on", dt.date(2026, 1, 6))
    services.benefits_verify(investigation=rf.pending_benefits(order), user=someone(), **kw)


class TestOrderEstimate:
    def test_medicare_part_b_owes_20_percent_after_the_deductible(self, org: Any) -> None:
        patient = rf.covered_patient(org, kind="medicare_b")
        # Ocrevus: 300 mg x 2 then 600 mg; J2350 is 1 mg a unit. Allowed 10.00 a unit.
        order = rf.make_order(patient, "ocrelizumab", first_dose_on=dt.date(2026, 1, 12))
        _verify(order, deductible=D(283), allowed_per_unit=D("10.000"), coinsurance_percent=D(20))
        estimate = order_estimate(order, dt.date(2026, 1, 10))
        assert estimate.doses == 3  # the 4th falls after the order expires
        assert not estimate.price_is_demo
        assert estimate.estimate is not None
        # 3000 + 3000 + 6000 allowed; 283 deductible + 20% of the rest
        assert estimate.estimate.allowed == D("12000.00")
        assert estimate.estimate.patient_owes == D("2626.40")
        assert "foundation" in estimate.advice  # never a copay card with Medicare

    def test_medigap_g_leaves_the_part_b_deductible(self, org: Any) -> None:
        patient = rf.covered_patient(org, kind="medicare_b")
        f.make_coverage(
            patient,
            f.make_payer(org, kind="commercial"),
            order=2,
            effective_from=dt.date(2025, 1, 1),
        )
        order = rf.make_order(patient, "ocrelizumab", first_dose_on=dt.date(2026, 1, 12))
        primary, secondary = order.benefits.order_by("coverage__order")
        services.benefits_verify(
            investigation=primary,
            user=someone(),
            coverage_active=True,
            pa_required="no",
            deductible=D(283),
            allowed_per_unit=D(10),
        )
        services.benefits_verify(
            investigation=secondary,
            user=someone(),
            coverage_active=True,
            pa_required="no",
            covers_primary_deductible=False,
        )
        estimate = order_estimate(order, dt.date(2026, 1, 10))
        assert estimate.estimate is not None
        assert estimate.estimate.patient_owes == D("283.00")

    def test_it_falls_back_to_the_demo_price_and_says_so(self, org: Any) -> None:
        order = rf.make_order(
            rf.covered_patient(org), "vedolizumab", first_dose_on=dt.date(2026, 1, 12)
        )
        estimate = order_estimate(order, dt.date(2026, 1, 10))
        assert estimate.price_is_demo
        assert estimate.price_per_unit == D("38.00")
        assert any("not verified" in n for n in estimate.notes)

    def test_white_bagging_leaves_the_drug_out(self, org: Any) -> None:
        order = rf.make_order(
            rf.covered_patient(org), "vedolizumab", first_dose_on=dt.date(2026, 1, 12)
        )
        _verify(
            order,
            acquisition_path="white_bag",
            specialty_pharmacy="Acme Rx",
            coinsurance_percent=D(20),
        )
        estimate = order_estimate(order, dt.date(2026, 1, 10))
        assert estimate.estimate is not None
        assert estimate.estimate.allowed == D("0.00")
        assert any("specialty pharmacy" in n for n in estimate.notes)


class TestIssue12Estimates:
    def test_the_units_include_the_discarded_drug(self, org: Any) -> None:
        # Infliximab 5 mg/kg at 70 kg = 350 mg from 100 mg vials: 35 units + 5 JW = 40.
        patient = rf.covered_patient(org, kind="commercial")
        order = rf.make_order(patient, "infliximab", first_dose_on=dt.date(2026, 1, 12))
        _verify(order, allowed_per_unit=D("10.000"), coinsurance_percent=D(20))
        estimate = order_estimate(order, dt.date(2026, 1, 10))
        assert estimate.estimate is not None
        assert estimate.estimate.visits[0].allowed == D("400.00")

    def test_a_qmb_is_shown_no_coinsurance(self, org: Any) -> None:
        patient = rf.covered_patient(org, kind="medicare_b")
        order = rf.make_order(patient, "ocrelizumab", first_dose_on=dt.date(2026, 1, 12))
        _verify(
            order,
            deductible=D(283),
            allowed_per_unit=D("10.000"),
            qualified_medicare_beneficiary=True,
        )
        estimate = order_estimate(order, dt.date(2026, 1, 10))
        assert estimate.estimate is not None
        assert estimate.estimate.patient_owes == D("0.00")

    def test_the_asp_files_reduced_coinsurance_applies_in_its_quarter(self, org: Any) -> None:
        from chairside.billing.models import AspPrice, AspPricingFile

        quarter = AspPricingFile.objects.create(
            organization=org,
            title="Q1 2026",
            filename="asp.csv",
            effective_from=dt.date(2026, 1, 1),
            effective_to=dt.date(2026, 3, 31),
        )
        AspPrice.objects.create(
            file=quarter,
            hcpcs="J2350",
            payment_limit=D("10.000"),
            coinsurance_percent=D("10.0"),
        )
        patient = rf.covered_patient(org, kind="medicare_b")
        order = rf.make_order(patient, "ocrelizumab", first_dose_on=dt.date(2026, 1, 12))
        _verify(order, deductible=D(283), deductible_met=D(283), allowed_per_unit=D("10.000"))
        estimate = order_estimate(order, dt.date(2026, 1, 10))
        assert estimate.estimate is not None
        first, second, third = estimate.estimate.visits
        assert first.patient_owes == D("300.00")  # 10% of 3000 in Q1 (the file's quarter)
        assert second.patient_owes == D("300.00")  # day 14, still Q1
        assert third.on.month > 3 and third.patient_owes == D("1200.00")  # 20% after it
