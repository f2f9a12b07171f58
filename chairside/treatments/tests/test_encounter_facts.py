"""Billing's seam: the signed visit as EncounterFacts, and the claim lines they give."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chairside.core import testing as f
from chairside.rules.charges import derive_claim_lines
from chairside.treatments import services
from chairside.treatments.tests import factories as tf


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
