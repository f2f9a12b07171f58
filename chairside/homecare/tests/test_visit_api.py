"""The home visit documentation over /api/v1/homecare/visits (read-only): the
organization's visits only (another's is 404), the documentation page's permission
(clinical.edit; a nurse reads only her own visits), an access-report row per read, every
documented field, the signed / unsigned filter, the date, nurse and patient filters and
paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from chairside.api import tokens
from chairside.audit.models import AuditEvent, AuditEventPatient
from chairside.homecare import services
from chairside.homecare.models import HomeVisit, HomeVitals
from chairside.homecare.tests import factories as hf
from tests import factories as f
from tests.assertions import assert_no_db_changes

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("America/New_York")
DAY = dt.date(2026, 12, 8)
URL = "/api/v1/homecare/visits"


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(at(15), tick=False) as t:
        yield t


def client_for(org: Any, user: Any) -> Client:
    _, text = tokens.token_create_personal(
        organization=org, user=user, name="EHR", expires_in_days=30, password=f.TEST_PASSWORD
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


@pytest.fixture
def visits(org: Any, home: Any, nurse_user: Any) -> SimpleNamespace:
    """Rosa's visit documented and signed by her nurse (vitals, a dose from the home order,
    a grade 1 reaction, times, notes, an addendum); Sam's visit the day after, unsigned,
    with another nurse."""
    nurse = hf.make_staff(org, "RN", user=nurse_user)
    rosa = hf.make_home_patient(org, home, first_name="Rosa", last_name="Diaz")
    order = hf.make_home_order(rosa, start_date=DAY - dt.timedelta(days=3))
    signed = hf.make_visit(rosa, home, DAY, nurse=nurse, purpose="PICC care, vancomycin")
    services.home_vitals_record(
        home_visit=signed, user=nurse_user, phase="pre", taken_at=at(10, 5), systolic=128,
        diastolic=82, pulse=76, temperature_c=Decimal("36.8"),
    )  # fmt: skip
    dose = services.home_administration_record(
        home_visit=signed,
        user=nurse_user,
        home_order=order,
        lot_number="VN2291",
        dose_amount=Decimal(1250),
        dose_unit="mg",
        method="infusion",
        site="PICC right arm",
        started_at=at(10, 15),
        stopped_at=at(11, 15),
    )
    services.home_reaction_record(
        home_visit=signed, user=nurse_user, onset_at=at(10, 40), grade=1, signs=["flushing"],
        outcome="resolved", outcome_at=at(10, 55),
    )  # fmt: skip
    services.home_visit_times_and_notes(
        home_visit=signed,
        user=nurse_user,
        arrived_at=at(10),
        departed_at=at(11, 40),
        notes="Tolerated well.",
    )
    services.home_visit_sign(home_visit=signed, user=nurse_user)
    services.home_visit_addendum(
        home_visit=signed, user=nurse_user, text="Dressing changed at 10:20 as well."
    )
    other_nurse = hf.make_staff(org, "RN", user=f.make_user(org, "nurse"))
    sam = hf.make_home_patient(org, home, first_name="Sam", last_name="Okafor")
    unsigned = hf.make_visit(sam, home, DAY + dt.timedelta(days=1), nurse=other_nurse)
    return SimpleNamespace(
        signed=signed, unsigned=unsigned, rosa=rosa, sam=sam, nurse=nurse,
        other_nurse=other_nurse, dose=dose, order=order,
    )  # fmt: skip


@pytest.fixture
def admin_api(org: Any) -> Client:
    return client_for(org, f.make_user(org, "admin"))


def test_it_reads_every_documented_field(visits: Any, admin_api: Client) -> None:
    found = admin_api.get(f"{URL}/{visits.signed.public_id}")
    assert found.status_code == 200, found.content
    body = found.json()
    assert body["patient"] == "Rosa Diaz"
    assert body["patient_id"] == str(visits.rosa.public_id)
    assert body["signed"] is True and body["status"] == "completed"
    assert body["signed_by"] and body["signed_at"]
    assert body["arrived_at"].startswith("2026-12-08T15:00")  # 10:00 in New York, as UTC
    assert body["departed_at"].startswith("2026-12-08T16:40")
    assert body["documented_minutes"] == 100
    assert body["notes"] == "Tolerated well."
    assert body["nurse_id"] == str(visits.nurse.public_id)
    [vitals] = body["vitals"]
    assert (vitals["phase"], vitals["systolic"], vitals["diastolic"]) == ("pre", 128, 82)
    assert vitals["temperature_c"] == "36.8"
    [dose] = body["doses"]
    assert dose["public_id"] == str(visits.dose.public_id)
    assert dose["drug"] == visits.order.drug_display
    assert (dose["lot_number"], dose["dose_amount"], dose["dose_unit"]) == ("VN2291", "1250", "mg")
    assert (dose["route"], dose["site"]) == ("IV", "PICC right arm")
    assert dose["started_at"].startswith("2026-12-08T15:15")
    assert dose["stopped_at"].startswith("2026-12-08T16:15")
    assert dose["home_order"] == str(visits.order.public_id)
    [reaction] = body["reactions"]
    assert reaction["grade"] == 1 and reaction["outcome"] == "resolved"
    assert reaction["signs"] and reaction["dose"] == str(visits.dose.public_id)
    [addendum] = body["addenda"]
    assert addendum["text"] == "Dressing changed at 10:20 as well."
    assert addendum["author"]


def test_an_unsigned_visit_has_no_signature(visits: Any, admin_api: Client) -> None:
    body = admin_api.get(f"{URL}/{visits.unsigned.public_id}").json()
    assert body["signed"] is False
    assert (body["signed_at"], body["signed_by"]) == (None, None)
    assert body["vitals"] == body["doses"] == body["reactions"] == body["addenda"] == []


def test_the_status_filter_keeps_signed_or_unsigned(visits: Any, admin_api: Client) -> None:
    def ids(**params: Any) -> list[str]:
        answer = admin_api.get(URL, params)
        assert answer.status_code == 200, answer.content
        return [r["public_id"] for r in answer.json()["results"]]

    assert ids(status="signed") == [str(visits.signed.public_id)]
    assert ids(status="unsigned") == [str(visits.unsigned.public_id)]
    # newest day first
    assert ids() == [str(visits.unsigned.public_id), str(visits.signed.public_id)]
    assert admin_api.get(URL, {"status": "maybe"}).status_code == 422


def test_the_date_nurse_and_patient_filters(visits: Any, admin_api: Client) -> None:
    def ids(**params: Any) -> list[str]:
        return [r["public_id"] for r in admin_api.get(URL, params).json()["results"]]

    assert ids(date_from=DAY, date_to=DAY) == [str(visits.signed.public_id)]
    assert ids(date_from=DAY + dt.timedelta(days=1)) == [str(visits.unsigned.public_id)]
    assert ids(nurse=visits.other_nurse.public_id) == [str(visits.unsigned.public_id)]
    assert ids(patient=visits.rosa.public_id) == [str(visits.signed.public_id)]
    bad = admin_api.get(URL, {"date_from": str(DAY), "date_to": str(DAY - dt.timedelta(days=1))})
    assert bad.status_code == 400
    assert "date_from is after date_to" in bad.json()["detail"]


def test_it_pages_in_a_stable_order(visits: Any, admin_api: Client) -> None:
    whole = admin_api.get(URL, {"limit": 100}).json()
    assert whole["count"] == 2
    pages = [admin_api.get(URL, {"limit": 1, "offset": n}).json() for n in range(2)]
    assert [p["results"][0] for p in pages] == whole["results"]
    assert all(p["count"] == 2 for p in pages)
    assert admin_api.get(URL, {"offset": 2}).json()["results"] == []
    assert admin_api.get(URL, {"limit": 101}).status_code == 422


def test_another_organization_sees_nothing(visits: Any, other_org: Any) -> None:
    outsider = client_for(other_org, f.make_user(other_org, "admin"))
    assert outsider.get(f"{URL}/{visits.signed.public_id}").status_code == 404
    assert outsider.get(URL).json() == {"count": 0, "results": []}
    assert (
        not AuditEventPatient.objects.filter(patient_id=visits.rosa.public_id)
        .filter(event__organization=other_org)
        .exists()
    )


@pytest.mark.parametrize("role", ["coordinator", "biller", "pharmacist", "auditor"])
def test_roles_the_documentation_page_refuses_get_403(visits: Any, org: Any, role: str) -> None:
    """The documentation page needs clinical.edit (nurse, provider, admin): the API too."""
    api = client_for(org, f.make_user(org, role))
    before = AuditEventPatient.objects.count()
    for path in (URL, f"{URL}/{visits.signed.public_id}"):
        refused = api.get(path)
        assert refused.status_code == 403
        assert "role" in refused.json()["detail"]
    assert AuditEventPatient.objects.count() == before  # nothing shown, nothing read


def test_a_nurse_reads_only_her_own_visits(visits: Any, org: Any, nurse_user: Any) -> None:
    api = client_for(org, nurse_user)
    body = api.get(URL).json()
    assert [r["public_id"] for r in body["results"]] == [str(visits.signed.public_id)]
    assert api.get(f"{URL}/{visits.unsigned.public_id}").status_code == 404
    assert api.get(f"{URL}/{visits.signed.public_id}").status_code == 200


def test_a_provider_reads_every_visit(visits: Any, org: Any) -> None:
    api = client_for(org, f.make_user(org, "provider"))
    assert api.get(URL).json()["count"] == 2


def test_each_read_is_in_the_access_report(visits: Any, org: Any) -> None:
    user = f.make_user(org, "provider")
    api = client_for(org, user)
    assert api.get(f"{URL}/{visits.signed.public_id}").status_code == 200
    event = AuditEvent.objects.filter(action="view", user=user).latest("at")
    assert event.path == f"{URL}/{visits.signed.public_id}"
    assert set(event.patients.values_list("patient_id", flat=True)) == {visits.rosa.public_id}
    assert api.get(URL).status_code == 200
    listed = AuditEvent.objects.filter(action="view", user=user, path=URL).get()
    assert set(listed.patients.values_list("patient_id", flat=True)) == {
        visits.rosa.public_id,
        visits.sam.public_id,
    }


def test_it_is_read_only(visits: Any, admin_api: Client) -> None:
    path = f"{URL}/{visits.signed.public_id}"
    with assert_no_db_changes(HomeVisit, HomeVitals, AuditEvent):
        assert admin_api.delete(path).status_code == 405
        assert admin_api.put(path, {}, content_type="application/json").status_code == 405
