"""Billing's seam: the signed visit as EncounterFacts, and the claim lines they give."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chairside.rules.billing.charges import derive_claim_lines
from chairside.treatments import services
from chairside.treatments.tests import factories as tf
from tests import factories as f


class TestEncounterFacts:
    def test_an_infliximab_infusion_gives_the_published_example_lines(
        self, ready_visit: Any, patient: Any
    ) -> None:
        patient.diagnoses.create(
            icd10_code="K50.90", description="Crohn's disease", is_primary=True
        )
        ready_visit.order.diagnoses.set(patient.diagnoses.all())
        facts = services.visit_encounter_facts(ready_visit)
        assert facts.place_of_service == "11"
        assert facts.diagnoses == ("K50.90",)
        assert [(a.category, a.method) for a in facts.administrations] == [("chemo", "infusion")]
        drug = facts.drugs[0]
        assert (drug.dose_mg, drug.opened_mg, drug.ndc11, drug.ndc_quantity) == (
            Decimal(350),
            Decimal(400),
            "57894003001",
            Decimal(4),
        )
        lines = [(line.code, line.units, line.modifiers) for line in derive_claim_lines(facts)]
        assert lines == [
            ("96413", 1, ()),
            ("96415", 1, ()),
            ("J1745", 35, ()),
            ("J1745", 5, ("JW",)),
        ]

    def test_interruptions_are_left_out_of_the_running_time(
        self, visit: Any, nurse_user: Any, lot: Any, team: Any
    ) -> None:
        visit = tf.do_checks(visit, nurse_user)
        tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
        admin = services.administration_start(
            visit=visit, user=nurse_user, started_at=tf.at("09:30")
        )
        services.administration_pause(
            administration=admin, user=nurse_user, started_at=tf.at("10:00"), reason="Chills"
        )
        services.administration_resume(
            administration=admin, user=nurse_user, ended_at=tf.at("10:45")
        )
        services.administration_stop(
            administration=admin, user=nurse_user, stopped_at=tf.at("11:30")
        )
        facts = services.visit_encounter_facts(visit)
        spans = [(a.start, a.end) for a in facts.administrations]
        assert spans == [(tf.at("09:30"), tf.at("10:00")), (tf.at("10:45"), tf.at("11:30"))]
        admin_lines = [
            (line.code, line.units)
            for line in derive_claim_lines(facts)
            if line.kind == "administration"
        ]
        assert admin_lines == [("96413", 1)]  # 75 minutes running: the first hour only

    def test_white_bagged_stock_is_not_billed_as_the_centers_drug(
        self, visit: Any, nurse_user: Any, team: Any
    ) -> None:
        own = tf.make_lot(
            visit.location, visit.order.drug, vials=4, lot_number="WB1", patient=visit.patient
        )
        visit = tf.do_checks(visit, nurse_user)
        tf.do_preparation(visit, nurse_user, own, checker=team.second, preparer=team.nurse)
        tf.do_administration(visit, nurse_user)
        facts = services.visit_encounter_facts(visit)
        assert facts.drugs[0].center_supplied is False
        assert all(line.kind == "administration" for line in derive_claim_lines(facts))

    def test_the_supervising_provider_is_on_the_facts(
        self, ready_visit: Any, physician: Any
    ) -> None:
        facts = services.visit_encounter_facts(ready_visit)
        assert facts.supervising_provider is not None and facts.referring_provider is not None
        assert facts.supervising_provider.npi == physician.npi
        assert facts.referring_provider.npi == ready_visit.order.ordering_provider.npi

    def test_coverages_in_order_of_benefits(self, ready_visit: Any, patient: Any, org: Any) -> None:
        f.make_coverage(patient, f.make_payer(org, name="Medicare Part B", kind="medicare_b"))
        facts = services.visit_encounter_facts(ready_visit)
        assert [c.payer_name for c in facts.coverages] == ["Medicare Part B"]


def _premed_drug(org: Any) -> Any:
    spec = {
        "key": "diphenhydramine-inj",
        "generic_name": "diphenhydramine hydrochloride injection",
        "hcpcs": "J1200",
        "billing_unit_mg": Decimal("50"),
        "admin_category": "therapeutic",
        "premedication": True,
        "packages": [("25021048101", "50 mg/mL, 1 mL single-dose vial", "50")],
    }
    drug = tf.make_drug(org, spec)
    drug.packages.update(ndc_unit="ML", ndc_quantity=Decimal(1))
    return drug


def _lines(visit: Any) -> list[tuple[str, int, str, str]]:
    facts = services.visit_encounter_facts(visit)
    return [
        (line.code, line.units, " ".join(line.modifiers), line.ndc or "")
        for line in derive_claim_lines(facts)
    ]


class TestNdcUnitsFromThePackage:
    def test_a_solution_is_reported_in_ml_with_the_discard_on_the_jw_line(
        self, visit: Any, nurse_user: Any, lot: Any, team: Any
    ) -> None:
        """N4 quantity in the unit the package is sold in (ML for a solution), the quantity
        used; the JW line carries the discarded mL (NCPDP billing units; CMS JW FAQ)."""
        lot.package.__class__.objects.filter(pk=lot.package_id).update(
            ndc_unit="ML", ndc_quantity=Decimal(10)
        )
        visit = tf.do_checks(visit, nurse_user)
        tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
        tf.do_administration(visit, nurse_user)
        drug_lines = [line for line in _lines(visit) if line[0] == "J1745"]
        assert drug_lines == [
            ("J1745", 35, "", "N457894003001ML35"),
            ("J1745", 5, "JW", "N457894003001ML5"),
        ]


class TestSettingPrimaryAndSecondSite:
    def test_the_site_type_gives_the_setting_and_the_ordered_drug_is_primary(
        self, ready_visit: Any
    ) -> None:
        facts = services.visit_encounter_facts(ready_visit)
        expected = "facility" if ready_visit.location.site_type.startswith("hospital") else "office"
        assert facts.setting == expected
        assert [a.primary for a in facts.administrations] == [True]

    def test_a_hospital_outpatient_site_codes_as_a_facility(self, ready_visit: Any) -> None:
        location = ready_visit.location
        location.site_type = "hospital_off_campus"
        location.save(update_fields=["site_type"])
        assert services.visit_encounter_facts(ready_visit).setting == "facility"

    def test_a_second_access_site_gives_a_second_initial_code_with_xu(
        self, visit: Any, nurse_user: Any, lot: Any, team: Any
    ) -> None:
        visit = tf.do_checks(visit, nurse_user)
        tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
        tf.do_administration(visit, nurse_user)
        other = services.administration_start(
            visit=visit,
            user=nurse_user,
            started_at=tf.at("09:40"),
            substance="potassium chloride",
            category="therapeutic",
            separate_access_site=True,
        )
        services.administration_stop(
            administration=other, user=nurse_user, stopped_at=tf.at("10:40")
        )
        codes = [(c, u, m) for c, u, m, _ in _lines(visit) if c.startswith("96")]
        assert codes == [("96413", 1, ""), ("96365", 1, "XU"), ("96415", 1, "")]


class TestPremedications:
    def test_a_premedication_from_stock_is_billed_with_its_own_code(
        self, visit: Any, nurse_user: Any, lot: Any, team: Any
    ) -> None:
        premed = _premed_drug(visit.organization)
        visit = tf.do_checks(visit, nurse_user)
        tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
        push = services.administration_start(
            visit=visit,
            user=nurse_user,
            started_at=tf.at("09:20"),
            method="push",
            premedication=premed.key,
            dose_given_mg=Decimal(25),
        )
        services.administration_stop(
            administration=push, user=nurse_user, stopped_at=tf.at("09:22")
        )
        tf.do_administration(visit, nurse_user)
        lines = _lines(visit)
        assert ("96375", 1, "", "") in lines  # the push after the initial infusion
        assert ("J1200", 1, "JZ", "N425021048101ML1") in lines  # 25 mg of a 50 mg vial

    def test_a_premedication_from_the_patients_own_supply_is_not_billed(
        self, visit: Any, nurse_user: Any, lot: Any, team: Any
    ) -> None:
        premed = _premed_drug(visit.organization)
        visit = tf.do_checks(visit, nurse_user)
        tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
        push = services.administration_start(
            visit=visit,
            user=nurse_user,
            started_at=tf.at("09:20"),
            method="push",
            premedication=premed.key,
            dose_given_mg=Decimal(50),
            from_center_stock=False,
        )
        services.administration_stop(
            administration=push, user=nurse_user, stopped_at=tf.at("09:22")
        )
        tf.do_administration(visit, nurse_user)
        codes = [line[0] for line in _lines(visit)]
        assert "J1200" not in codes
        assert "96375" in codes

    def test_an_oral_premedication_is_recorded_but_not_billed(self, ready_visit: Any) -> None:
        ready_visit.premeds_given = "acetaminophen 650 mg PO, cetirizine 10 mg PO"
        ready_visit.save(update_fields=["premeds_given"])
        codes = [line[0] for line in _lines(ready_visit)]
        assert codes == ["96413", "96415", "J1745", "J1745"]

    def test_a_premedication_needs_its_dose(self, visit: Any, nurse_user: Any) -> None:
        import pytest
        from django.core.exceptions import ValidationError

        premed = _premed_drug(visit.organization)
        with pytest.raises(ValidationError, match="dose"):
            services.administration_start(
                visit=visit,
                user=nurse_user,
                started_at=tf.at("09:20"),
                method="push",
                premedication=premed.key,
            )
        assert not visit.administrations.exists()
