"""A witnessed waste is confirmed by the witness herself on the device (issue 13 item 1,
"the same for a witnessed waste"), for drugs the formulary marks for witnessed waste."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.audit.models import AuditEvent
from chairside.scheduling.models import NurseShift
from chairside.tenancy.models import Competency
from chairside.treatments import selectors, services
from chairside.treatments.tests import factories as tf
from tests import factories as f


@pytest.fixture
def witness_user(org: Any) -> Any:
    return f.make_user(org, "nurse", "msantos")


@pytest.fixture
def witness(org: Any, witness_user: Any, location: Any) -> Any:
    staff = tf.make_staff(org, "RN", user=witness_user, first_name="Maria", last_name="Santos")
    staff.competencies.create(skill="bls", expires_on=dt.date(2027, 6, 30))
    staff.competencies.create(skill="chemo_biologic", expires_on=dt.date(2027, 6, 30))
    NurseShift.objects.create(
        organization=org,
        staff=staff,
        location=location,
        date=tf.DAY,
        starts=dt.time(7, 0),
        ends=dt.time(17, 0),
    )
    return staff


@pytest.fixture
def prepared(visit: Any, nurse_user: Any, lot: Any, nurse: Any) -> Any:
    """350 mg drawn from 4 x 100 mg vials: 50 mg to discard."""
    drug = visit.order.drug
    drug.waste_witness_required = True
    drug.save()
    visit = tf.do_checks(visit, nurse_user)
    services.preparation_dispense(visit=visit, user=nurse_user, picks=[(lot, 4)])
    services.preparation_save(
        visit=visit,
        user=nurse_user,
        dose_mg=Decimal(350),
        diluent="0.9% sodium chloride",
        bag_volume_ml=Decimal(250),
        final_volume_ml=Decimal(250),
        prepared_at=tf.at("09:15"),
        prepared_by=nurse,
    )
    return visit


def witness_waste(visit: Any, user: Any, username: str = "msantos", password: str = "") -> Any:
    return services.preparation_waste_witness(
        visit=visit,
        user=user,
        username=username,
        password=password or f.TEST_PASSWORD,
        ip_address="10.0.0.5",
    )


def _missing(visit: Any) -> list[str]:
    return [m for _, m in selectors.visit_missing(visit)]


class TestWasteWitness:
    def test_the_visit_waits_for_the_witness_and_records_it_as_hers(
        self, prepared: Any, nurse_user: Any, witness: Any, witness_user: Any
    ) -> None:
        needed = "A second person must witness the waste of the opened vials."
        assert needed in _missing(prepared)
        prep = witness_waste(prepared, nurse_user)
        assert prep.waste_witnessed_by == witness and prep.waste_mg == Decimal(50)
        assert needed not in _missing(prepared)
        event = AuditEvent.objects.filter(object_id=prep.public_id).latest("at", "id")
        assert event.user_id == witness_user.pk
        assert event.changes["confirmed_on_device_of"] == [None, nurse_user.username]
        assert event.changes["waste_mg"][1] == "50.000"

    def test_a_drug_not_marked_needs_no_witness(
        self, prepared: Any, nurse_user: Any, witness: Any
    ) -> None:
        drug = prepared.order.drug
        drug.waste_witness_required = False
        drug.save()
        assert not any("witness" in m for m in _missing(prepared))
        with pytest.raises(ValidationError, match="not marked for witnessed waste"):
            witness_waste(prepared, nurse_user)

    def test_the_nurse_at_the_device_cannot_witness_her_own_waste(
        self, prepared: Any, nurse_user: Any, witness: Any
    ) -> None:
        with pytest.raises(ValidationError, match="another person"):
            witness_waste(prepared, nurse_user, username=nurse_user.username)

    def test_a_wrong_password_is_refused(
        self, prepared: Any, nurse_user: Any, witness: Any
    ) -> None:
        with pytest.raises(ValidationError, match="do not match"):
            witness_waste(prepared, nurse_user, password="not-her-password")
        prepared.preparation.refresh_from_db()
        assert prepared.preparation.waste_witnessed_by is None

    def test_a_witness_whose_bls_lapsed_or_who_is_off_shift_is_refused(
        self, prepared: Any, nurse_user: Any, witness: Any
    ) -> None:
        Competency.objects.filter(staff=witness, skill="bls").update(
            expires_on=dt.date(2026, 11, 30)
        )
        with pytest.raises(ValidationError, match="BLS\\) expired 11/30/2026"):
            witness_waste(prepared, nurse_user)
        Competency.objects.filter(staff=witness, skill="bls").update(
            expires_on=dt.date(2027, 6, 30)
        )
        NurseShift.objects.filter(staff=witness).delete()
        with pytest.raises(ValidationError, match="not on the rota"):
            witness_waste(prepared, nurse_user)

    def test_a_changed_dose_is_witnessed_again(
        self, prepared: Any, nurse_user: Any, nurse: Any, witness: Any
    ) -> None:
        witness_waste(prepared, nurse_user)
        services.preparation_save(
            visit=prepared,
            user=nurse_user,
            dose_mg=Decimal(340),
            diluent="0.9% sodium chloride",
            bag_volume_ml=Decimal(250),
            final_volume_ml=Decimal(250),
            prepared_at=tf.at("09:15"),
            prepared_by=nurse,
            notes="Dose per Dr Marsh",
        )
        prepared.preparation.refresh_from_db()
        assert prepared.preparation.waste_witnessed_by is None
        assert "A second person must witness the waste of the opened vials." in _missing(prepared)


class TestWasteWitnessPage:
    def test_the_page_asks_for_the_witness_and_records_her(
        self, prepared: Any, nurse_user: Any, witness: Any
    ) -> None:
        client = f.login(nurse_user)
        page = client.get(reverse("treatments:preparation", args=[prepared.public_id]))
        html = page.content.decode()
        assert "Witnessed waste" in html and "50 mg" in html
        response = client.post(
            reverse("treatments:waste_witness", args=[prepared.public_id]),
            {"cosigner_username": "msantos", "cosigner_password": f.TEST_PASSWORD},
        )
        assert response.status_code == 200
        assert "Waste of 50 mg witnessed by Maria Santos" in response.content.decode()
