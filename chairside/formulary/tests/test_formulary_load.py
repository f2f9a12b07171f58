from __future__ import annotations

from decimal import Decimal
from typing import Any

from chairside.formulary.models import Drug, Package, RegimenTemplate
from chairside.formulary.services import formulary_load_reference, reference_formulary
from chairside.rules.clinical.regimens import dose_dates


class TestFormularyLoad:
    def test_it_loads_the_reference_file_once_however_often_it_runs(self, org: Any) -> None:
        count = formulary_load_reference(organization=org)
        counts = (Drug.objects.count(), Package.objects.count(), RegimenTemplate.objects.count())
        formulary_load_reference(organization=org)
        assert count >= 15
        assert (
            Drug.objects.count(),
            Package.objects.count(),
            RegimenTemplate.objects.count(),
        ) == counts

    def test_it_stores_ndcs_as_11_digits(self, org: Any) -> None:
        formulary_load_reference(organization=org)
        remicade = Package.objects.get(drug__key="infliximab", drug__organization=org)
        assert remicade.ndc11 == "57894003001"
        assert remicade.ndc == "57894-0030-01"

    def test_it_carries_the_billing_units_checked_against_cms(self, org: Any) -> None:
        formulary_load_reference(organization=org)
        units = {d.hcpcs: d.billing_unit_mg for d in Drug.objects.filter(organization=org)}
        assert units["J1745"] == Decimal("10")  # infliximab, 10 mg
        assert units["J3380"] == Decimal("1")  # vedolizumab, 1 mg
        assert units["J9312"] == Decimal("10")  # rituximab, 10 mg
        assert units["J1459"] == Decimal("500")  # IVIG (Privigen), 500 mg

    def test_every_regimen_in_the_file_makes_a_schedule(self) -> None:
        import datetime as dt

        from chairside.rules.clinical.regimens import Regimen

        for drug in reference_formulary():
            for reg in drug["regimens"]:
                regimen = Regimen(tuple(reg["loading_days"]), reg["maintenance_interval_days"])
                n = len(reg["loading_days"]) + (2 if reg["maintenance_interval_days"] else 0)
                assert len(dose_dates(regimen, dt.date(2026, 1, 5), n)) == n

    def test_it_carries_the_labels_limit_from_preparation_to_start(self, org: Any) -> None:
        """Issue 12 item 14: the beyond-use time is the shorter of USP <797> and the label."""
        formulary_load_reference(organization=org)
        infliximab = Drug.objects.get(organization=org, key="infliximab")
        assert infliximab.use_within_hours == Decimal(3)
        assert "REMICADE" in infliximab.use_within_source
        assert Drug.objects.get(organization=org, key="natalizumab").use_within_hours == 8

    def test_every_drug_has_a_source(self) -> None:
        assert all(drug["sources"] for drug in reference_formulary())

    def test_every_drug_has_at_least_one_ndc_with_its_source(self, org: Any) -> None:
        """Issue 21.4: a drug without an NDC cannot be stocked or billed (N4 qualifier)."""
        formulary_load_reference(organization=org)
        without = Drug.objects.filter(organization=org, packages__isnull=True)
        assert list(without.values_list("key", flat=True)) == []
        for drug in reference_formulary():
            for pkg in drug["packages"]:
                if pkg["ndc"]:
                    assert pkg.get("source") or pkg.get("ndc_note"), pkg

    def test_the_entyvio_and_rituxan_vials_carry_their_label_ndcs(self, org: Any) -> None:
        formulary_load_reference(organization=org)
        ndcs = dict(
            Package.objects.filter(drug__organization=org).values_list("ndc11", "strength_mg")
        )
        assert ndcs["64764030020"] == Decimal("300")  # Entyvio 300 mg, 64764-300-20
        assert ndcs["50242005121"] == Decimal("100")  # Rituxan 100 mg/10 mL, 50242-051-21
        assert ndcs["50242005306"] == Decimal("500")  # Rituxan 500 mg/50 mL, 50242-053-06
