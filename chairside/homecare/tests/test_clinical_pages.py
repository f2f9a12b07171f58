"""The clinical pages and API: permission-checked, scoped to the organization, audited; bad
input answers 400 with the reason and writes nothing. Also the pages that create homes,
shifts, deliveries and visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from chairside.audit.models import AuditEvent, AuditEventPatient
from chairside.homecare.models import (
    DeliveryTicket,
    FieldShift,
    FollowUpTask,
    HomeInfusionOrder,
    HomeVisit,
    MonitoringNote,
    PatientHome,
    PlanOfCare,
    TeachingRecord,
)
from chairside.homecare.tests import factories as hf
from tests import factories as f
from tests.assertions import assert_no_db_changes

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def home_patient(org: Any, home: Any) -> Any:
    return hf.make_home_patient(org, home, first_name="Rosa", last_name="Diaz")


@pytest.fixture
def coordinator(org: Any) -> Any:
    return f.login(f.make_user(org, "coordinator"))


@pytest.fixture
def nurse_staff(org: Any, nurse_user: Any) -> Any:
    return hf.make_staff(org, "RN", user=nurse_user)


@pytest.fixture
def pharmacist(org: Any) -> Any:
    user = f.make_user(org, "pharmacist")
    hf.make_staff(org, "PharmD", user=user)
    return user


def order_post(provider: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "therapy_type": "ivig",
        "drug_name": "Immune globulin IV 10% (demo)",
        "dose_amount": "0.4",
        "dose_unit": "g/kg",
        "doses_per_day": "1",
        "every_days": "28",
        "start_date": TODAY.isoformat(),
        "duration_days": "5",
        "access_device": "peripheral",
        "access_inserted_on": TODAY.isoformat(),
        "administration_device": "ambulatory_pump",
        "supplies": "IV start kit\nSaline flush 10 mL",
        "nursing_visit_frequency": "each_dose",
        "ordering_provider": str(provider.pk),
        "signed_on": TODAY.isoformat(),
        "status": "active",
    }
    data.update(kw)
    return data


class TestOrderPages:
    def test_create_and_edit(self, org: Any, coordinator: Any, home_patient: Any) -> None:
        provider = hf.make_referring_provider(org)
        page = coordinator.get(f"/homecare/patients/{home_patient.public_id}/orders/new/")
        assert page.status_code == 200
        created = coordinator.post(
            f"/homecare/patients/{home_patient.public_id}/orders/new/", order_post(provider)
        )
        assert created.status_code == 302
        order = HomeInfusionOrder.objects.get()
        assert order.supplies == ["IV start kit", "Saline flush 10 mL"]
        assert order.therapy_type == "ivig" and order.organization == org
        assert order.every_days == 28
        assert order.dose_display == "0.4 g/kg once every 28 days"
        detail = coordinator.get(f"/homecare/orders/{order.public_id}/")
        assert b"Immune globulin IV 10% (demo)" in detail.content
        edited = coordinator.post(
            f"/homecare/orders/{order.public_id}/edit/",
            order_post(provider, duration_days="3"),
        )
        assert edited.status_code == 302
        order.refresh_from_db()
        assert order.duration_days == 3
        listing = coordinator.get("/homecare/orders/?status=active&therapy=ivig")
        assert b"Immune globulin" in listing.content

    def test_bad_input_is_400_and_writes_nothing(
        self, org: Any, coordinator: Any, home_patient: Any
    ) -> None:
        provider = hf.make_referring_provider(org)
        url = f"/homecare/patients/{home_patient.public_id}/orders/new/"
        for change, words in (
            ({"drug_name": ""}, b"Name the drug"),
            ({"signed_on": ""}, b"once the prescriber has signed"),
            ({"dose_amount": "-1"}, b"greater than or equal"),
            ({"therapy_type": "magic"}, b"Select a valid choice"),
        ):
            answer = coordinator.post(url, order_post(provider, **change))
            assert answer.status_code == 400, change
            assert words in answer.content, change
        assert not HomeInfusionOrder.objects.exists()

    def test_other_organization_and_permissions(
        self, org: Any, other_org: Any, coordinator: Any, home_patient: Any
    ) -> None:
        order = hf.make_home_order(home_patient)
        outsider = f.login(f.make_user(other_org, "admin"))
        for url in (
            f"/homecare/patients/{home_patient.public_id}/",
            f"/homecare/patients/{home_patient.public_id}/orders/new/",
            f"/homecare/orders/{order.public_id}/",
            f"/homecare/orders/{order.public_id}/edit/",
        ):
            assert outsider.get(url).status_code == 404, url
        assert b"Diaz" not in outsider.get("/homecare/patients/").content
        assert b"Vancomycin" not in outsider.get("/homecare/orders/").content
        biller = f.login(f.make_user(org, "biller"))
        assert biller.get(f"/homecare/orders/{order.public_id}/").status_code == 200
        assert biller.get(f"/homecare/orders/{order.public_id}/edit/").status_code == 403
        provider = hf.make_referring_provider(org)
        answer = biller.post(
            f"/homecare/patients/{home_patient.public_id}/orders/new/", order_post(provider)
        )
        assert answer.status_code == 403
        assert HomeInfusionOrder.objects.count() == 1


class TestPlanPages:
    def test_write_plan_shows_gaps_and_review(
        self, org: Any, coordinator: Any, home_patient: Any
    ) -> None:
        order = hf.make_home_order(home_patient)
        page = coordinator.get(f"/homecare/patients/{home_patient.public_id}/plan/new/")
        assert page.status_code == 200
        created = coordinator.post(
            f"/homecare/patients/{home_patient.public_id}/plan/new/",
            {
                "orders": [str(order.pk)],
                "goals": "Finish therapy",
                "access_device": "picc",
                "monitoring_labs": "CBC with differential: weekly\nBMP — weekly",
                "caregiver_name": "Ana Lopez",
            },
        )
        assert created.status_code == 302
        plan = PlanOfCare.objects.get()
        assert plan.monitoring_labs == [
            {"lab": "CBC with differential", "frequency": "weekly"},
            {"lab": "BMP", "frequency": "weekly"},
        ]
        shown = coordinator.get(f"/homecare/care-plans/{plan.public_id}/")
        assert b"The physician has not signed the plan of care." in shown.content
        assert b"no vancomycin level" in shown.content
        assert b"no 24-hour pharmacy/nurse phone" in shown.content
        listing = coordinator.get("/homecare/care-plans/?missing=1")
        assert b"Diaz" in listing.content
        # the review of an unsigned version is refused with the reason
        refused = coordinator.post(
            f"/homecare/care-plans/{plan.public_id}/review/", {"reason": "30 days"}
        )
        assert refused.status_code == 400
        assert b"not signed yet" in refused.content
        assert PlanOfCare.objects.count() == 1
        # it is signed (the physician's signature came back), then reviewed
        signed = coordinator.post(
            f"/homecare/care-plans/{plan.public_id}/edit/",
            {
                "orders": [str(order.pk)],
                "goals": "Finish therapy",
                "signed_on": TODAY.isoformat(),
                "signing_provider": str(order.ordering_provider.pk),
            },
        )
        assert signed.status_code == 302
        again = coordinator.post(f"/homecare/care-plans/{plan.public_id}/edit/", {"goals": "x"})
        assert again.status_code == 400
        plan.refresh_from_db()
        assert plan.goals == "Finish therapy"
        reviewed = coordinator.post(
            f"/homecare/care-plans/{plan.public_id}/review/", {"reason": "30-day review"}
        )
        assert reviewed.status_code == 302
        assert PlanOfCare.objects.filter(is_current=True).get().version == 2

    def test_future_signature_is_400(self, org: Any, coordinator: Any, home_patient: Any) -> None:
        provider = hf.make_referring_provider(org)
        answer = coordinator.post(
            f"/homecare/patients/{home_patient.public_id}/plan/new/",
            {
                "signed_on": (TODAY + dt.timedelta(days=2)).isoformat(),
                "signing_provider": str(provider.pk),
            },
        )
        assert answer.status_code == 400
        assert b"The signature date is in the future." in answer.content
        assert not PlanOfCare.objects.exists()

    def test_other_organization(
        self, org: Any, other_org: Any, coordinator: Any, home_patient: Any
    ) -> None:
        plan = hf.make_plan(home_patient, [hf.make_home_order(home_patient)])
        outsider = f.login(f.make_user(other_org, "admin"))
        for url in (
            f"/homecare/care-plans/{plan.public_id}/",
            f"/homecare/care-plans/{plan.public_id}/edit/",
            f"/homecare/patients/{home_patient.public_id}/plan/new/",
        ):
            assert outsider.get(url).status_code == 404, url
        with assert_no_db_changes(PlanOfCare):
            assert (
                outsider.post(
                    f"/homecare/care-plans/{plan.public_id}/review/", {"reason": "x"}
                ).status_code
                == 404
            )
        assert b"Diaz" not in outsider.get("/homecare/care-plans/").content

    def test_reading_a_plan_is_audited(self, org: Any, coordinator: Any, home_patient: Any) -> None:
        plan = hf.make_plan(home_patient, [hf.make_home_order(home_patient)])
        coordinator.get(f"/homecare/care-plans/{plan.public_id}/")
        assert AuditEventPatient.objects.filter(patient_id=home_patient.public_id).exists()


class TestTeachingPage:
    def post(self, nurse_user: Any, password: str = f.TEST_PASSWORD, **kw: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "taught_on": TODAY.isoformat(),
            "topics": ["access_device_care", "pump_operation"],
            "learner": "caregiver",
            "learner_name": "Ana Lopez",
            "method": "demonstration",
            "outcome": "competent",
            "nurse_username": nurse_user.username,
            "nurse_password": password,
        }
        data.update(kw)
        return data

    def test_nurse_signs_with_her_credentials(
        self, org: Any, coordinator: Any, home_patient: Any, nurse_staff: Any, nurse_user: Any
    ) -> None:
        url = f"/homecare/patients/{home_patient.public_id}/teaching/new/"
        assert coordinator.get(url).status_code == 200
        wrong = coordinator.post(url, self.post(nurse_user, password="nope"))
        assert wrong.status_code == 400
        assert b"That user name and password do not match." in wrong.content
        assert not TeachingRecord.objects.exists()
        signed = coordinator.post(url, self.post(nurse_user))
        assert signed.status_code == 302
        record = TeachingRecord.objects.get()
        assert record.nurse == nurse_staff and record.signed_by == nurse_user
        page = coordinator.get(f"/homecare/patients/{home_patient.public_id}/")
        assert b"Demonstrated competency" in page.content

    def test_a_coordinator_cannot_sign_as_nurse(
        self, org: Any, home_patient: Any, nurse_staff: Any
    ) -> None:
        user = f.make_user(org, "coordinator")
        client = f.login(user)
        answer = client.post(
            f"/homecare/patients/{home_patient.public_id}/teaching/new/", self.post(user)
        )
        assert answer.status_code == 400
        assert b"not an RN, LPN or NP" in answer.content
        assert not TeachingRecord.objects.exists()

    def test_other_organization_nurse_cannot_sign(
        self, org: Any, other_org: Any, coordinator: Any, home_patient: Any
    ) -> None:
        stranger = f.make_user(other_org, "nurse")
        hf.make_staff(other_org, "RN", user=stranger)
        answer = coordinator.post(
            f"/homecare/patients/{home_patient.public_id}/teaching/new/", self.post(stranger)
        )
        assert answer.status_code == 400
        assert b"not a member of this organization" in answer.content
        assert not TeachingRecord.objects.exists()


class TestMonitoringPages:
    def test_pharmacist_note_and_follow_up_queue(
        self, org: Any, other_org: Any, home_patient: Any, pharmacist: Any
    ) -> None:
        client = f.login(pharmacist)
        order = hf.make_home_order(home_patient)
        url = f"/homecare/patients/{home_patient.public_id}/monitoring/new/"
        assert client.get(url).status_code == 200
        bad = client.post(url, {"noted_on": TODAY.isoformat(), "labs": "Vancomycin trough"})
        assert bad.status_code == 400
        assert "Give a value for “Vancomycin trough”".encode() in bad.content
        assert not MonitoringNote.objects.exists() and not FollowUpTask.objects.exists()
        saved = client.post(
            url,
            {
                "order": str(order.pk),
                "noted_on": TODAY.isoformat(),
                "labs": "Vancomycin trough: 22.4 mg/L\nSerum creatinine: 1.4 mg/dL",
                "assessment": "Trough above goal.",
                "plan": "Reduce dose.",
                "dose_change_recommended": "on",
                "recommended_change": "1000 mg q12h",
                "follow_up_1": "Repeat trough",
                "follow_up_1_due": TODAY.isoformat(),
            },
        )
        assert saved.status_code == 302
        note = MonitoringNote.objects.get()
        assert note.labs[1] == {"lab": "Serum creatinine", "value": "1.4", "unit": "mg/dL"}
        queue = client.get("/homecare/follow-ups/")
        assert b"Repeat trough" in queue.content
        task = FollowUpTask.objects.get()
        outsider = f.login(f.make_user(other_org, "admin"))
        assert b"Repeat trough" not in outsider.get("/homecare/follow-ups/").content
        assert outsider.post(f"/homecare/follow-ups/{task.public_id}/done/").status_code == 404
        task.refresh_from_db()
        assert task.done_at is None
        done = client.post(f"/homecare/follow-ups/{task.public_id}/done/")
        assert done.status_code == 302
        again = client.post(f"/homecare/follow-ups/{task.public_id}/done/")
        assert again.status_code == 400 and b"done already" in again.content
        assert AuditEvent.objects.filter(object_id=task.public_id, action="state").count() == 1

    def test_a_nurse_may_not_write_a_pharmacist_note(
        self, org: Any, home_patient: Any, nurse_user: Any, nurse_staff: Any
    ) -> None:
        answer = f.login(nurse_user).post(
            f"/homecare/patients/{home_patient.public_id}/monitoring/new/",
            {"noted_on": TODAY.isoformat(), "assessment": "a", "plan": "p"},
        )
        assert answer.status_code == 400
        assert b"written by a pharmacist" in answer.content
        assert not MonitoringNote.objects.exists()


class TestSetupPages:
    def test_home_shift_delivery_visit(
        self, org: Any, home: Any, coordinator: Any, nurse_staff: Any
    ) -> None:
        patient = f.make_patient(org, first_name="Lee", last_name="Park")
        url = f"/homecare/patients/{patient.public_id}/home/"
        assert coordinator.get(url).status_code == 200
        home_data = {
            "location": str(home.pk),
            "address_line1": "4 Heron Pond Rd",
            "city": "Riverside",
            "state": "pa",
            "postal_code": "19003",
            "latitude": "40.010000",
            "longitude": "-75.020000",
        }
        bad = coordinator.post(url, {**home_data, "latitude": "95"})
        assert bad.status_code == 400 and not PatientHome.objects.exists()
        assert coordinator.post(url, home_data).status_code == 302
        assert PatientHome.objects.get(patient=patient).state == "PA"

        day = TODAY + dt.timedelta(days=1)
        shift = {
            "location": str(home.pk),
            "staff": str(nurse_staff.pk),
            "date": day.isoformat(),
            "starts": "08:00",
            "ends": "16:00",
            "kind": "nurse",
        }
        assert coordinator.get("/homecare/shifts/new/").status_code == 200
        assert coordinator.post("/homecare/shifts/new/", shift).status_code == 302
        twice = coordinator.post("/homecare/shifts/new/", shift)
        assert twice.status_code == 400 and b"already has a shift" in twice.content
        assert FieldShift.objects.count() == 1

        stop = {
            "patient": str(patient.pk),
            "location": str(home.pk),
            "date": day.isoformat(),
            "window_start": "09:00",
            "window_end": "12:00",
        }
        assert (
            coordinator.get(f"/homecare/deliveries/new/?patient={patient.public_id}").status_code
            == 200
        )
        no_items = coordinator.post(
            "/homecare/deliveries/new/",
            {**stop, "items": "", "handoff": "courier", "service_minutes": "10"},
        )
        assert no_items.status_code == 400 and not DeliveryTicket.objects.exists()
        cold = coordinator.post(
            "/homecare/deliveries/new/",
            {
                **stop,
                "items": "1 bag PN bag",
                "handoff": "courier",
                "service_minutes": "10",
                "cold_chain": "on",
            },
        )
        assert cold.status_code == 400 and b"validity in hours" in cold.content
        assert not DeliveryTicket.objects.exists()
        made = coordinator.post(
            "/homecare/deliveries/new/",
            {
                **stop,
                "items": "10 each Saline flush 10 mL\n2 kit Dressing kit",
                "handoff": "courier",
                "service_minutes": "10",
            },
        )
        assert made.status_code == 302
        ticket = DeliveryTicket.objects.get()
        assert [str(i) for i in ticket.items.all()] == [
            "10 each Saline flush 10 mL",
            "2 kit Dressing kit",
        ]

        assert coordinator.get("/homecare/visits/new/").status_code == 200
        late = coordinator.post(
            "/homecare/visits/new/",
            {**stop, "window_start": "12:00", "window_end": "09:00", "duration_minutes": "60"},
        )
        assert late.status_code == 400 and not HomeVisit.objects.exists()
        visit = coordinator.post(
            "/homecare/visits/new/",
            {
                **stop,
                "duration_minutes": "45",
                "purpose": "PICC dressing",
                "nurse": str(nurse_staff.pk),
            },
        )
        assert visit.status_code == 302
        assert HomeVisit.objects.get().nurse == nurse_staff

    def test_permissions_and_other_organization(
        self, org: Any, other_org: Any, home: Any, home_patient: Any, nurse_user: Any
    ) -> None:
        nurse = f.login(nurse_user)
        for url in ("/homecare/shifts/new/", "/homecare/deliveries/new/", "/homecare/visits/new/"):
            assert nurse.get(url).status_code == 403, url
        assert nurse.get(f"/homecare/patients/{home_patient.public_id}/home/").status_code == 403
        outsider = f.login(f.make_user(other_org, "admin"))
        assert outsider.get(f"/homecare/patients/{home_patient.public_id}/home/").status_code == 404
        hf.make_home_location(other_org)
        answer = outsider.post(
            "/homecare/visits/new/",
            {
                "patient": str(home_patient.pk),
                "location": str(home.pk),
                "date": TODAY.isoformat(),
                "window_start": "09:00",
                "window_end": "12:00",
                "duration_minutes": "60",
            },
        )
        assert answer.status_code == 400 and not HomeVisit.objects.exists()


class TestApi:
    @pytest.mark.usefixtures("nurse_staff")
    def test_reads_and_scoping(
        self, org: Any, other_org: Any, home_patient: Any, nurse_user: Any, pharmacist: Any
    ) -> None:
        order = hf.make_home_order(home_patient)
        plan = hf.make_plan(home_patient, [order], emergency_phone="")
        hf.teach_everything(home_patient, nurse_user, plan)
        from chairside.homecare import services

        services.monitoring_note_create(
            organization=org,
            user=pharmacist,
            patient=home_patient,
            values=services.MonitoringValues(
                noted_on=TODAY,
                assessment="ok",
                plan="continue",
                labs=[("CBC WBC", "6.1", "10^3/uL")],
                follow_ups=[services.FollowUpValues("Weekly labs review", TODAY)],
            ),
        )
        client = f.login(f.make_user(org, "biller"))
        orders = client.get(f"/api/v1/homecare/orders?patient={home_patient.public_id}").json()
        assert [o["drug"] for o in orders] == ["Vancomycin"]
        assert orders[0]["supplies"] == ["Saline flush 10 mL", "Heparin lock flush"]
        assert client.get(f"/api/v1/homecare/orders/{order.public_id}").json()["status"] == "active"
        assert client.get("/api/v1/homecare/orders?status=bogus").status_code == 400
        plans = client.get("/api/v1/homecare/care-plans").json()
        assert plans[0]["version"] == 1
        assert [g["code"] for g in plans[0]["missing"]] == ["emergency_phone"]
        gaps = client.get(
            f"/api/v1/homecare/patients/{home_patient.public_id}/care-plan-gaps"
        ).json()
        assert (
            gaps[0]["message"] == "The emergency plan has no 24-hour pharmacy/nurse phone number."
        )
        teaching = client.get(f"/api/v1/homecare/patients/{home_patient.public_id}/teaching").json()
        assert teaching[0]["outcome"] == "competent"
        notes = client.get("/api/v1/homecare/monitoring-notes").json()
        assert notes[0]["follow_ups"][0]["description"] == "Weekly labs review"
        assert len(client.get("/api/v1/homecare/follow-ups").json()) == 1

        outsider = f.login(f.make_user(other_org, "admin"))
        assert outsider.get("/api/v1/homecare/orders").json() == []
        assert outsider.get("/api/v1/homecare/care-plans").json() == []
        assert outsider.get("/api/v1/homecare/follow-ups").json() == []
        assert outsider.get("/api/v1/homecare/monitoring-notes").json() == []
        assert outsider.get(f"/api/v1/homecare/orders/{order.public_id}").status_code == 404
        assert outsider.get(f"/api/v1/homecare/care-plans/{plan.public_id}").status_code == 404
        assert (
            outsider.get(
                f"/api/v1/homecare/patients/{home_patient.public_id}/care-plan-gaps"
            ).status_code
            == 404
        )

    def test_permission(self, org: Any, home_patient: Any) -> None:
        from chairside.tenancy import roles

        assert not roles.has_perm("biller", roles.Perm.HOMECARE_EDIT)
        assert roles.has_perm("auditor", roles.Perm.HOMECARE_VIEW)
        client = f.login(f.make_user(org, "biller"))
        assert client.get("/homecare/patients/").status_code == 200
        assert (
            client.get(f"/homecare/patients/{home_patient.public_id}/plan/new/").status_code == 403
        )
