"""ICD-10-CM: categories with children are not billable (Official Guidelines I.B.3)."""

from __future__ import annotations

from chairside.rules.clinical.icd10 import billable_children


class TestBillableChildren:
    KNOWN = ("G35.A", "G35.B0", "G35.B1", "G35.D", "K50.90", "K50.911", "G36.0")

    def test_a_category_with_children_is_not_billable(self) -> None:
        assert billable_children("G35", self.KNOWN) == ["G35.A", "G35.B0", "G35.B1", "G35.D"]
        assert billable_children("G35.B", self.KNOWN) == ["G35.B0", "G35.B1"]

    def test_a_complete_code_has_none(self) -> None:
        assert billable_children("G35.A", self.KNOWN) == []
        assert billable_children("K50.90", self.KNOWN) == []
