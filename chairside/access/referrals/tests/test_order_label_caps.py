"""Per-indication label maximums (issue 12 item 12)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.access.referrals.tests import factories as rf
from chairside.formulary.services import reference_formulary
from tests import factories as f


class TestLabelCaps:
    def test_iv_tocilizumab_for_gca_never_exceeds_600_mg(self, org: Any) -> None:
        # ACTEMRA label section 2 (GCA, IV): 6 mg/kg, not over 600 mg per infusion.
        patient = f.make_patient(org, weight_kg="110.0")
        order = rf.make_order(patient, "tocilizumab-iv", "Giant cell")
        assert order.dose_max_mg == Decimal("600")
        assert order.dose_for_weight() == Decimal("600")  # 6 x 110 = 660 without the cap

    def test_a_typed_per_kg_dose_keeps_the_regimens_label_cap(self, org: Any) -> None:
        patient = f.make_patient(org, weight_kg="110.0")
        order = rf.make_order(patient, "tocilizumab-iv", "Giant cell", dose_mg_per_kg=Decimal(6))
        assert order.dose_max_mg == Decimal("600")
        assert order.dose_for_weight() == Decimal("600")

    def test_a_typed_cap_above_the_label_maximum_is_refused(self, org: Any) -> None:
        patient = f.make_patient(org, weight_kg="110.0")
        with pytest.raises(ValidationError, match="600 mg"):
            rf.make_order(
                patient,
                "tocilizumab-iv",
                "Giant cell",
                dose_mg_per_kg=Decimal(8),
                dose_max_mg=Decimal(800),
            )

    def test_a_typed_flat_dose_above_the_label_maximum_is_refused(self, org: Any) -> None:
        patient = f.make_patient(org, weight_kg="110.0")
        with pytest.raises(ValidationError, match="600 mg"):
            rf.make_order(patient, "tocilizumab-iv", "Giant cell", dose_mg=Decimal(660))

    def test_every_regimen_records_the_label_section_its_maximum_was_checked_in(self) -> None:
        for drug in reference_formulary():
            for regimen in drug["regimens"]:
                assert "label" in regimen.get("max_source", ""), regimen["name"]
