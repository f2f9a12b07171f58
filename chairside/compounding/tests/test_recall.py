"""The lot recall: every patient and dose that received a lot, audited, exportable."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from chairside.audit.models import AuditEvent
from chairside.compounding import selectors
from chairside.compounding.tests import factories as cf
from chairside.inventory import services as stock
from chairside.inventory.tests import factories as inv
from chairside.treatments import services as visits
from chairside.treatments.tests import factories as tf
from tests import factories as f
from tests.factories import someone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    # The visit factories' day: Tuesday 12/08/2026 at noon in New York.
    with time_machine.travel(dt.datetime(2026, 12, 8, 12, 0, tzinfo=tf.TZ), tick=False) as t:
        yield t


@pytest.fixture
def received(kit: SimpleNamespace, org: Any, drug: Any, location: Any) -> dict[str, Any]:
    """Lot RX100 went into a compounded dose (Hopper), a chair-side preparation (Lovelace)
    and a plain dispense (a patient whose name starts like a spreadsheet formula)."""
    lot, technician = kit.lot, kit.technician
    record = cf.compound(
        kit.formulation, patient=kit.patient, area=kit.area, lot=lot, user=technician
    )
    chair_patient = f.make_patient(org, first_name="Ada", last_name="Lovelace", weight_kg="70.0")
    nurse_user = f.make_user(org, "nurse", "nblake")
    nurse = tf.make_staff(org, "RN", user=nurse_user, first_name="Jordan", last_name="Blake")
    order = tf.make_order(chair_patient, drug, location=location)
    visit = visits.visit_start(
        appointment=tf.make_appointment(order, location, nurse=nurse), user=nurse_user
    )
    visit = tf.do_checks(visit, nurse_user)
    visits.preparation_dispense(visit=visit, user=nurse_user, picks=[(lot, 4)])
    tricky = f.make_patient(org, first_name="Eve", last_name="=HYPERLINK(1)")
    stock.stock_dispense(lot=lot, vials=1, patient=tricky, user=technician, visit_ref="manual")
    # Another organization's lot with the same number is never listed.
    elsewhere = inv.make_place(f.make_location(f.make_org("Elsewhere")), "Their fridge")
    theirs = inv.make_lot(
        elsewhere, inv.package(inv.make_drug(elsewhere.organization)), vials=3, lot_number="RX100"
    )
    stock.stock_dispense(
        lot=theirs, vials=1, patient=f.make_patient(elsewhere.organization), user=someone()
    )
    return {"record": record, "visit": visit, "chair_patient": chair_patient, "tricky": tricky}


class TestRecall:
    def test_it_lists_every_patient_and_dose_that_received_the_lot(
        self, org: Any, patient: Any, received: dict[str, Any], pharmacist: Any
    ) -> None:
        recall = selectors.lot_recall(organization=org, lot_number=" rx100 ", user=pharmacist)
        assert [(r.patient, r.kind, r.vials) for r in recall.rows] == [
            (patient, "Compounded dose", 4),
            (received["chair_patient"], "Chair-side preparation", 4),
            (received["tricky"], "Dispensed", 1),
        ]
        assert recall.rows[0].record == received["record"]
        assert recall.rows[1].visit == received["visit"]
        assert len(recall.patients) == 3
        event = AuditEvent.objects.get(action="view", reason="Lot recall RX100")
        assert event.user == pharmacist
        assert event.changes["doses"] == [None, 3]
        assert str(patient.public_id) in event.changes["patients"][1]

    def test_the_page_shows_it_to_a_nurse(self, org: Any, received: dict[str, Any]) -> None:
        page = f.login(f.make_user(org, "nurse")).get("/compounding/recall/?lot=RX100")
        assert page.status_code == 200
        body = page.content.decode()
        assert "3 patients</b>, 3 doses" in body
        assert received["record"].number in body
        assert "Chair-side preparation" in body

    def test_the_csv_export_is_spreadsheet_safe_and_audited(
        self, org: Any, received: dict[str, Any]
    ) -> None:
        client = f.login(f.make_user(org, "pharmacist"))
        response = client.get("/compounding/recall/?lot=RX100&format=csv")
        assert response["Content-Disposition"] == 'attachment; filename="recall-RX100.csv"'
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:4] == ["Lot", "Drug", "MRN", "Patient"]
        assert len(rows) == 4
        assert rows[3][3] == "'=HYPERLINK(1), Eve"  # escaped by csv_safe.to_csv
        assert AuditEvent.objects.filter(action="export", reason="Lot recall RX100").exists()

    def test_a_coordinator_cannot_see_it(self, coordinator_client: Any) -> None:
        assert coordinator_client.get("/compounding/recall/?lot=RX100").status_code == 403

    def test_the_api_answers_the_same(self, org: Any, received: dict[str, Any]) -> None:
        client = f.login(f.make_user(org, "auditor"))
        body = client.get("/api/v1/compounding/recall?lot=RX100").json()
        assert (body["lots_found"], body["patients"]) == (1, 3)
        assert [d["kind"] for d in body["doses"]][0] == "Compounded dose"
        assert body["doses"][0]["record_id"] == str(received["record"].public_id)
        csv_body = client.get("/api/v1/compounding/recall.csv?lot=RX100").content.decode()
        assert csv_body.count("\n") == 4
