"""Signing a visit: refuses with the missing steps, or locks it and does everything else."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.access.authorizations.models import AuthorizationUsage
from chairside.audit.models import AuditEvent
from chairside.inventory.models import Movement
from chairside.rules.scheduling import appointment_states
from chairside.treatments import selectors, services
from chairside.treatments.models import Visit, VisitReport
from chairside.treatments.tests import factories as tf


class TestVisitSign:
    def test_it_refuses_with_every_missing_step(self, visit: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError) as caught:
            services.visit_sign(visit=visit, user=nurse_user)
        messages = caught.value.messages
        assert messages[0] == "The visit cannot be signed yet:"
        assert "Confirm the patient's identity with two identifiers." in messages
        assert "No signed consent for infliximab (Remicade) on file." in messages
        assert "Record discharge vital signs." in messages
        visit.refresh_from_db()
        assert visit.status == Visit.Status.IN_PROGRESS

    def test_it_locks_the_visit_and_completes_the_appointment(
        self, ready_visit: Any, nurse_user: Any
    ) -> None:
        signed = services.visit_sign(visit=ready_visit, user=nurse_user)
        assert signed.status == Visit.Status.SIGNED
        assert signed.signed_by_name == "Jordan Blake, RN"
        signed.appointment.refresh_from_db()
        assert signed.appointment.status == appointment_states.COMPLETED
        with pytest.raises(ValidationError, match="addendum"):
            services.visit_update(visit=signed, user=nurse_user, notes="late note")

    def test_later_chart_changes_do_not_reopen_a_signed_visit(
        self, ready_visit: Any, nurse_user: Any
    ) -> None:
        signed = services.visit_sign(visit=ready_visit, user=nurse_user)
        signed.patient.no_known_allergies = False
        signed.patient.save(update_fields=["no_known_allergies"])
        assert selectors.visit_state(signed).allergy_status_recorded is False
        assert selectors.visit_missing(signed) == []
        assert all(step["done"] for step in selectors.step_status(signed))

    def test_it_wastes_the_unused_part_of_the_opened_vials(
        self, ready_visit: Any, nurse_user: Any, lot: Any
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        moves = Movement.objects.filter(lot=lot, visit_ref=str(ready_visit.public_id))
        assert sorted((m.kind, m.vials, m.mg) for m in moves) == [
            ("dispense", -4, Decimal("400.000")),
            ("waste", 0, Decimal("50.000")),
        ]
        lot.refresh_from_db()
        assert lot.on_hand == 6

    def test_it_uses_the_authorization_with_the_units_given(
        self, ready_visit: Any, nurse_user: Any
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        usage = AuthorizationUsage.objects.get(
            source_type="scheduling.appointment", source_id=str(ready_visit.appointment.public_id)
        )
        assert (usage.kind, usage.units) == ("consumed", 35)

    def test_it_records_todays_weight_on_the_chart(self, ready_visit: Any, nurse_user: Any) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        latest = ready_visit.patient.measurements.order_by("-measured_on", "-id").first()
        assert (latest.measured_on, latest.weight_kg) == (tf.DAY, Decimal("70.0"))

    def test_it_queues_the_report_for_the_providers_channel(
        self, ready_visit: Any, nurse_user: Any
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        report = VisitReport.objects.get(visit=ready_visit)
        assert (report.channel, report.status, report.version) == ("fax", "queued", 1)
        assert report.pdf.read(4) == b"%PDF"
        assert report.data["dose_given_mg"] == "350"
        assert report.data["lots"][0]["lot"] == "AB1234"

    def test_it_is_audited(self, ready_visit: Any, nurse_user: Any) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        assert AuditEvent.objects.filter(
            object_id=ready_visit.public_id,
            action="state",
            changes__status=["in_progress", "signed"],
        ).exists()

    def test_a_held_dose_cancels_the_appointment_and_gives_the_authorization_back(
        self, visit: Any, nurse_user: Any
    ) -> None:
        visit = tf.do_checks(visit, nurse_user)
        services.visit_update(
            visit=visit, user=nurse_user, dose_held=True, held_reason="Fever 38.4 °C"
        )
        tf.do_discharge(visit, nurse_user)
        signed = services.visit_sign(visit=visit, user=nurse_user)
        signed.appointment.refresh_from_db()
        assert signed.appointment.status == appointment_states.CANCELLED
        assert signed.reports.get().data["held_reason"] == "Fever 38.4 °C"


class TestAddendum:
    def test_it_amends_a_sent_report_as_a_new_version(
        self, ready_visit: Any, nurse_user: Any
    ) -> None:
        signed = services.visit_sign(visit=ready_visit, user=nurse_user)
        first = signed.reports.get()
        services.report_mark_sent(report=first, user=nurse_user, note="fax OK 12:10")
        services.addendum_add(
            visit=signed, user=nurse_user, text="IV site checked at 12:30: no redness."
        )
        versions = list(signed.reports.order_by("version").values_list("version", "status"))
        assert versions == [(1, "sent"), (2, "queued")]
        assert signed.reports.get(version=2).data["addenda"][0]["text"].startswith("IV site")

    def test_it_refuses_an_addendum_before_signing(self, visit: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="not signed yet"):
            services.addendum_add(visit=visit, user=nurse_user, text="something")


class TestHandOffToBilling:
    def test_signing_derives_the_charges(self, ready_visit: Any, nurse_user: Any) -> None:
        from django.apps import apps

        if not apps.is_installed("chairside.billing"):
            return
        from chairside.billing.models import Encounter

        services.visit_sign(visit=ready_visit, user=nurse_user)
        encounter = Encounter.objects.get(encounter_ref=str(ready_visit.public_id))
        codes = sorted(encounter.current_lines.values_list("code", flat=True))
        assert codes == ["96413", "96415", "J1745", "J1745"]


class TestNothingRunningAtSigning:
    """Issue 21 item 6: signing refuses while any administration is still running."""

    def test_it_refuses_naming_the_running_administration(
        self, ready_visit: Any, nurse_user: Any
    ) -> None:
        services.administration_start(
            visit=ready_visit,
            user=nurse_user,
            started_at=tf.at("10:05"),
            substance="0.9% NaCl 500 mL",
            category="hydration",
        )
        with pytest.raises(ValidationError) as caught:
            services.visit_sign(visit=ready_visit, user=nurse_user)
        assert (
            "0.9% NaCl 500 mL (IV infusion, started 10:05) is still running: record its stop time."
            in caught.value.messages
        )
        ready_visit.refresh_from_db()
        assert ready_visit.status == Visit.Status.IN_PROGRESS

    def test_it_signs_once_the_administration_is_stopped(
        self, ready_visit: Any, nurse_user: Any
    ) -> None:
        fluids = services.administration_start(
            visit=ready_visit,
            user=nurse_user,
            started_at=tf.at("10:05"),
            substance="0.9% NaCl 500 mL",
            category="hydration",
        )
        services.administration_stop(
            administration=fluids, user=nurse_user, stopped_at=tf.at("11:05")
        )
        assert services.visit_sign(visit=ready_visit, user=nurse_user).is_signed
