"""The interface pages: who may open them, the organization wall, the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from chairside.audit.models import AuditEvent
from chairside.interop import services
from chairside.interop.models import CsvImport, InterfaceMessage
from chairside.interop.tests import samples as s
from chairside.patients.models import Patient
from tests import factories as f
from tests.assertions import assert_no_db_changes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel("2026-12-01 15:00Z", tick=False):
        yield


@pytest.fixture
def refused(org: Any) -> InterfaceMessage:
    return services.hl7_receive(organization=org, raw=s.adt())  # no payer yet: AE


class TestMessagePages:
    def test_it_lists_the_organizations_messages_for_a_coordinator(
        self, coordinator_client: Any, refused: InterfaceMessage, other_org: Any
    ) -> None:
        services.hl7_receive(organization=other_org, raw=s.adt(control_id="OTHER-ORG-1"))
        response = coordinator_client.get("/interfaces/?direction=in&status=error")
        assert response.status_code == 200
        body = response.content.decode()
        assert "MSG0001" in body and "Unknown payer BCBSIL" in body
        assert "OTHER-ORG-1" not in body

    def test_the_list_downloads_as_escaped_csv_and_is_audited(
        self, org: Any, coordinator_client: Any
    ) -> None:
        services.hl7_receive(organization=org, raw=s.adt(control_id="=HYPERLINK(1)"))
        response = coordinator_client.get("/interfaces/messages.csv?direction=in")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        body = response.content.decode()
        assert "'=HYPERLINK(1)" in body and "Unknown payer BCBSIL" in body
        assert AuditEvent.objects.filter(action="export", organization=org).exists()

    def test_a_nurse_may_not_open_them(self, org: Any, refused: InterfaceMessage) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        assert nurse.get("/interfaces/").status_code == 403
        assert nurse.get(f"/interfaces/messages/{refused.public_id}/").status_code == 403

    def test_another_organizations_message_is_not_found(
        self, coordinator_client: Any, other_org: Any
    ) -> None:
        theirs = services.hl7_receive(organization=other_org, raw=s.adt())
        assert (
            coordinator_client.get(f"/interfaces/messages/{theirs.public_id}/").status_code == 404
        )
        with assert_no_db_changes(InterfaceMessage, Patient, AuditEvent):
            response = coordinator_client.post(
                f"/interfaces/messages/{theirs.public_id}/reprocess/"
            )
            assert response.status_code == 404

    def test_opening_a_message_is_audited_and_reprocess_applies_it(
        self, org: Any, coordinator_client: Any, refused: InterfaceMessage
    ) -> None:
        url = f"/interfaces/messages/{refused.public_id}/"
        page = coordinator_client.get(url)
        assert page.status_code == 200 and b"Reprocess" in page.content
        assert AuditEvent.objects.filter(action="view", object_id=refused.public_id).exists()
        f.make_payer(org, name="Blue Cross IL", payer_id="BCBSIL")
        response = coordinator_client.post(url + "reprocess/")
        assert response.status_code == 302
        refused.refresh_from_db()
        assert refused.status == InterfaceMessage.Status.ACCEPTED
        assert Patient.objects.filter(organization=org, mrn="E1001").exists()

    def test_a_pasted_message_is_received_as_the_coordinator(
        self, org: Any, coordinator_client: Any
    ) -> None:
        f.make_payer(org, name="Blue Cross IL", payer_id="BCBSIL")
        response = coordinator_client.post("/interfaces/receive/", {"raw": s.adt()})
        assert response.status_code == 302
        message = InterfaceMessage.objects.get(organization=org)
        assert message.ack_code == "AA" and message.processed_by is not None
        patient = Patient.objects.get(organization=org, mrn="E1001")
        event = AuditEvent.objects.get(action="create", object_id=patient.public_id)
        assert event.user == message.processed_by

    def test_only_an_administrator_changes_the_settings(
        self, org: Any, coordinator_client: Any, admin_client: Any
    ) -> None:
        assert coordinator_client.get("/interfaces/settings/").status_code == 403
        response = admin_client.post(
            "/interfaces/settings/", {"facility_name": "Riverside", "siu_feed_enabled": "on"}
        )
        assert response.status_code == 302
        assert services.interface_settings(org).siu_feed_enabled
        assert AuditEvent.objects.filter(object_type="interop.interfacesettings").exists()


class TestImportPages:
    def test_upload_check_then_import(self, org: Any, coordinator_client: Any) -> None:
        bad = b"mrn,first_name,last_name,date_of_birth,sex\nP1,Ann,Lee,01/02/1980,F\nP2,Bo,,x,Q\n"
        response = coordinator_client.post(
            "/interfaces/import/",
            {"kind": "patients", "file": SimpleUploadedFile("p.csv", bad, "text/csv")},
        )
        assert response.status_code == 302
        batch = CsvImport.objects.get(organization=org)
        page = coordinator_client.get(response["Location"]).content.decode()
        assert "cannot be imported" in page and "last_name" in page and "is not F, M or U" in page
        coordinator_client.post(f"/interfaces/import/{batch.public_id}/commit/")
        assert not Patient.objects.filter(organization=org).exists()

        good = bad.rsplit(b"\nP2", 1)[0] + b"\n"
        response = coordinator_client.post(
            "/interfaces/import/",
            {"kind": "patients", "file": SimpleUploadedFile("p.csv", good, "text/csv")},
        )
        batch = CsvImport.objects.filter(organization=org).latest("id")
        assert "Import 1 row" in coordinator_client.get(response["Location"]).content.decode()
        coordinator_client.post(f"/interfaces/import/{batch.public_id}/commit/")
        assert Patient.objects.filter(organization=org, mrn="P1").exists()

    def test_a_nurse_may_not_import(self, org: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        assert nurse.get("/interfaces/import/").status_code == 403
