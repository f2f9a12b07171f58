"""Every visit page: the organization wall (404), the role wall (403), bad input (422)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from chairside.audit.models import AuditEvent
from chairside.inventory.models import Lot, Movement
from chairside.scheduling.models import Appointment
from chairside.treatments import services
from chairside.treatments.models import Visit, VisitAlert, VisitReport, Vitals
from chairside.treatments.tests import factories as tf
from tests import factories as f
from tests.assertions import assert_no_db_changes

VISIT_PAGES = ["visit", "checks", "preparation", "administration", "discharge", "sign"]
VISIT_POSTS = [
    "checks_save",
    "consent",
    "vitals",
    "dispense",
    "preparation_save",
    "preparation_check",
    "administration_start",
    "reaction",
    "discharge_save",
    "sign_confirm",
    "addendum",
]


@pytest.fixture
def foreign_visit(other_org: Any, foreign_patient: Any) -> Visit:
    location = f.make_location(other_org, chairs=1)
    order = tf.make_order(foreign_patient, tf.make_drug(other_org))
    appointment = tf.make_appointment(order, location)
    return services.visit_start(appointment=appointment, user=f.make_user(other_org, "nurse"))


def unchanged(*, audit: bool = True) -> Any:
    """Every treatment table, the appointment, the stock and the audit trail, as a refused
    write must leave them. ``audit=False`` where the refusal re-renders the visit with its
    message: that answer reads the chart, and every read of patient data is audited."""
    treatments = apps.get_app_config("treatments").get_models()
    trail = [AuditEvent] if audit else []
    return assert_no_db_changes(*treatments, Appointment, Lot, Movement, *trail)


def url(name: str, visit: Visit) -> str:
    return reverse(f"treatments:{name}", args=[visit.public_id])


class TestOrganizationWall:
    @pytest.mark.parametrize("name", VISIT_PAGES)
    def test_it_shows_our_visit(self, nurse_client: Any, visit: Visit, name: str) -> None:
        response = nurse_client.get(url(name, visit), follow=True)
        assert response.status_code == 200

    @pytest.mark.parametrize("name", VISIT_PAGES)
    def test_it_hides_another_organizations_visit(
        self, nurse_client: Any, foreign_visit: Visit, name: str
    ) -> None:
        assert nurse_client.get(url(name, foreign_visit)).status_code == 404

    @pytest.mark.parametrize("name", VISIT_POSTS)
    def test_it_refuses_writes_to_another_organizations_visit(
        self, nurse_client: Any, foreign_visit: Visit, name: str
    ) -> None:
        with unchanged():
            assert nurse_client.post(url(name, foreign_visit), {}).status_code == 404

    def test_it_hides_another_organizations_appointment_and_report(
        self, nurse_client: Any, foreign_visit: Visit
    ) -> None:
        start = reverse("treatments:start", args=[foreign_visit.appointment.public_id])
        with unchanged():
            assert nurse_client.post(start).status_code == 404
        other_report = reverse("treatments:report_pdf", args=[foreign_visit.public_id])
        assert nurse_client.get(other_report).status_code == 404

    def test_the_day_list_shows_only_our_patients(
        self, nurse_client: Any, visit: Visit, foreign_visit: Visit
    ) -> None:
        page = nurse_client.get(reverse("treatments:day") + "?mine=0").content.decode()
        assert visit.patient.last_name in page
        assert foreign_visit.patient.last_name not in page


class TestRoleWall:
    @pytest.mark.parametrize("name", VISIT_POSTS)
    def test_a_coordinator_cannot_document_a_visit(
        self, coordinator_client: Any, visit: Visit, name: str
    ) -> None:
        with unchanged():
            assert coordinator_client.post(url(name, visit), {}).status_code == 403

    def test_a_coordinator_reads_the_visit_without_forms(
        self, coordinator_client: Any, visit: Visit
    ) -> None:
        page = coordinator_client.get(url("checks", visit)).content.decode()
        assert "Read only" in page and "Save signed consent" not in page

    def test_a_biller_cannot_start_a_visit(self, org: Any, appointment: Any) -> None:
        client = f.login(f.make_user(org, "biller"))
        start = reverse("treatments:start", args=[appointment.public_id])
        with unchanged():
            assert client.post(start).status_code == 403

    def test_only_coordinators_and_admins_work_the_report_queue(
        self, nurse_client: Any, coordinator_client: Any
    ) -> None:
        assert nurse_client.get(reverse("treatments:reports")).status_code == 403
        assert coordinator_client.get(reverse("treatments:reports")).status_code == 200

    def test_only_a_provider_acknowledges_an_alert(
        self, org: Any, nurse_client: Any, visit: Visit
    ) -> None:
        alert = VisitAlert.objects.create(organization=org, visit=visit, message="Grade 3")
        ack = reverse("treatments:alert_ack", args=[alert.public_id])
        assert nurse_client.post(ack).status_code == 403
        alert.refresh_from_db()
        assert alert.acknowledged_at is None
        provider = f.login(f.make_user(org, "provider"))
        assert provider.post(ack).status_code == 302
        alert.refresh_from_db()
        assert alert.acknowledged_at is not None

    def test_an_anonymous_user_is_sent_to_log_in(self, client: Any, visit: Visit) -> None:
        assert client.get(url("checks", visit)).status_code == 302


class TestBadInput:
    def test_an_impossible_weight_is_refused_in_place(
        self, nurse_client: Any, visit: Visit
    ) -> None:
        response = nurse_client.post(
            url("checks_save", visit), {"weight": "7000", "weight_unit": "kg", "_field": "weight"}
        )
        assert response.status_code == 422
        assert "7000 kg is not a possible weight" in response.content.decode()
        visit.refresh_from_db()
        assert visit.weight_kg is None

    def test_a_weight_in_pounds_is_stored_in_kg_and_the_dose_uses_the_kg(
        self, nurse_client: Any, visit: Visit
    ) -> None:
        page = nurse_client.get(url("checks", visit)).content.decode()
        assert '<option value="lb" selected>' in page  # US scales: pounds by default
        # 200 lb = 90.7 kg: more than 10 % above the order's 70 kg, so the dose is at today's
        # weight, worked out from the stored kg (5 mg/kg x 90.7 kg = 453.5 mg).
        response = nurse_client.post(
            url("checks_save", visit), {"weight": "200", "weight_unit": "lb", "_field": "weight"}
        )
        assert response.status_code == 200
        visit.refresh_from_db()
        assert visit.weight_kg == Decimal("90.7")
        html = response.content.decode()
        assert "90.7 kg (200.0 lb)" in html
        assert "453.5 mg" in html
        # The unit changed alone (no number sent) leaves the stored weight as it is.
        nurse_client.post(url("checks_save", visit), {"weight_unit": "kg", "_field": "weight_unit"})
        visit.refresh_from_db()
        assert visit.weight_kg == Decimal("90.7")
        # Typed in kg it is stored as typed.
        nurse_client.post(
            url("checks_save", visit),
            {"weight": "71.2", "weight_unit": "kg", "_field": "weight_unit"},
        )
        visit.refresh_from_db()
        assert visit.weight_kg == Decimal("71.2")

    def test_an_impossible_weight_in_pounds_names_the_pounds(
        self, nurse_client: Any, visit: Visit
    ) -> None:
        response = nurse_client.post(
            url("checks_save", visit), {"weight": "1000", "weight_unit": "lb", "_field": "weight"}
        )
        assert response.status_code == 422
        assert (
            "1000 lb is not a possible weight: enter 1.1 to 881.8 lb" in response.content.decode()
        )
        visit.refresh_from_db()
        assert visit.weight_kg is None

    def test_one_field_saves_without_touching_the_others(
        self, nurse_client: Any, visit: Visit
    ) -> None:
        nurse_client.post(
            url("checks_save", visit), {"weight": "70.0", "weight_unit": "kg", "_field": "weight"}
        )
        response = nurse_client.post(
            url("checks_save", visit), {"identifiers": ["name", "dob"], "_field": "identifiers"}
        )
        assert response.status_code == 200
        assert 'id="stepbar" hx-swap-oob="true"' in response.content.decode()
        visit.refresh_from_db()
        assert visit.weight_kg == Decimal("70.0") and visit.identity_confirmed_at is not None

    def test_impossible_vitals_are_refused_and_nothing_is_saved(
        self, nurse_client: Any, visit: Visit
    ) -> None:
        response = nurse_client.post(
            url("vitals", visit), {"phase": "pre", "systolic": "1200", "diastolic": "80"}
        )
        assert response.status_code == 422
        assert "1200 mmHg is not possible" in response.content.decode()
        assert not Vitals.objects.exists()

    def test_dispensing_more_than_the_lot_holds_is_refused(
        self, nurse_client: Any, nurse_user: Any, visit: Visit, lot: Any
    ) -> None:
        tf.do_checks(visit, nurse_user)
        response = nurse_client.post(url("dispense", visit), {f"vials_{lot.public_id}": "11"})
        assert response.status_code == 422
        assert "Only 10 vials of lot AB1234" in response.content.decode()
        lot.refresh_from_db()
        assert lot.on_hand == 10

    def test_the_same_person_preparing_and_checking_is_refused(
        self, nurse_client: Any, nurse_user: Any, visit: Visit, lot: Any, nurse: Any
    ) -> None:
        tf.do_checks(visit, nurse_user)
        services.preparation_dispense(visit=visit, user=nurse_user, picks=[(lot, 4)])
        services.preparation_save(
            visit=visit,
            user=nurse_user,
            dose_mg=Decimal(350),
            final_volume_ml=Decimal(250),
            prepared_at=tf.at("09:15"),
            prepared_by=nurse,
        )
        with unchanged(audit=False):
            response = nurse_client.post(
                url("preparation_check", visit),
                {"cosigner_username": nurse.user.username, "cosigner_password": f.TEST_PASSWORD},
            )
            assert response.status_code == 422
        assert "another person" in response.content.decode()

    def test_a_stop_before_the_start_is_refused(
        self, nurse_client: Any, nurse_user: Any, visit: Visit, lot: Any, team: Any
    ) -> None:
        tf.do_checks(visit, nurse_user)
        tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
        admin = services.administration_start(
            visit=visit, user=nurse_user, started_at=tf.at("09:30")
        )
        stop = reverse(
            "treatments:administration_action", args=[visit.public_id, admin.public_id, "stop"]
        )
        with unchanged(audit=False):
            response = nurse_client.post(stop, {"stopped_at": "09:00", "stop_reason": "completed"})
            assert response.status_code == 422
        assert "is not after the start time 09:30" in response.content.decode()

    def test_signing_with_steps_missing_lists_them(self, nurse_client: Any, visit: Visit) -> None:
        response = nurse_client.post(url("sign_confirm", visit))
        assert response.status_code == 422
        page = response.content.decode()
        assert "The visit cannot be signed yet:" in page
        assert "Record pre-infusion vital signs." in page
        visit.refresh_from_db()
        assert not visit.is_signed


class TestSigningThroughThePage:
    def test_it_signs_and_shows_the_record_and_the_report(
        self, nurse_client: Any, ready_visit: Visit
    ) -> None:
        response = nurse_client.post(url("sign_confirm", ready_visit))
        assert response.status_code == 302
        assert response["Location"] == url("summary", ready_visit)
        page = nurse_client.get(url("summary", ready_visit)).content.decode()
        assert "Signed record" in page and "Waiting to be sent" in page
        report = VisitReport.objects.get()
        pdf = nurse_client.get(reverse("treatments:report_pdf", args=[report.public_id]))
        assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"

    def test_the_coordinator_marks_a_fax_sent(
        self, nurse_user: Any, coordinator_client: Any, ready_visit: Visit
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        report = VisitReport.objects.get()
        sent = reverse("treatments:report_sent", args=[report.public_id])
        coordinator_client.post(sent, {"note": "Fax confirmation 0042"})
        report.refresh_from_db()
        assert report.status == "sent"


class TestAfterSigning:
    def test_an_addendum_through_the_page_amends_the_sent_report(
        self, nurse_client: Any, nurse_user: Any, ready_visit: Visit
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        services.report_mark_sent(report=VisitReport.objects.get(), user=nurse_user, note="ok")
        response = nurse_client.post(
            url("addendum", ready_visit), {"text": "Late entry: IV site clean at 12:30."}
        )
        assert response.status_code == 302
        assert ready_visit.addenda.get().text.startswith("Late entry")
        assert VisitReport.objects.filter(version=2, status="queued").exists()

    def test_a_signed_visit_refuses_changes_through_the_pages(
        self, nurse_client: Any, nurse_user: Any, ready_visit: Visit
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        with unchanged(audit=False):
            response = nurse_client.post(
                url("checks_save", ready_visit), {"notes": "x", "_field": "notes"}
            )
            assert response.status_code == 422
        assert "addendum" in response.content.decode()

    def test_an_email_report_is_sent_again_from_the_queue(
        self, coordinator_client: Any, nurse_user: Any, ready_visit: Visit
    ) -> None:
        provider = ready_visit.order.ordering_provider
        provider.report_preference, provider.email = "email", "dr@example.org"
        provider.save()
        services.visit_sign(visit=ready_visit, user=nurse_user)  # on-commit not run in tests
        report = VisitReport.objects.get()
        coordinator_client.post(reverse("treatments:report_resend", args=[report.public_id]))
        report.refresh_from_db()
        assert report.status == "sent"


@pytest.fixture
def foreign_records(other_org: Any, foreign_patient: Any) -> dict[str, Any]:
    """Another organization's signed visit with a stopped infusion, a reaction, an alert and
    a report: every one of them must stay out of reach."""
    location = f.make_location(other_org, chairs=1)
    drug = tf.make_drug(other_org)
    order = tf.make_order(foreign_patient, drug)
    appointment = tf.make_appointment(order, location)
    user = f.make_user(other_org, "nurse")
    nurse = tf.make_staff(other_org, "RN", user=user)
    checker = tf.make_staff(other_org, "RN", first_name="Other", last_name="Checker")
    visit = services.visit_start(appointment=appointment, user=user)
    visit = tf.do_checks(visit, user)
    lot = tf.make_lot(location, drug, vials=10)
    tf.do_preparation(visit, user, lot, checker=checker, preparer=nurse)
    tf.do_administration(visit, user)
    reaction = services.reaction_record(
        visit=visit, user=user, onset_at=tf.at("11:45"), grade=1, signs=["flushing"]
    )
    services.reaction_outcome(
        reaction=reaction, user=user, outcome="resolved", outcome_at=tf.at("11:46")
    )
    tf.do_discharge(visit, user)
    services.visit_sign(visit=visit, user=user)
    alert = VisitAlert.objects.create(organization=other_org, visit=visit, message="x")
    return {
        "visit": visit,
        "admin": visit.administrations.get(),
        "reaction": reaction,
        "report": VisitReport.objects.get(visit=visit),
        "alert": alert,
    }


class TestEveryOtherView:
    def test_another_organizations_records_are_404(
        self, nurse_client: Any, coordinator_client: Any, org: Any, foreign_records: dict[str, Any]
    ) -> None:
        r = foreign_records
        visit_id = r["visit"].public_id
        with unchanged():
            for what in ("rate", "pause", "resume", "stop", "dose"):
                action = reverse(
                    "treatments:administration_action", args=[visit_id, r["admin"].public_id, what]
                )
                assert nurse_client.post(action, {}).status_code == 404
            outcome = reverse(
                "treatments:reaction_outcome", args=[visit_id, r["reaction"].public_id]
            )
            assert nurse_client.post(outcome, {}).status_code == 404
        assert nurse_client.get(reverse("treatments:summary", args=[visit_id])).status_code == 404
        report = r["report"].public_id
        assert nurse_client.get(reverse("treatments:report_pdf", args=[report])).status_code == 404
        with unchanged():
            for name in ("report_sent", "report_resend"):
                answer = coordinator_client.post(reverse(f"treatments:{name}", args=[report]))
                assert answer.status_code == 404
        doctor = f.login(f.make_user(org, "provider"))
        ack = reverse("treatments:alert_ack", args=[r["alert"].public_id])
        assert doctor.post(ack).status_code == 404
        r["alert"].refresh_from_db()
        assert r["alert"].acknowledged_at is None
        assert (
            "x" not in doctor.get(reverse("treatments:alerts")).content.decode().split("<main")[1]
        )

    def test_roles_that_may_not_act_get_403(
        self, coordinator_client: Any, nurse_client: Any, ready_visit: Visit, nurse_user: Any
    ) -> None:
        admin = ready_visit.administrations.get()
        for what in ("rate", "pause", "resume", "stop", "dose"):
            action = reverse(
                "treatments:administration_action",
                args=[ready_visit.public_id, admin.public_id, what],
            )
            with unchanged():
                assert coordinator_client.post(action, {}).status_code == 403
        services.visit_sign(visit=ready_visit, user=nurse_user)
        report = VisitReport.objects.get().public_id
        with unchanged():
            for name in ("report_sent", "report_resend"):
                answer = nurse_client.post(reverse(f"treatments:{name}", args=[report]))
                assert answer.status_code == 403
        assert coordinator_client.get(url("summary", ready_visit)).status_code == 200

    def test_an_unknown_administration_action_is_404(
        self, nurse_client: Any, ready_visit: Visit
    ) -> None:
        admin = ready_visit.administrations.get()
        action = reverse(
            "treatments:administration_action",
            args=[ready_visit.public_id, admin.public_id, "explode"],
        )
        with unchanged(audit=False):
            assert nurse_client.post(action, {}).status_code == 404


class TestVitalsUnits:
    def test_a_temperature_typed_in_fahrenheit_is_stored_in_celsius(
        self, nurse_client: Any, visit: Visit
    ) -> None:
        response = nurse_client.post(
            url("vitals", visit),
            {
                "phase": "pre",
                "taken_at": "09:05",
                "systolic": "120",
                "diastolic": "80",
                "temperature": "100.4",
                "temperature_unit": "F",
            },
        )
        assert response.status_code == 200
        vitals = visit.vitals.get()
        assert vitals.temperature_c == Decimal("38.0")  # CDC's fever line, 100.4 °F

    def test_a_fahrenheit_reading_marked_celsius_is_refused(
        self, nurse_client: Any, visit: Visit
    ) -> None:
        response = nurse_client.post(
            url("vitals", visit),
            {"phase": "pre", "taken_at": "09:05", "temperature": "98.6", "temperature_unit": "C"},
        )
        assert response.status_code == 422
        assert not visit.vitals.exists()
