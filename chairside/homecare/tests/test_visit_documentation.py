"""Documenting a home nursing visit: the chair's vitals and reaction rules, doses from the
home order or a delivered lot, idempotent entries (client_id), signing by the assigned
nurse only, the lock and addenda, audit, the organization and nurse scoping, and billing
reading the documented time in the home."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from chairside.audit.models import AuditEvent
from chairside.billing.home_infusion import nursing_visits
from chairside.homecare import services
from chairside.homecare.models import HomeAdministration, HomeReaction, HomeVisit, HomeVitals
from chairside.homecare.tests import factories as hf
from chairside.inventory.tests import factories as inv
from tests import factories as f

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("America/New_York")
DAY = dt.date(2026, 12, 8)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=TZ)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(at(15), tick=False) as t:
        yield t


@pytest.fixture
def visit(org: Any, home: Any, nurse_user: Any) -> SimpleNamespace:
    nurse = hf.make_staff(org, "RN", user=nurse_user)
    patient = hf.make_home_patient(org, home, first_name="Rosa", last_name="Diaz")
    order = hf.make_home_order(patient, start_date=DAY - dt.timedelta(days=3))
    record = hf.make_visit(patient, home, DAY, nurse=nurse, purpose="PICC care, vancomycin")
    return SimpleNamespace(
        record=record, nurse=nurse, patient=patient, order=order, user=nurse_user
    )


def url(v: HomeVisit, name: str = "") -> str:
    return f"/homecare/visits/{v.public_id}/{name + '/' if name else ''}"


def vitals(v: SimpleNamespace, **kw: Any) -> HomeVitals:
    values = {"phase": "pre", "taken_at": at(10, 5), "systolic": 128, "diastolic": 82}
    return services.home_vitals_record(home_visit=v.record, user=v.user, **{**values, **kw})


def dose(v: SimpleNamespace, **kw: Any) -> HomeAdministration:
    values = dict(
        home_order=v.order,
        dose_amount=Decimal(1250),
        dose_unit="mg",
        method="infusion",
        site="PICC right arm",
        started_at=at(10, 15),
        stopped_at=at(11, 15),
    )
    return services.home_administration_record(home_visit=v.record, user=v.user, **{**values, **kw})


def complete(v: SimpleNamespace, arrived: int = 10, left: tuple[int, int] = (12, 40)) -> None:
    vitals(v)
    dose(v)
    services.home_visit_times_and_notes(
        home_visit=v.record, user=v.user, arrived_at=at(arrived), departed_at=at(*left), notes=""
    )


class TestVitals:
    def test_it_records_and_flags_readings_as_the_chair_does(self, visit: Any) -> None:
        row = vitals(visit, systolic=182, diastolic=104, pulse=88)
        assert row.home_visit == visit.record
        assert row.worst_flag  # 182/104 is flagged by rules.vitals, as at the chair
        assert AuditEvent.objects.filter(
            action="create", object_type="homecare.homevitals", patient_id=visit.patient.public_id
        ).exists()

    def test_it_refuses_an_impossible_reading_and_saves_nothing(self, visit: Any) -> None:
        with pytest.raises(ValidationError) as exc:
            vitals(visit, systolic=400)
        assert "systolic" in exc.value.message_dict
        assert not HomeVitals.objects.exists()

    def test_it_refuses_no_reading_at_all(self, visit: Any) -> None:
        with pytest.raises(ValidationError, match="at least one reading"):
            vitals(visit, systolic=None, diastolic=None)

    def test_only_a_nurse_documents(self, visit: Any, org: Any) -> None:
        physician = f.make_user(org, "provider")
        hf.make_staff(org, "MD", user=physician)
        with pytest.raises(ValidationError, match="Only a nurse"):
            services.home_vitals_record(
                home_visit=visit.record, user=physician, phase="pre", pulse=70
            )

    def test_it_refuses_a_time_on_another_day(self, visit: Any) -> None:
        with pytest.raises(ValidationError, match="visit day"):
            vitals(visit, taken_at=at(10) - dt.timedelta(days=1))

    def test_it_records_a_resent_entry_once(self, visit: Any) -> None:
        entry = uuid.uuid4()
        first = vitals(visit, client_id=entry)
        again = vitals(visit, client_id=entry, systolic=130)
        assert again.pk == first.pk
        assert HomeVitals.objects.count() == 1
        assert AuditEvent.objects.filter(object_type="homecare.homevitals").count() == 1

    def test_it_refuses_an_entry_id_of_another_visit(self, visit: Any, home: Any) -> None:
        entry = uuid.uuid4()
        vitals(visit, client_id=entry)
        other = hf.make_visit(visit.patient, home, DAY, nurse=visit.nurse)
        with pytest.raises(ValidationError, match="another visit"):
            services.home_vitals_record(
                home_visit=other, user=visit.user, phase="pre", client_id=entry, pulse=70
            )


class TestDoses:
    def test_it_takes_the_drug_as_the_home_order_writes_it(self, visit: Any) -> None:
        row = dose(visit)
        assert (row.drug_display, row.dose_display, row.route) == ("Vancomycin", "1250 mg", "IV")

    def test_it_needs_the_order_or_a_delivered_lot(self, visit: Any) -> None:
        with pytest.raises(ValidationError, match="home order or the delivered lot"):
            dose(visit, home_order=None)

    def test_it_refuses_another_patients_order(self, visit: Any, org: Any, home: Any) -> None:
        other = hf.make_home_order(hf.make_home_patient(org, home), start_date=DAY)
        with pytest.raises(ValidationError, match="not in force"):
            dose(visit, home_order=other)

    def test_it_takes_the_drug_and_lot_number_of_a_delivered_lot(
        self, visit: Any, org: Any, home: Any
    ) -> None:
        lot = inv.make_lot(inv.make_place(home), inv.package(inv.make_drug(org)), vials=3)
        ticket = hf.make_delivery(
            visit.patient, home, DAY, items=[services.ItemIn(Decimal(2), lot=lot, unit="vial")]
        )
        with pytest.raises(ValidationError, match="not delivered"):
            dose(visit, home_order=None, lot=lot, dose_unit="mg")
        services.delivery_record_proof(
            organization=org,
            user=visit.user,
            ticket=ticket,
            received_by="Rosa Diaz",
            signature_kind="typed",
            signature_text="Rosa Diaz",
            delivered_at=at(8),
        )
        row = dose(visit, home_order=None, lot=lot, dose_amount=Decimal(350))
        assert (row.drug, row.lot_number) == (lot.package.drug, lot.lot_number)
        assert row.drug_display == "infliximab"

    def test_it_needs_the_site_of_an_injection(self, visit: Any) -> None:
        with pytest.raises(ValidationError, match="injection site"):
            dose(visit, method="subcutaneous", site="")

    def test_it_refuses_a_stop_before_the_start(self, visit: Any) -> None:
        with pytest.raises(ValidationError, match="not after the start"):
            dose(visit, stopped_at=at(10))
        assert not HomeAdministration.objects.exists()


class TestTimes:
    def test_it_refuses_leaving_before_arriving(self, visit: Any) -> None:
        with pytest.raises(ValidationError, match="after the arrival"):
            services.home_visit_times_and_notes(
                home_visit=visit.record,
                user=visit.user,
                arrived_at=at(11),
                departed_at=at(10),
                notes="",
            )
        visit.record.refresh_from_db()
        assert visit.record.arrived_at is None

    def test_a_running_dose_gets_its_stop_time(self, visit: Any) -> None:
        running = dose(visit, stopped_at=None)
        with pytest.raises(ValidationError, match="not after the start"):
            services.home_administration_stop(
                administration=running, user=visit.user, stopped_at=at(10)
            )
        services.home_administration_stop(
            administration=running, user=visit.user, stopped_at=at(11)
        )
        running.refresh_from_db()
        assert running.stopped_at == at(11)


class TestReactions:
    def test_grade_3_stops_the_running_dose_as_at_the_chair(self, visit: Any) -> None:
        running = dose(visit, stopped_at=None)
        reaction = services.home_reaction_record(
            home_visit=visit.record,
            user=visit.user,
            onset_at=at(10, 40),
            grade=3,
            signs=["dyspnea"],
            outcome="not_resumed",
            outcome_at=at(11),
        )
        running.refresh_from_db()
        assert running.stopped_at == at(10, 40)
        assert "stopped" in reaction.actions
        assert reaction.administration == running

    def test_it_refuses_resuming_after_grade_3(self, visit: Any) -> None:
        with pytest.raises(ValidationError, match="stops the infusion for today"):
            services.home_reaction_record(
                home_visit=visit.record,
                user=visit.user,
                onset_at=at(10, 40),
                grade=3,
                signs=["rash"],
                outcome="resumed",
                outcome_at=at(11),
            )
        assert not HomeReaction.objects.exists()

    def test_it_refuses_a_grade_outside_ctcae(self, visit: Any) -> None:
        with pytest.raises(ValidationError, match="CTCAE"):
            services.home_reaction_record(
                home_visit=visit.record, user=visit.user, onset_at=at(10), grade=6, signs=["rash"]
            )


class TestSigning:
    def test_it_lists_what_is_missing(self, visit: Any) -> None:
        with pytest.raises(ValidationError) as exc:
            services.home_visit_sign(home_visit=visit.record, user=visit.user)
        text = " ".join(exc.value.messages)
        assert "arrived" in text and "vital signs" in text and "left the home" in text

    def test_the_assigned_nurse_signs_and_completes_it(self, visit: Any) -> None:
        complete(visit)
        signed = services.home_visit_sign(home_visit=visit.record, user=visit.user)
        assert signed.status == HomeVisit.Status.COMPLETED
        assert signed.signed_by == visit.user
        assert AuditEvent.objects.filter(action="state", object_type="homecare.homevisit").exists()

    def test_another_nurse_cannot_sign(self, visit: Any, org: Any) -> None:
        complete(visit)
        other = f.make_user(org, "nurse")
        hf.make_staff(org, "RN", user=other)
        with pytest.raises(ValidationError, match="Only the nurse assigned"):
            services.home_visit_sign(home_visit=visit.record, user=other)

    def test_a_signed_visit_is_locked_and_takes_addenda(self, visit: Any) -> None:
        complete(visit)
        services.home_visit_sign(home_visit=visit.record, user=visit.user)
        with pytest.raises(ValidationError, match="signed and locked"):
            vitals(visit, pulse=70)
        addendum = services.home_visit_addendum(
            home_visit=visit.record, user=visit.user, text="Dressing changed at 10:20 as well."
        )
        assert addendum.home_visit == visit.record

    def test_a_cancelled_visit_takes_no_entry(self, visit: Any) -> None:
        HomeVisit.objects.filter(pk=visit.record.pk).update(status=HomeVisit.Status.CANCELLED)
        with pytest.raises(ValidationError, match="cancelled"):
            vitals(visit)


class TestBilling:
    def test_it_reads_the_documented_time_in_the_home(self, visit: Any) -> None:
        complete(visit, arrived=9, left=(12, 20))  # 200 min: 99601 + 99602 (CPT time rule)
        services.home_visit_sign(home_visit=visit.record, user=visit.user)
        visit.record.refresh_from_db()
        (billed,) = nursing_visits([visit.record])
        assert (billed.minutes, billed.signed) == (200, True)

    def test_it_falls_back_to_the_booked_minutes(self, visit: Any) -> None:
        (billed,) = nursing_visits([visit.record])
        assert (billed.minutes, billed.signed) == (60, False)


class TestPages:
    def test_the_nurse_opens_the_page(self, visit: Any) -> None:
        client = f.login(visit.user)
        page = client.get(url(visit.record))
        assert page.status_code == 200
        assert b"Vancomycin" in page.content

    def test_the_page_read_is_audited_with_the_patient(self, visit: Any) -> None:
        f.login(visit.user).get(url(visit.record))
        assert AuditEvent.objects.filter(
            action="view", user=visit.user, patients__patient_id=visit.patient.public_id
        ).exists()

    def test_another_nurse_can_neither_read_nor_write_it(self, visit: Any, org: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        assert client.get(url(visit.record)).status_code == 404
        data = {"phase": "pre", "pulse": "72"}
        assert client.post(url(visit.record, "vitals"), data).status_code == 404
        assert not HomeVitals.objects.exists()

    def test_a_coordinator_is_refused(self, visit: Any, org: Any) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        assert client.get(url(visit.record)).status_code == 403

    def test_another_organizations_nurse_gets_404(self, visit: Any) -> None:
        other = f.make_org(name="Elsewhere Infusion")
        client = f.login(f.make_user(other, "admin"))
        assert client.get(url(visit.record)).status_code == 404

    def test_the_queue_resends_and_is_recorded_once(self, visit: Any) -> None:
        client = f.login(visit.user)
        entry = str(uuid.uuid4())
        data = {"client_id": entry, "phase": "pre", "taken_at": "10:05", "pulse": "72"}
        for _ in range(2):
            answer = client.post(url(visit.record, "vitals"), data, HTTP_ACCEPT="application/json")
            assert answer.status_code == 201 and answer.json()["ok"]
        assert HomeVitals.objects.get().pulse == 72

    def test_a_refused_entry_answers_400_with_the_message(self, visit: Any) -> None:
        client = f.login(visit.user)
        data = {"phase": "pre", "spo2": "30"}
        answer = client.post(url(visit.record, "vitals"), data, HTTP_ACCEPT="application/json")
        assert answer.status_code == 400 and not answer.json()["ok"]
        assert answer.json()["errors"]
        plain = client.post(url(visit.record, "vitals"), data)
        assert plain.status_code == 400
        assert not HomeVitals.objects.exists()

    def test_a_plain_post_redirects_back_to_the_page(self, visit: Any) -> None:
        client = f.login(visit.user)
        data = {"client_id": str(uuid.uuid4()), "phase": "pre", "pulse": "72"}
        answer = client.post(url(visit.record, "vitals"), data)
        assert answer.status_code == 302 and answer["Location"] == url(visit.record)
