"""Check-in: starting the visit from the appointment, and the pre-infusion checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.rules.clinical.visit_checks import TOUCH_CONFIRMATIONS, TOUCH_QUESTIONS
from chairside.treatments import selectors, services
from chairside.treatments.models import Visit
from chairside.treatments.tests import factories as tf


class TestVisitStart:
    def test_it_starts_once_per_appointment(
        self, appointment: Any, nurse_user: Any, nurse: Any
    ) -> None:
        first = services.visit_start(appointment=appointment, user=nurse_user)
        again = services.visit_start(appointment=appointment, user=nurse_user)
        assert first.pk == again.pk
        assert (first.date, first.nurse, first.patient) == (tf.DAY, nurse, appointment.patient)

    def test_it_refuses_an_appointment_not_checked_in(
        self, order: Any, location: Any, nurse_user: Any
    ) -> None:
        booked = tf.make_appointment(order, location, status="booked")
        with pytest.raises(ValidationError, match="Check the patient in first"):
            services.visit_start(appointment=booked, user=nurse_user)
        assert not Visit.objects.exists()

    def test_it_checks_in_through_scheduling_then_starts(
        self, order: Any, location: Any, nurse_user: Any
    ) -> None:
        booked = tf.make_appointment(order, location, status="confirmed")
        visit = services.visit_check_in_and_start(appointment=booked, user=nurse_user)
        booked.refresh_from_db()
        assert booked.status == "checked_in"
        assert visit.appointment_id == booked.pk


class TestChecks:
    def test_two_identifiers_confirm_identity(self, visit: Any, nurse_user: Any) -> None:
        visit = services.visit_update(visit=visit, user=nurse_user, identifiers=["name"])
        assert visit.identity_confirmed_at is None
        visit = services.visit_update(visit=visit, user=nurse_user, identifiers=["name", "dob"])
        assert visit.identity_confirmed_at is not None

    def test_it_refuses_an_impossible_weight_and_saves_nothing(
        self, visit: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="not possible"):
            services.visit_update(
                visit=visit, user=nurse_user, weight_kg="7000", allergies_reviewed=True
            )
        visit.refresh_from_db()
        assert visit.weight_kg is None and visit.allergies_reviewed_at is None

    def test_a_weight_change_over_ten_percent_needs_the_provider(
        self, visit: Any, nurse_user: Any
    ) -> None:
        visit = services.visit_update(visit=visit, user=nurse_user, weight_kg=Decimal("78.0"))
        missing = [m for _, m in selectors.visit_missing(visit)]
        assert (
            "Weight changed by more than 10 %: record the provider's dose confirmation." in missing
        )
        plan = selectors.dose_plan(visit)
        assert plan.dose_mg == Decimal("390.000")
        assert "today's weight" in plan.basis
        visit = services.visit_update(visit=visit, user=nurse_user, weight_confirmed_by="Dr. Marsh")
        assert "Weight changed" not in " ".join(m for _, m in selectors.visit_missing(visit))

    def test_within_ten_percent_the_order_weight_sets_the_dose(
        self, visit: Any, nurse_user: Any
    ) -> None:
        visit = services.visit_update(visit=visit, user=nurse_user, weight_kg=Decimal("74.0"))
        assert selectors.dose_plan(visit).dose_mg == Decimal("350.000")

    def test_labs_due_are_missing_until_done_or_cleared(
        self, visit: Any, nurse_user: Any, order: Any
    ) -> None:
        order.required_labs.create(name="Tuberculosis screening")
        missing = " ".join(m for _, m in selectors.visit_missing(visit))
        assert "Tuberculosis screening never recorded" in missing
        services.visit_update(visit=visit, user=nurse_user, labs_cleared_by="Dr. Marsh")
        visit.refresh_from_db()
        assert "Tuberculosis" not in " ".join(m for _, m in selectors.visit_missing(visit))

    def test_premedications_ordered_must_be_documented(
        self, visit: Any, nurse_user: Any, order: Any
    ) -> None:
        order.premedications = "Acetaminophen 650 mg PO"
        order.save()
        visit.refresh_from_db()
        assert "Document the premedications given (or why not)." in [
            m for _, m in selectors.visit_missing(visit)
        ]
        services.visit_update(
            visit=visit,
            user=nurse_user,
            premeds_given="Acetaminophen 650 mg PO",
            premeds_at=tf.at("09:10"),
        )
        visit.refresh_from_db()
        assert "premedications" not in " ".join(m for _, m in selectors.visit_missing(visit))

    def test_it_refuses_a_premedication_time_in_the_future(
        self, visit: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="future"):
            services.visit_update(visit=visit, user=nurse_user, premeds_at=tf.at("13:00"))


class TestTouchProgram:
    @pytest.fixture
    def tysabri_visit(
        self, org: Any, patient: Any, location: Any, nurse: Any, nurse_user: Any
    ) -> Any:
        drug = tf.make_drug(org, tf.NATALIZUMAB)
        order = tf.make_order(patient, drug, dose_mg=Decimal(300), maintenance_interval_days=28)
        appointment = tf.make_appointment(order, location, nurse=nurse)
        return services.visit_start(appointment=appointment, user=nurse_user)

    def test_it_requires_the_checklist_before_each_infusion(self, tysabri_visit: Any) -> None:
        missing = [m for _, m in selectors.visit_missing(tysabri_visit)]
        assert "Complete the TOUCH pre-infusion checklist." in missing

    def test_a_yes_needs_the_prescriber_before_infusing(
        self, tysabri_visit: Any, nurse_user: Any
    ) -> None:
        answers = {
            **dict.fromkeys(TOUCH_CONFIRMATIONS, "yes"),
            **dict.fromkeys(TOUCH_QUESTIONS, "no"),
        }
        answers["new_symptoms"] = "yes"
        visit = services.visit_update(visit=tysabri_visit, user=nurse_user, program_answers=answers)
        assert any("prescriber" in m for _, m in selectors.visit_missing(visit))
        visit = services.visit_update(
            visit=visit, user=nurse_user, program_cleared_by="Dr. Vasquez"
        )
        assert not any("TOUCH" in m or "prescriber" in m for _, m in selectors.visit_missing(visit))

    def test_it_refuses_an_answer_other_than_yes_or_no(
        self, tysabri_visit: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError):
            services.visit_update(
                visit=tysabri_visit, user=nurse_user, program_answers={"authorized": "maybe"}
            )


class TestConsent:
    def test_it_records_a_drawn_signature_for_a_year(self, visit: Any, nurse_user: Any) -> None:
        consent = services.consent_record(
            patient=visit.patient,
            drug=visit.order.drug,
            user=nurse_user,
            signer_name="Grace Hopper",
            signature=tf.signature_png(),
        )
        assert consent.expires_on.isoformat() == "2027-12-08"
        assert "consent" not in " ".join(m for _, m in selectors.visit_missing(visit)).lower()

    def test_it_refuses_a_blank_signature_box(self, visit: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="empty"):
            services.consent_record(
                patient=visit.patient,
                drug=visit.order.drug,
                user=nurse_user,
                signer_name="Grace Hopper",
                signature=tf.signature_png(drawn=False),
            )

    def test_it_refuses_something_that_is_not_a_png(self, visit: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="sign"):
            services.consent_record(
                patient=visit.patient,
                drug=visit.order.drug,
                user=nurse_user,
                signer_name="Grace Hopper",
                signature="data:image/png;base64,bm90IGFuIGltYWdl",
            )

    def test_a_consent_to_another_drug_does_not_count(
        self, visit: Any, nurse_user: Any, org: Any
    ) -> None:
        other = tf.make_drug(org, tf.NATALIZUMAB)
        services.consent_record(
            patient=visit.patient,
            drug=other,
            user=nurse_user,
            signer_name="G H",
            signature=tf.signature_png(),
        )
        assert "today's drug is infliximab" in selectors.visit_consent_problem(visit)

    def test_a_revoked_consent_does_not_count(self, visit: Any, nurse_user: Any) -> None:
        consent = services.consent_record(
            patient=visit.patient,
            drug=visit.order.drug,
            user=nurse_user,
            signer_name="G H",
            signature=tf.signature_png(),
        )
        services.consent_revoke(
            consent=consent, user=nurse_user, reason="Patient declined by phone"
        )
        assert "withdrew" in selectors.visit_consent_problem(visit)


class TestNoKnownAllergies:
    def test_a_review_with_no_status_on_the_chart_stays_missing(
        self, visit: Any, nurse_user: Any
    ) -> None:
        visit = services.visit_update(visit=visit, user=nurse_user, allergies_reviewed=True)
        missing = [m for _, m in selectors.visit_missing(visit)]
        assert any(m.startswith("No allergy status on the chart") for m in missing)
        visit.patient.allergies.create(substance="Penicillin")
        missing = [m for _, m in selectors.visit_missing(visit)]
        assert not any("allerg" in m.lower() for m in missing)

    def test_the_nurse_records_nkda_on_the_chart(self, visit: Any, nurse_user: Any) -> None:
        visit = services.visit_update(visit=visit, user=nurse_user, no_known_allergies=True)
        visit.patient.refresh_from_db()
        assert visit.patient.no_known_allergies and visit.allergies_reviewed_at is not None

    def test_nkda_is_refused_when_allergies_are_on_the_chart(
        self, visit: Any, nurse_user: Any
    ) -> None:
        visit.patient.allergies.create(substance="Penicillin")
        with pytest.raises(ValidationError, match="review them"):
            services.visit_update(visit=visit, user=nurse_user, no_known_allergies=True)


class TestWeightBandVisit:
    """IV ustekinumab by the STELARA label 2.3 table (issue 12 item 11)."""

    BANDS = [{"mg": "260", "up_to_kg": "55"}, {"mg": "390", "up_to_kg": "85"}, {"mg": "520"}]

    def _visit(self, patient: Any, drug: Any, location: Any, nurse: Any, nurse_user: Any) -> Any:
        order = tf.make_order(
            patient,
            drug,
            location=location,
            dose_mg_per_kg=None,
            dose_bands=self.BANDS,
            weight_kg_at_order=Decimal("84.0"),
            loading_days=[0],
            maintenance_interval_days=None,
        )
        appointment = tf.make_appointment(order, location, nurse=nurse)
        return services.visit_start(appointment=appointment, user=nurse_user)

    def test_a_weight_in_the_same_band_keeps_the_order_dose(
        self, patient: Any, drug: Any, location: Any, nurse: Any, nurse_user: Any
    ) -> None:
        visit = self._visit(patient, drug, location, nurse, nurse_user)
        visit = services.visit_update(visit=visit, user=nurse_user, weight_kg=Decimal("85.0"))
        plan = selectors.dose_plan(visit)
        assert plan.dose_mg == Decimal("390.000")
        assert "weight band >55 to ≤85 kg" in plan.basis
        assert "weight band" not in " ".join(m for _, m in selectors.visit_missing(visit))

    def test_a_weight_in_another_band_needs_the_provider(
        self, patient: Any, drug: Any, location: Any, nurse: Any, nurse_user: Any
    ) -> None:
        visit = self._visit(patient, drug, location, nurse, nurse_user)
        visit = services.visit_update(visit=visit, user=nurse_user, weight_kg=Decimal("85.5"))
        missing = [m for _, m in selectors.visit_missing(visit)]
        assert (
            "Today's weight puts the dose in another weight band: record the provider's "
            "dose confirmation." in missing
        )
        assert selectors.dose_plan(visit).dose_mg == Decimal("520.000")
        visit = services.visit_update(visit=visit, user=nurse_user, weight_confirmed_by="Dr. Marsh")
        assert "weight band" not in " ".join(m for _, m in selectors.visit_missing(visit))
