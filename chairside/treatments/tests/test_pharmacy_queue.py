"""The pharmacist's queue: today's and tomorrow's booked doses, verified, then prepared."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError

from chairside.audit.models import AuditEvent
from chairside.inventory import services as inventory
from chairside.patients.models import BodyMeasurement
from chairside.scheduling.models import Appointment
from chairside.treatments import pharmacy, services
from chairside.treatments.models import DoseVerification
from chairside.treatments.tests import factories as tf
from tests import factories as f

TOMORROW = tf.DAY + dt.timedelta(days=1)


@pytest.fixture
def pharmacist_user(org: Any) -> Any:
    return f.make_user(org, "pharmacist")


@pytest.fixture
def pharmacist(org: Any, pharmacist_user: Any) -> Any:
    return tf.make_staff(org, "PharmD", user=pharmacist_user, first_name="Grace", last_name="Kim")


@pytest.fixture
def booked_tomorrow(order: Any, location: Any) -> Any:
    """Tomorrow's dose 2 of the same order (booked, no visit yet)."""
    return _book(order, location, tf.at("10:00", TOMORROW), dose_number=2)


def _book(order: Any, location: Any, start: dt.datetime, dose_number: int) -> Any:
    return Appointment.objects.create(
        organization=order.organization,
        patient=order.patient,
        order=order,
        location=location,
        chair=location.chairs.order_by("sort_order").first(),
        start=start,
        end=start + dt.timedelta(hours=2),
        dose_number=dose_number,
    )


def _row(org: Any, appointment: Any) -> pharmacy.QueueRow:
    rows = pharmacy.pharmacy_queue(organization=org, today=tf.DAY)
    return next(r for r in rows if r.appointment.pk == appointment.pk)


class TestQueue:
    def test_it_lists_todays_and_tomorrows_doses_with_the_dose_and_the_vials(
        self, org: Any, appointment: Any, booked_tomorrow: Any, lot: Any, location: Any
    ) -> None:
        _book(appointment.order, location, tf.at("09:00", tf.DAY + dt.timedelta(days=2)), 3)
        rows = pharmacy.pharmacy_queue(organization=org, today=tf.DAY)
        assert [(r.day, r.appointment.pk) for r in rows] == [
            (tf.DAY, appointment.pk),
            (TOMORROW, booked_tomorrow.pk),
        ]
        first = rows[0]
        assert first.plan.dose_mg == Decimal("350.000")  # 5 mg/kg x 70 kg
        assert [(lot_.lot_number, n) for lot_, n in first.picks] == [("AB1234", 4)]
        assert first.status == pharmacy.TO_VERIFY

    def test_a_cancelled_appointment_is_not_in_the_queue(
        self, org: Any, appointment: Any, lot: Any
    ) -> None:
        appointment.status = "cancelled"
        appointment.save()
        assert pharmacy.pharmacy_queue(organization=org, today=tf.DAY) == []

    def test_it_doses_at_the_latest_weight_when_it_moved_more_than_ten_percent(
        self, org: Any, booked_tomorrow: Any, lot: Any
    ) -> None:
        BodyMeasurement.objects.create(
            patient=booked_tomorrow.patient, measured_on=tf.DAY, weight_kg=Decimal("80.0")
        )
        row = _row(org, booked_tomorrow)
        assert row.plan.dose_mg == Decimal("400.000")
        assert "80.0 kg (latest weight, 12/08/2026)" in row.plan.basis

    def test_it_says_when_stock_cannot_cover_the_dose(
        self, org: Any, appointment: Any, location: Any, drug: Any
    ) -> None:
        tf.make_lot(location, drug, vials=2)
        row = _row(org, appointment)
        assert row.picks == []
        assert "Cannot prepare 350.000 mg" in row.stock_problem

    def test_it_shows_only_the_organizations_own_doses(
        self, other_org: Any, appointment: Any, lot: Any
    ) -> None:
        assert pharmacy.pharmacy_queue(organization=other_org, today=tf.DAY) == []


