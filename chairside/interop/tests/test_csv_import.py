"""CSV import: the dry run lists every row's problems; the import is all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from chairside.access.referrals.models import ReferringProvider, TreatmentOrder
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from chairside.interop.csv_import import csv_import_commit, csv_upload
from chairside.interop.models import CsvImport
from chairside.patients.models import Coverage, Patient
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel("2026-12-01 15:00Z", tick=False):
        yield


PATIENTS = """MRN,First name,Last name,Date of birth,Sex,City,State,Old system id
A1,Maria,Rivera,03/14/1975,F,Springfield,il,77
A2,John,Okafor,1960-02-30,M,Peoria,IL,78
A3,,Nguyen,12/01/1990,X,Joliet,IL,79
A1,Maria,Rivera-Twin,03/14/1976,F,Springfield,IL,80
A5,Li,Chen,12/01/2030,F,Joliet,IL,81
"""


def _upload(org: Any, user: Any, kind: str, text: str) -> CsvImport:
    return csv_upload(
        organization=org, user=user, kind=kind, filename=f"{kind}.csv", data=text.encode()
    )


class TestDryRun:
    def test_it_lists_every_rows_problems_and_writes_nothing(
        self, org: Any, admin_user: Any
    ) -> None:
        batch = _upload(org, admin_user, "patients", PATIENTS)
        assert batch.status == CsvImport.Status.PROBLEMS
        assert batch.row_count == 5
        found = {(p["row"], p["column"]) for p in batch.problems}
        assert (3, "date_of_birth") in found  # 1960-02-30 is not a date
        assert (4, "first_name") in found
        assert (5, "mrn") in found  # A1 twice: the earlier row of the file counts
        assert (6, "date_of_birth") in found  # in the future
        assert not any(p["row"] == 2 for p in batch.problems)
        messages = " ".join(p["message"] for p in batch.problems)
        assert "not a date" in messages and "already has MRN A1" in messages
        assert not Patient.objects.filter(organization=org).exists()
        assert not AuditEvent.objects.filter(object_type="patients.patient").exists()

    def test_it_reports_a_missing_required_column_on_the_header_row(
        self, org: Any, admin_user: Any
    ) -> None:
        batch = _upload(org, admin_user, "patients", "mrn,first_name\nA1,Maria\n")
        assert {p["column"] for p in batch.problems} == {"last_name", "date_of_birth", "sex"}
        assert all(p["row"] == 1 for p in batch.problems)

    def test_a_clean_file_is_checked_but_not_imported(self, org: Any, admin_user: Any) -> None:
        batch = _upload(
            org, admin_user, "patients", PATIENTS.splitlines()[0] + "\n" + PATIENTS.splitlines()[1]
        )
        assert batch.status == CsvImport.Status.CHECKED and batch.problems == []
        assert not Patient.objects.filter(organization=org).exists()


class TestImport:
    def test_one_bad_row_imports_nothing(self, org: Any, admin_user: Any) -> None:
        text = (
            "mrn,first_name,last_name,date_of_birth,sex\nB1,Ann,Lee,01/02/1980,F\nB2,Bo,Kim,bad,M\n"
        )
        batch = _upload(org, admin_user, "patients", text)
        done = csv_import_commit(batch=batch, user=admin_user)
        assert done.status == CsvImport.Status.PROBLEMS
        assert not Patient.objects.filter(organization=org).exists()

    def test_it_imports_every_row_through_the_services(self, org: Any, admin_user: Any) -> None:
        text = (
            "mrn,first_name,last_name,date_of_birth,sex,state\n"
            "B1,Ann,Lee,01/02/1980,F,il\nB2,Bo,Kim,1971-07-04,male,IL\n"
        )
        batch = _upload(org, admin_user, "patients", text)
        done = csv_import_commit(batch=batch, user=admin_user)
        assert done.status == CsvImport.Status.IMPORTED and done.imported_count == 2
        assert set(Patient.objects.filter(organization=org).values_list("mrn", "sex", "state")) == {
            ("B1", "F", "IL"),
            ("B2", "M", "IL"),
        }
        assert (
            AuditEvent.objects.filter(action="create", object_type="patients.patient").count() == 2
        )
        with pytest.raises(Exception, match="imported already"):
            csv_import_commit(batch=done, user=admin_user)

    def test_it_imports_providers_coverages_and_orders(self, org: Any, admin_user: Any) -> None:
        rf.formulary(org)
        npi = rf.valid_npi()
        providers = (
            f"npi,first_name,last_name,credential\n{npi},Ngozi,Okafor,MD\n1234567890,Bad,Npi,MD\n"
        )
        batch = _upload(org, admin_user, "providers", providers)
        assert [(p["row"], p["column"]) for p in batch.problems] == [(3, "npi")]
        batch = _upload(org, admin_user, "providers", providers.rsplit("1234567890", 1)[0])
        assert csv_import_commit(batch=batch, user=admin_user).status == "imported"
        assert ReferringProvider.objects.filter(organization=org, npi=npi).exists()

        patient = f.make_patient(org, mrn="C1", weight_kg="70")
        f.make_payer(org, name="Aetna", payer_id="60054")
        coverages = (
            "mrn,payer,member_id,order,effective_from\n"
            "C1,60054,W123456789,primary,01/01/2026\n"
            "C9,Aetna,W1,1,01/01/2026\nC1,Nobody,W2,1,01/01/2026\n"
        )
        batch = _upload(org, admin_user, "coverages", coverages)
        assert [(p["row"], p["column"]) for p in batch.problems] == [(3, "mrn"), (4, "payer")]
        assert not Coverage.objects.filter(patient=patient).exists()

        orders = (
            "mrn,drug,ordering_npi,signed_on,diagnosis\n"
            f"C1,J1745,{npi},11/20/2026,K50.90\nC1,Nodrug,{npi},11/20/2026,\n"
        )
        batch = _upload(org, admin_user, "orders", orders)
        assert [(p["row"], p["column"]) for p in batch.problems] == [(3, "drug")]
        batch = _upload(org, admin_user, "orders", orders.rsplit("\nC1,Nodrug", 1)[0] + "\n")
        assert csv_import_commit(batch=batch, user=admin_user).status == "imported"
        order = TreatmentOrder.objects.get(patient=patient)
        assert order.drug.hcpcs == "J1745"
        assert [d.icd10_code for d in order.diagnoses.all()] == ["K50.90"]
        assert order.is_signed  # an administrator holds order.sign: her import signs it

    def test_it_keeps_organizations_apart(self, org: Any, other_org: Any, admin_user: Any) -> None:
        f.make_patient(other_org, mrn="D1")
        f.make_payer(other_org, name="Aetna")
        batch = _upload(
            org,
            admin_user,
            "coverages",
            "mrn,payer,member_id,order,effective_from\nD1,Aetna,W1,1,01/01/2026\n",
        )
        assert [(p["row"], p["column"]) for p in batch.problems] == [(2, "mrn"), (2, "payer")]
