"""The clinical side's services and selectors: orders, plans of care and their gaps, teaching
signed by the nurse, pharmacist monitoring and the follow-up queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from chairside.core import testing as f
from chairside.homecare import selectors, services
from chairside.homecare.models import (
    FollowUpTask,
    HomeInfusionOrder,
    MonitoringNote,
    PlanOfCare,
    TeachingRecord,
)
from chairside.homecare.tests import factories as hf
from chairside.patients.models import Allergy

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def home_patient(org: Any, home: Any) -> Any:
    return hf.make_home_patient(org, home, first_name="Rosa", last_name="Diaz", weight_kg="70.0")


@pytest.fixture
def nurse(org: Any, nurse_user: Any) -> Any:
    return hf.make_staff(org, "RN", user=nurse_user)


@pytest.fixture
def pharmacist_user(org: Any) -> Any:
    user = f.make_user(org, "pharmacist")
    hf.make_staff(org, "PharmD", user=user)
    return user


class TestOrders:
    def test_create_is_audited(self, org: Any, home_patient: Any, admin_user: Any) -> None:
        order = hf.make_home_order(home_patient, admin_user)
        assert order.drug_display == "Vancomycin"
        assert order.dose_display == "1250 mg 2× a day"
        assert order.last_day == order.start_date + dt.timedelta(days=41)
        assert order.is_active_on(order.start_date)
        event = AuditEvent.objects.get(object_id=order.public_id)
        assert event.action == AuditEvent.Action.CREATE
        assert event.patient_id == home_patient.public_id

    def test_refusals_write_nothing(self, org: Any, other_org: Any, home_patient: Any) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"drug_name": ""}, "Name the drug"),
            ({"status": "active", "signed_on": None}, "once the prescriber has signed"),
            ({"stop_date": TODAY + dt.timedelta(days=10)}, "give one of them"),
            ({"ordering_provider": hf.make_referring_provider(other_org)}, "another organization"),
            ({"access_device": "none", "administration_device": "gravity"}, "SC pump"),
            ({"therapy_type": "other"}, "Say what the therapy is"),
        ]
        for change, words in cases:
            with pytest.raises(ValidationError) as exc:
                hf.make_home_order(home_patient, **change)
            assert words in " ".join(exc.value.messages), change
        assert not HomeInfusionOrder.objects.exists()

    def test_from_a_signed_treatment_order(self, org: Any, home_patient: Any) -> None:
        rf.formulary(org)
        source = rf.make_order(home_patient, "infliximab")
        order = hf.make_home_order(
            home_patient,
            treatment_order=source,
            therapy_type="other",
            therapy_other="Biologic infusion",
            drug_name="typed over",
            access_device="peripheral",
            administration_device="gravity",
        )
        assert order.drug == source.drug and order.drug_name == ""
        assert order.ordering_provider == source.ordering_provider
        assert order.signed_on == source.signed_on
        assert order.dose_unit in ("mg", "mg/kg")

    def test_unsigned_treatment_order_is_refused(self, org: Any, home_patient: Any) -> None:
        rf.formulary(org)
        draft = rf.make_order(home_patient, "infliximab", signed=False)
        with pytest.raises(ValidationError, match="not signed"):
            hf.make_home_order(home_patient, treatment_order=draft)

    def test_another_patients_treatment_order_is_refused(self, org: Any, home: Any) -> None:
        rf.formulary(org)
        first, second = (hf.make_home_patient(org, home, weight_kg="70.0") for _ in range(2))
        with pytest.raises(ValidationError, match="is not"):
            hf.make_home_order(second, treatment_order=rf.make_order(first, "infliximab"))


class TestPlanOfCare:
    def test_complete_plan_has_no_gaps_until_teaching_is_missing(
        self, org: Any, home_patient: Any, nurse: Any, nurse_user: Any
    ) -> None:
        order = hf.make_home_order(home_patient)
        plan = hf.make_plan(home_patient, [order])
        gaps = selectors.plan_of_care_gaps(organization=org, patient=home_patient)
        assert [g.code for g in gaps] == ["teaching"]
        hf.teach_everything(home_patient, nurse_user, plan)
        assert selectors.plan_of_care_gaps(organization=org, plan=plan) == []

    def test_gaps_name_what_is_missing(self, org: Any, home_patient: Any) -> None:
        order = hf.make_home_order(home_patient)
        hf.make_plan(
            home_patient,
            [order],
            signed_on=None,
            signing_provider=None,
            emergency_phone="",
            monitoring_labs=[("CBC", "weekly")],
            caregiver_phone="",
        )
        messages = [
            g.message for g in selectors.plan_of_care_gaps(organization=org, patient=home_patient)
        ]
        assert "The physician has not signed the plan of care." in messages
        assert "The emergency plan has no 24-hour pharmacy/nurse phone number." in messages
        assert "The caregiver's phone number is missing." in messages
        assert any("no vancomycin level" in m for m in messages)

    def test_no_plan_and_other_organization(
        self, org: Any, other_org: Any, home_patient: Any
    ) -> None:
        gaps = selectors.plan_of_care_gaps(organization=org, patient=home_patient)
        assert [g.code for g in gaps] == ["no_plan"]
        with pytest.raises(Http404):
            selectors.plan_of_care_gaps(organization=other_org, patient=home_patient)

    def test_allergies_copied_from_the_chart(self, org: Any, home_patient: Any) -> None:
        Allergy.objects.create(patient=home_patient, substance="Sulfa", reaction="rash")
        plan = hf.make_plan(home_patient, [hf.make_home_order(home_patient)], allergies=None)
        assert plan.allergies == "Sulfa (rash)"

    def test_one_current_plan_per_patient(self, org: Any, home_patient: Any) -> None:
        order = hf.make_home_order(home_patient)
        hf.make_plan(home_patient, [order])
        with pytest.raises(ValidationError, match="current plan of care already"):
            hf.make_plan(home_patient, [order])
        assert PlanOfCare.objects.count() == 1

    def test_signed_plan_changes_only_by_review(
        self, org: Any, home_patient: Any, admin_user: Any
    ) -> None:
        order = hf.make_home_order(home_patient)
        plan = hf.make_plan(home_patient, [order])
        values = hf.complete_plan_values([order], order.ordering_provider, goals="Changed")
        with pytest.raises(ValidationError, match="review the plan"):
            services.plan_of_care_update(
                organization=org, user=admin_user, plan=plan, values=values
            )
        with pytest.raises(ValidationError, match="why"):
            services.plan_of_care_review(organization=org, user=admin_user, plan=plan, reason=" ")
        following = services.plan_of_care_review(
            organization=org, user=admin_user, plan=plan, reason="30-day review"
        )
        plan.refresh_from_db()
        assert not plan.is_current and plan.goals != "Changed"
        assert following.version == 2 and following.is_current and following.previous == plan
        assert following.signed_on is None and list(following.orders.all()) == [order]
        assert following.goals == plan.goals
        gaps = selectors.plan_of_care_gaps(organization=org, patient=home_patient)
        assert gaps[0].code == "signature"
        with pytest.raises(ValidationError, match="replaced"):
            services.plan_of_care_review(organization=org, user=admin_user, plan=plan, reason="x")

    def test_unsigned_plan_can_be_edited_and_is_audited(
        self, org: Any, home_patient: Any, admin_user: Any
    ) -> None:
        order = hf.make_home_order(home_patient)
        plan = hf.make_plan(home_patient, [order], signed_on=None, signing_provider=None)
        values = hf.complete_plan_values([order], order.ordering_provider, goals="New goal")
        services.plan_of_care_update(organization=org, user=admin_user, plan=plan, values=values)
        plan.refresh_from_db()
        assert plan.goals == "New goal" and plan.is_signed
        event = AuditEvent.objects.filter(object_id=plan.public_id, action="update").get()
        assert event.changes["goals"][1] == "New goal"

    def test_signature_in_the_future_or_without_physician(
        self, org: Any, home_patient: Any
    ) -> None:
        order = hf.make_home_order(home_patient)
        with pytest.raises(ValidationError, match="future"):
            hf.make_plan(home_patient, [order], signed_on=TODAY + dt.timedelta(days=1))
        with pytest.raises(ValidationError, match="which physician"):
            hf.make_plan(home_patient, [order], signing_provider=None)
        assert not PlanOfCare.objects.exists()


class TestTeaching:
    def values(self, **kw: Any) -> services.TeachingValues:
        data: dict[str, Any] = dict(
            taught_on=TODAY,
            topics=["pump_operation", "storage"],
            learner="patient",
            learner_name="Rosa Diaz",
            method="demonstration",
            outcome="competent",
        )
        data.update(kw)
        return services.TeachingValues(**data)

    def sign(
        self, org: Any, patient: Any, who: Any, password: str = f.TEST_PASSWORD, **kw: Any
    ) -> Any:
        return services.teaching_sign(
            organization=org,
            user=who,
            patient=patient,
            values=self.values(**kw),
            username=who.username,
            password=password,
            ip_address="127.0.0.1",
        )

    def test_signed_by_the_nurse_with_her_password(
        self, org: Any, home_patient: Any, nurse: Any, nurse_user: Any
    ) -> None:
        record = self.sign(org, home_patient, nurse_user)
        assert record.nurse == nurse and record.signed_by == nurse_user
        assert record.topic_labels() == ["Pump operation", "Storage of medication and supplies"]
        assert AuditEvent.objects.filter(object_id=record.public_id, user=nurse_user).exists()

    def test_wrong_password_or_not_a_nurse(
        self, org: Any, home_patient: Any, nurse: Any, nurse_user: Any, pharmacist_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="do not match"):
            self.sign(org, home_patient, nurse_user, password="wrong")
        with pytest.raises(ValidationError, match="not an RN, LPN or NP"):
            self.sign(org, home_patient, pharmacist_user)
        assert not TeachingRecord.objects.exists()

    def test_competency_needs_a_return_demonstration(
        self, org: Any, home_patient: Any, nurse: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="return demonstration"):
            self.sign(org, home_patient, nurse_user, method="verbal")
        record = self.sign(org, home_patient, nurse_user, method="verbal", outcome="reinforce")
        assert record.outcome == "reinforce"
        assert selectors.competent_topics(organization=org, patient=home_patient) == frozenset()
        with pytest.raises(ValidationError, match="Tick at least one"):
            self.sign(org, home_patient, nurse_user, topics=[])
        with pytest.raises(ValidationError, match="Unknown teaching topic"):
            self.sign(org, home_patient, nurse_user, topics=["juggling"])


class TestMonitoring:
    def note(self, org: Any, patient: Any, user: Any, **kw: Any) -> MonitoringNote:
        data: dict[str, Any] = dict(
            noted_on=TODAY,
            labs=[("Vancomycin trough", "22.4", "mg/L"), ("Serum creatinine", "1.4", "mg/dL")],
            assessment="Trough above goal with rising creatinine.",
            plan="Hold next dose, reduce dose, repeat trough.",
            dose_change_recommended=True,
            recommended_change="Vancomycin 1000 mg IV q12h",
            follow_ups=[
                services.FollowUpValues("Repeat vancomycin trough", TODAY),
                services.FollowUpValues(
                    "Call prescriber with new dose", TODAY + dt.timedelta(days=3)
                ),
            ],
        )
        data.update(kw)
        return services.monitoring_note_create(
            organization=org, user=user, patient=patient, values=services.MonitoringValues(**data)
        )

    def test_pharmacist_note_with_follow_ups_and_queue(
        self, org: Any, other_org: Any, home_patient: Any, pharmacist_user: Any
    ) -> None:
        note = self.note(org, home_patient, pharmacist_user)
        assert note.labs[0] == {"lab": "Vancomycin trough", "value": "22.4", "unit": "mg/L"}
        assert note.follow_ups.count() == 2
        queue = list(selectors.follow_up_queue(organization=org))
        assert [t.description for t in queue] == ["Repeat vancomycin trough"]
        week = selectors.follow_up_queue(organization=org, within_days=7)
        assert week.count() == 2
        assert not selectors.follow_up_queue(organization=other_org, within_days=7).exists()
        services.follow_up_done(organization=org, user=pharmacist_user, task=queue[0])
        assert not selectors.follow_up_queue(organization=org).exists()
        with pytest.raises(ValidationError, match="done already"):
            services.follow_up_done(organization=org, user=pharmacist_user, task=queue[0])

    def test_overdue_comes_first(self, org: Any, home_patient: Any, pharmacist_user: Any) -> None:
        note = self.note(org, home_patient, pharmacist_user, follow_ups=[])
        for days in (0, -3):
            FollowUpTask.objects.create(
                organization=org,
                note=note,
                patient=home_patient,
                description=f"task {days}",
                due_on=TODAY + dt.timedelta(days=days),
            )
        assert [t.description for t in selectors.follow_up_queue(organization=org)] == [
            "task -3",
            "task 0",
        ]

    def test_refusals(
        self, org: Any, home_patient: Any, pharmacist_user: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="written by a pharmacist"):
            self.note(org, home_patient, nurse_user)
        with pytest.raises(ValidationError, match="Say which dose change"):
            self.note(org, home_patient, pharmacist_user, recommended_change="")
        with pytest.raises(ValidationError, match="due before"):
            self.note(
                org,
                home_patient,
                pharmacist_user,
                follow_ups=[services.FollowUpValues("x", TODAY - dt.timedelta(days=1))],
            )
        with pytest.raises(ValidationError, match="Give the value"):
            self.note(org, home_patient, pharmacist_user, labs=[("CBC", "", "")])
        assert not MonitoringNote.objects.exists() and not FollowUpTask.objects.exists()


def test_order_model_validations(org: Any, home_patient: Any) -> None:
    order = hf.make_home_order(home_patient, duration_days=None, stop_date=None)
    assert order.last_day is None
    order.stop_date = order.start_date - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="before the start date"):
        order.full_clean()
    assert order.dose_amount == Decimal("1250")
    assert not order.is_active_on(timezone.localdate() - dt.timedelta(days=5))
