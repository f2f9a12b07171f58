"""Weight-band doses (issue 12 item 11): the label's table reaches the order and the dose."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.access.referrals import services
from chairside.access.referrals.tests import factories as rf
from chairside.formulary.models import RegimenTemplate
from tests import factories as f
from tests.factories import someone


class TestWeightBandOrders:
    def test_a_50_kg_crohns_patient_gets_260_mg_of_iv_ustekinumab(self, org: Any) -> None:
        # STELARA label 2.3 table: "55 kg or less" 260 mg. Before the fix the loader dropped
        # the bands and every patient got the middle band's 390 mg.
        patient = f.make_patient(org, weight_kg="50.0")
        order = rf.make_order(patient, "ustekinumab-iv", "induction")
        assert order.dose_mg is None and order.dose_mg_per_kg is None
        assert order.is_weight_based
        assert order.dose_for_weight() == Decimal("260")
        assert order.dose_for_weight(Decimal("70")) == Decimal("390")
        assert order.dose_for_weight(Decimal("90")) == Decimal("520")

    def test_abatacept_iv_follows_the_orencia_table(self, org: Any) -> None:
        patient = f.make_patient(org, weight_kg="59.9")
        order = rf.make_order(patient, "abatacept-iv")
        assert order.dose_for_weight() == Decimal("500")
        assert order.dose_for_weight(Decimal("60")) == Decimal("750")
        assert order.dose_for_weight(Decimal("100.1")) == Decimal("1000")

    def test_the_loader_keeps_the_bands_of_every_band_drug(self, org: Any) -> None:
        rf.formulary(org)
        banded = RegimenTemplate.objects.filter(drug__organization=org, dose_bands__isnull=False)
        assert {t.drug.key for t in banded} == {"ustekinumab-iv", "abatacept-iv"}
        assert all(t.dose_mg is None and t.dose_mg_per_kg is None for t in banded)

    def test_a_band_dose_needs_a_weight(self, org: Any) -> None:
        patient = f.make_patient(org)
        with pytest.raises(ValidationError, match="by weight band"):
            rf.make_order(patient, "ustekinumab-iv")

    def test_a_typed_flat_dose_replaces_the_bands(self, org: Any) -> None:
        patient = f.make_patient(org, weight_kg="50.0")
        order = rf.make_order(patient, "ustekinumab-iv")
        order = services.order_update(order=order, user=someone(), dose_mg=Decimal("390"))
        assert order.dose_bands is None
        assert order.dose_for_weight() == Decimal("390")

    def test_a_new_weight_in_another_band_is_a_band_change(self, org: Any) -> None:
        patient = f.make_patient(org, weight_kg="84.0")
        order = rf.make_order(patient, "ustekinumab-iv")
        assert not order.band_changes(Decimal("85.0"))
        assert order.band_changes(Decimal("85.5"))  # +1.8 %, but 520 mg instead of 390 mg