class TestVerify:
    def test_it_records_who_when_the_dose_and_the_vials(
        self, org: Any, appointment: Any, lot: Any, pharmacist: Any, pharmacist_user: Any
    ) -> None:
        made = services.dose_verify(
            appointment=appointment, user=pharmacist_user, dose_mg=Decimal("350.000")
        )
        assert (made.verifier, made.verified_by, made.dose_mg) == (
            pharmacist,
            pharmacist_user,
            Decimal("350.000"),
        )
        assert [(v["lot_number"], v["vials"], v["strength_mg"]) for v in made.vials] == [
            ("AB1234", 4, "100")
        ]
        assert _row(org, appointment).status == pharmacy.VERIFIED
        event = AuditEvent.objects.get(object_type__endswith="doseverification")
        assert event.patient_id == appointment.patient.public_id

    def test_it_refuses_a_dose_that_changed_since_it_was_shown(
        self, appointment: Any, lot: Any, pharmacist: Any, pharmacist_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="now 350 mg"):
            services.dose_verify(
                appointment=appointment, user=pharmacist_user, dose_mg=Decimal("300")
            )
        assert not DoseVerification.objects.exists()

    def test_a_later_weight_change_asks_for_a_new_verification(
        self, org: Any, booked_tomorrow: Any, lot: Any, pharmacist: Any, pharmacist_user: Any
    ) -> None:
        services.dose_verify(
            appointment=booked_tomorrow, user=pharmacist_user, dose_mg=Decimal("350.000")
        )
        BodyMeasurement.objects.create(
            patient=booked_tomorrow.patient, measured_on=tf.DAY, weight_kg=Decimal("80.0")
        )
        row = _row(org, booked_tomorrow)
        assert row.status == pharmacy.CHANGED
        assert row.needs_verification

    def test_a_nurse_or_technician_cannot_verify(
        self, org: Any, appointment: Any, lot: Any, pharmacist_user: Any
    ) -> None:
        tf.make_staff(org, "CPhT", user=pharmacist_user)
        with pytest.raises(ValidationError, match="verified by a pharmacist"):
            services.dose_verify(
                appointment=appointment, user=pharmacist_user, dose_mg=Decimal("350.000")
            )

    def test_it_refuses_when_stock_is_short(
        self, appointment: Any, location: Any, drug: Any, pharmacist: Any, pharmacist_user: Any
    ) -> None:
        tf.make_lot(location, drug, vials=1)
        with pytest.raises(ValidationError, match="Receive or transfer vials first"):
            services.dose_verify(
                appointment=appointment, user=pharmacist_user, dose_mg=Decimal("350.000")
            )

    def test_a_dispensed_dose_is_shown_as_dispensed_and_not_verified_again(  # noqa: PLR0917
        self,
        org: Any,
        appointment: Any,
        location: Any,
        drug: Any,
        lot: Any,
        pharmacist: Any,
        pharmacist_user: Any,
    ) -> None:
        row = _row(org, appointment)
        # Before the visit's checks, the pharmacy prepares only for a recorded reason.
        services.early_preparation_record(
            appointment=appointment, user=pharmacist_user, reason="long_preparation"
        )
        inventory.stock_dispense_dose(
            organization=org,
            location=location,
            drug=drug,
            dose_mg=Decimal("350"),
            patient=appointment.patient,
            user=pharmacist_user,
            visit_ref=row.dispense_ref,
        )
        assert _row(org, appointment).status == pharmacy.DISPENSED
        with pytest.raises(ValidationError, match="already dispensed"):
            services.dose_verify(
                appointment=appointment, user=pharmacist_user, dose_mg=Decimal("350.000")
            )


class TestPages:
    def test_the_pharmacist_verifies_then_prepare_opens_the_dispense_page_filled_in(
        self, org: Any, appointment: Any, lot: Any, pharmacist: Any, pharmacist_user: Any
    ) -> None:
        client = f.login(pharmacist_user)
        page = client.get("/inventory/queue/").content.decode()
        assert "Hopper, Grace" in page and "350 mg" in page and "AB1234" in page
        assert ">Verify</button>" in page
        response = client.post(
            f"/inventory/queue/{appointment.public_id}/verify/", {"dose_mg": "350.000"}
        )
        assert response.status_code == 302
        assert DoseVerification.objects.filter(appointment=appointment).count() == 1
        page = client.get("/inventory/queue/").content.decode()
        # The visit's checks are not done: no Prepare until the pharmacist says why early.
        assert 'href="/inventory/dispense/?' not in page
        assert "Prepare after check-in and the checks" not in page  # no visit yet
        assert "Prepare after check-in" in page and "Prepare early" in page
        response = client.post(
            f"/inventory/queue/{appointment.public_id}/early/",
            {"reason": "long_preparation", "note": "3-hour reconstitution"},
        )
        assert response.status_code == 302
        page = client.get("/inventory/queue/").content.decode()
        assert "Long preparation time: 3-hour reconstitution" in page
        start = page.index('href="/inventory/dispense/?')
        url = page[start + 6 : page.index('"', start + 6)].replace("&amp;", "&")
        query = parse_qs(urlparse(url).query)
        assert query["patient"] == [appointment.patient.mrn]
        assert query["dose_mg"] == ["350"]
        assert query["visit_ref"] == [str(appointment.public_id)]
        plan = client.get(url).content.decode()
        assert "Dispense to" in plan and "AB1234" in plan

    def test_a_nurse_cannot_verify(self, appointment: Any, lot: Any, nurse_client: Any) -> None:
        response = nurse_client.post(
            f"/inventory/queue/{appointment.public_id}/verify/", {"dose_mg": "350.000"}
        )
        assert response.status_code == 403
        assert not DoseVerification.objects.exists()

    def test_the_today_page_counts_the_doses_to_verify(
        self, appointment: Any, booked_tomorrow: Any, lot: Any, pharmacist_user: Any
    ) -> None:
        page = f.login(pharmacist_user).get("/").content.decode()
        assert "Doses to verify" in page
        assert 'href="/inventory/queue/"' in page


class TestTheNurseUsesThePharmacysVials:
    def test_the_visit_offers_the_pharmacys_vials_and_attaches_them_without_a_second_dispense(  # noqa: PLR0917
        self,
        org: Any,
        appointment: Any,
        location: Any,
        drug: Any,
        lot: Any,
        pharmacist_user: Any,
        nurse_user: Any,
        nurse_client: Any,
    ) -> None:
        ref = _row(org, appointment).dispense_ref
        services.early_preparation_record(
            appointment=appointment, user=nurse_user, reason="first_chair"
        )
        inventory.stock_dispense_dose(
            organization=org,
            location=location,
            drug=drug,
            dose_mg=Decimal("350"),
            patient=appointment.patient,
            user=pharmacist_user,
            visit_ref=ref,
        )
        visit = tf.do_checks(
            services.visit_start(appointment=appointment, user=nurse_user), nurse_user
        )
        page = nurse_client.get(f"/visits/{visit.public_id}/preparation/").content.decode()
        assert "The pharmacy dispensed vials for this dose" in page
        assert "Dispense these vials" not in page
        response = nurse_client.post(
            f"/visits/{visit.public_id}/preparation/attach/", HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200, response.content.decode()
        assert [(v.lot, v.vials) for v in visit.preparation.vials.all()] == [(lot, 4)]
        lot.refresh_from_db()
        assert lot.on_hand == 6  # dispensed once
        assert pharmacy.pharmacy_dispenses(visit) == []
