"""The pages and the API: compound, verify, label; who may do what."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from chairside.compounding.models import CompoundingRecord, MasterFormulation
from chairside.compounding.tests import factories as cf
from chairside.inventory.models import Lot, Movement
from tests import factories as f
from tests.assertions import assert_no_db_changes

pytestmark = pytest.mark.django_db


def _post_compound(client: Any, formulation: Any, area: Any, lot: Any, mrn: str, **kw: Any) -> Any:
    key = formulation.ingredients.get().public_id
    started = timezone.localtime(timezone.now(), area.location.tz) - dt.timedelta(minutes=5)
    data = {
        "patient_mrn": mrn,
        "area": str(area.public_id),
        "started_at": started.strftime("%Y-%m-%dT%H:%M"),
        "storage": "refrigerated",
        "diluent_lot": "ns2231",
        "diluent_expires_on": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
        f"lot_{key}": str(lot.public_id),
        f"vials_{key}": "4",
        f"amount_{key}": "350",
        **kw,
    }
    return client.post(f"/compounding/formulations/{formulation.public_id}/compound/", data)


class TestPages:
    def test_a_technician_compounds_and_a_pharmacist_verifies_on_the_same_device(
        self, kit: SimpleNamespace, pharmacist: Any
    ) -> None:
        formulation, patient, area, lot, technician = (
            kit.formulation,
            kit.patient,
            kit.area,
            kit.lot,
            kit.technician,
        )
        client = f.login(technician)
        form = client.get(f"/compounding/formulations/{formulation.public_id}/compound/")
        assert "RX100 · 100 mg vials · 10 on hand" in form.content.decode()
        response = _post_compound(client, formulation, area, lot, patient.mrn)
        record = CompoundingRecord.objects.get()
        assert response.status_code == 302
        assert record.diluent_lot == "NS2231"
        # No label before the verification.
        assert client.get(f"/compounding/{record.public_id}/label/").status_code == 302
        refused = client.post(
            f"/compounding/{record.public_id}/verify/",
            {"cosigner_username": "ltech", "cosigner_password": f.TEST_PASSWORD},
        )
        assert refused.status_code == 400
        assert "cannot verify it" in refused.content.decode()
        record.refresh_from_db()
        assert record.verified_by is None
        ok = client.post(
            f"/compounding/{record.public_id}/verify/",
            {"cosigner_username": "gkim", "cosigner_password": f.TEST_PASSWORD},
        )
        assert ok.status_code == 302
        label = client.get(f"/compounding/{record.public_id}/label/").content.decode()
        assert "HOPPER, Grace" in label
        assert "1.4 mg/mL" in label
        assert "verified by Grace Kim, PharmD" in label
        pdf = client.get(f"/compounding/{record.public_id}/label/?format=pdf")
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")

    def test_a_refused_lot_is_said_in_words_and_nothing_is_saved(
        self, formulation: Any, patient: Any, area: Any, lot: Any, technician: Any
    ) -> None:
        client = f.login(technician)
        response = _post_compound(
            client,
            formulation,
            area,
            lot,
            patient.mrn,
            **{
                f"vials_{formulation.ingredients.get().public_id}": "12",
                f"amount_{formulation.ingredients.get().public_id}": "1150",
            },
        )
        assert response.status_code == 400
        assert "Only 10 vials of lot RX100 on hand" in response.content.decode()
        assert not CompoundingRecord.objects.exists()

    def test_an_unknown_mrn_is_refused(
        self, formulation: Any, area: Any, lot: Any, technician: Any
    ) -> None:
        with assert_no_db_changes(CompoundingRecord, Lot, Movement):
            response = _post_compound(f.login(technician), formulation, area, lot, "NOPE-1")
            assert response.status_code == 400
        assert "No patient with MRN NOPE-1 here." in response.content.decode()

    def test_a_nurse_reads_but_does_not_compound(self, org: Any, kit: SimpleNamespace) -> None:
        formulation, patient, area, lot, technician = (
            kit.formulation,
            kit.patient,
            kit.area,
            kit.lot,
            kit.technician,
        )
        record = cf.compound(formulation, patient=patient, area=area, lot=lot, user=technician)
        nurse = f.login(f.make_user(org, "nurse"))
        assert nurse.get("/compounding/").status_code == 200
        assert nurse.get(f"/compounding/{record.public_id}/").status_code == 200
        with assert_no_db_changes(CompoundingRecord, Lot, Movement):
            assert _post_compound(nurse, formulation, area, lot, patient.mrn).status_code == 403
        assert nurse.get("/compounding/formulations/new/").status_code == 403

    def test_another_organizations_record_is_not_found(
        self, other_org: Any, kit: SimpleNamespace
    ) -> None:
        formulation, patient, area, lot, technician = (
            kit.formulation,
            kit.patient,
            kit.area,
            kit.lot,
            kit.technician,
        )
        record = cf.compound(formulation, patient=patient, area=area, lot=lot, user=technician)
        outsider = f.login(f.make_user(other_org, "pharmacist"))
        assert outsider.get(f"/compounding/{record.public_id}/").status_code == 404

    def test_a_pharmacist_writes_a_master_formulation(self, org: Any, drug: Any) -> None:
        client = f.login(f.make_user(org, "pharmacist"))
        data = {
            "name": "Infliximab in 250 mL NS",
            "drug": str(drug.pk),
            "diluent": "0.9% sodium chloride",
            "container": "IV bag",
            "final_volume_ml": "250",
            "category": "category_2",
            "storage": "refrigerated",
            "area_kind": "segregated",
        }
        refused = client.post("/compounding/formulations/new/", data)
        assert refused.status_code == 400
        assert "compounded in a cleanroom suite" in refused.content.decode()
        assert not MasterFormulation.objects.exists()
        data["area_kind"] = "cleanroom"
        assert client.post("/compounding/formulations/new/", data).status_code == 302


class TestApi:
    def test_it_compounds_and_verifies(self, kit: SimpleNamespace, pharmacist: Any) -> None:
        formulation, patient, area, lot, technician = (
            kit.formulation,
            kit.patient,
            kit.area,
            kit.lot,
            kit.technician,
        )
        client = f.login(technician)
        draw = {
            "ingredient": str(formulation.ingredients.get().public_id),
            "lot": str(lot.public_id),
            "vials": 4,
            "amount_mg": "350",
        }
        body: dict[str, Any] = {
            "formulation": str(formulation.public_id),
            "patient": str(patient.public_id),
            "area": str(area.public_id),
            "ingredients": [draw],
            "diluent_lot": "NS1",
            "diluent_expires_on": (timezone.localdate() + dt.timedelta(days=100)).isoformat(),
        }
        created = client.post("/api/v1/compounding/records", body, content_type="application/json")
        assert created.status_code == 201, created.content
        out = created.json()
        assert (out["concentration_mg_ml"], out["status"]) == ("1.4000", "prepared")
        too_many = {
            **body,
            "ingredients": [{**draw, "vials": 9, "amount_mg": "850"}],
        }
        refused = client.post(
            "/api/v1/compounding/records", too_many, content_type="application/json"
        )
        assert refused.status_code == 400
        assert "Only 6 vials of lot RX100 on hand" in refused.json()["detail"]
        assert CompoundingRecord.objects.count() == 1
        lot.refresh_from_db()
        assert lot.on_hand == 6
        verified = client.post(
            f"/api/v1/compounding/records/{out['public_id']}/verify",
            {"username": "gkim", "password": f.TEST_PASSWORD},
            content_type="application/json",
        )
        assert verified.json()["verified_by"] == "Grace Kim, PharmD"

    def test_a_nurse_cannot_compound_through_the_api(self, org: Any, kit: SimpleNamespace) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        assert nurse.get("/api/v1/compounding/records").status_code == 200
        draw = {
            "ingredient": str(kit.formulation.ingredients.get().public_id),
            "lot": str(kit.lot.public_id),
            "vials": 4,
            "amount_mg": "350",
        }
        body = {
            "formulation": str(kit.formulation.public_id),
            "patient": str(kit.patient.public_id),
            "area": str(kit.area.public_id),
            "ingredients": [draw],
            "diluent_lot": "NS1",
            "diluent_expires_on": (timezone.localdate() + dt.timedelta(days=100)).isoformat(),
        }
        with assert_no_db_changes(CompoundingRecord, Lot, Movement):
            refused = nurse.post(
                "/api/v1/compounding/records", body, content_type="application/json"
            )
            assert refused.status_code == 403
