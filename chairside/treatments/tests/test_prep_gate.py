"""The prep gate: no dose is prepared before check-in and the checks, unless a pharmacist or
nurse records why it must start early (issue 16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.audit.models import AuditEvent
from chairside.inventory import services as inventory
from chairside.treatments import services
from chairside.treatments.models import EarlyPreparation
from chairside.treatments.tests import factories as tf
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacist_user(org: Any) -> Any:
    return f.make_user(org, "pharmacist")


@pytest.fixture
def pharmacist(org: Any, pharmacist_user: Any) -> Any:
    return tf.make_staff(org, "PharmD", user=pharmacist_user, first_name="Grace", last_name="Kim")


@pytest.fixture
def booked(order: Any, location: Any, nurse: Any) -> Any:
    return tf.make_appointment(order, location, nurse=nurse, status="booked")


def _dispense_for(appointment: Any, location: Any, drug: Any, user: Any) -> Any:
    return inventory.stock_dispense_dose(
        organization=appointment.organization,
        location=location,
        drug=drug,
        dose_mg=Decimal("350"),
        patient=appointment.patient,
        user=user,
        visit_ref=str(appointment.public_id),
    )


class TestTheVisitsPreparation:
    def test_it_refuses_to_dispense_before_the_check_in_checks(
        self, visit: Any, nurse_user: Any, lot: Any
    ) -> None:
        with pytest.raises(ValidationError, match="Finish the check-in checks") as caught:
            services.preparation_dispense(visit=visit, user=nurse_user, picks=[(lot, 4)])
        assert "two identifiers" in str(caught.value)
        lot.refresh_from_db()
        assert lot.on_hand == 10  # nothing left the shelf

    def test_it_dispenses_once_the_checks_pass(self, visit: Any, nurse_user: Any, lot: Any) -> None:
        visit = tf.do_checks(visit, nurse_user)
        made = services.preparation_dispense(visit=visit, user=nurse_user, picks=[(lot, 4)])
        assert [r.vials for r in made] == [4]

    def test_an_early_reason_lets_it_start_before_the_checks(
        self, visit: Any, nurse_user: Any, nurse: Any, lot: Any
    ) -> None:
        services.early_preparation_record(
            appointment=visit.appointment,
            user=nurse_user,
            reason="long_preparation",
            note="3-hour reconstitution",
        )
        visit = services.visit_update(visit=visit, user=nurse_user, weight_kg="70")  # per-kg dose
        made = services.preparation_dispense(visit=visit, user=nurse_user, picks=[(lot, 4)])
        assert [r.vials for r in made] == [4]


class TestThePharmacysDispense:
    def test_it_refuses_a_dose_for_a_booking_not_checked_in(
        self, booked: Any, location: Any, drug: Any, lot: Any, pharmacist_user: Any
    ) -> None:
        with pytest.raises(ValidationError, match="has not checked in"):
            _dispense_for(booked, location, drug, pharmacist_user)
        lot.refresh_from_db()
        assert lot.on_hand == 10

    def test_a_pharmacists_reason_lets_it_through_and_is_audited(  # noqa: PLR0917
        self, booked: Any, location: Any, drug: Any, lot: Any, pharmacist: Any, pharmacist_user: Any
    ) -> None:
        row = services.early_preparation_record(
            appointment=booked, user=pharmacist_user, reason="first_chair"
        )
        assert row.recorded_by == pharmacist
        logged = [e for e in AuditEvent.objects.all() if "early_preparation" in e.changes]
        assert [e.changes["early_preparation"] for e in logged] == [[None, ["first_chair", ""]]]
        assert logged[0].username == pharmacist_user.username
        moves = _dispense_for(booked, location, drug, pharmacist_user)
        assert sum(-m.vials for m in moves) == 4

    def test_a_dispense_not_tied_to_a_booking_is_not_gated(
        self, booked: Any, location: Any, drug: Any, lot: Any, pharmacist_user: Any
    ) -> None:
        moves = inventory.stock_dispense_dose(
            organization=booked.organization,
            location=location,
            drug=drug,
            dose_mg=Decimal("350"),
            patient=booked.patient,
            user=pharmacist_user,
            visit_ref="PAPER-LOG-17",
        )
        assert moves


class TestTheEarlyReason:
    def test_only_a_pharmacist_or_nurse_may_record_it(
        self, booked: Any, org: Any, physician: Any
    ) -> None:
        coordinator = f.make_user(org, "coordinator")
        tf.make_staff(org, "", user=coordinator)
        with pytest.raises(ValidationError, match="pharmacist or a nurse"):
            services.early_preparation_record(
                appointment=booked, user=coordinator, reason="long_preparation"
            )
        assert not EarlyPreparation.objects.exists()

    def test_other_needs_a_note(self, booked: Any, nurse_user: Any, nurse: Any) -> None:
        with pytest.raises(ValidationError, match="Say why"):
            services.early_preparation_record(appointment=booked, user=nurse_user, reason="other")
        row = services.early_preparation_record(
            appointment=booked, user=nurse_user, reason="other", note="Drug arrives late"
        )
        assert str(row) == "Other (say why): Drug arrives late"

    def test_recording_again_replaces_the_reason(
        self, booked: Any, nurse_user: Any, nurse: Any
    ) -> None:
        services.early_preparation_record(appointment=booked, user=nurse_user, reason="confirmed")
        services.early_preparation_record(
            appointment=booked, user=nurse_user, reason="long_preparation"
        )
        assert list(EarlyPreparation.objects.values_list("reason", flat=True)) == [
            "long_preparation"
        ]


class TestThePreparationPage:
    def test_it_explains_the_gate_links_to_the_checks_and_takes_a_reason(
        self, visit: Any, nurse_client: Any, nurse: Any, lot: Any
    ) -> None:
        url = f"/visits/{visit.public_id}/preparation/"
        page = nurse_client.get(url).content.decode()
        assert "Finish the check-in checks" in page
        assert f'href="/visits/{visit.public_id}/checks/"' in page
        assert "Dispense these vials" not in page
        response = nurse_client.post(
            f"/inventory/queue/{visit.appointment.public_id}/early/",
            {"reason": "long_preparation", "note": "3-hour reconstitution", "next": url},
        )
        assert response.status_code == 302 and response["Location"] == url
        page = nurse_client.get(url).content.decode()
        assert "Prepared before check-in" in page and "3-hour reconstitution" in page
        assert "Dispense these vials" in page

    def test_a_coordinator_cannot_post_a_reason(self, booked: Any, org: Any) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        response = client.post(
            f"/inventory/queue/{booked.public_id}/early/", {"reason": "long_preparation"}
        )
        assert response.status_code == 403
        assert not EarlyPreparation.objects.exists()
