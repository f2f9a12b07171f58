"""The pages that add a home address, a field shift, a delivery ticket and a home visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.homecare.models import DeliveryTicket, FieldShift, HomeVisit, PatientHome
from chairside.homecare.tests import factories as hf
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(org: Any) -> Any:
    return hf.make_home_location(org)


def _stop(patient: Any, home: Any, day: dt.date) -> dict[str, Any]:
    return {
        "patient": patient.pk,
        "location": home.pk,
        "date": day.isoformat(),
        "window_start": "09:00",
        "window_end": "12:00",
    }


def test_each_page_adds_its_record_and_goes_to_the_day(
    org: Any, home: Any, admin_client: Any
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    patient = hf.make_home_patient(org, home)
    nurse = hf.make_staff(org)
    for name in ("shift_new", "delivery_new", "visit_new"):
        assert admin_client.get(reverse(f"homecare:{name}")).status_code == 200
    shift = admin_client.post(
        reverse("homecare:shift_new"),
        {
            "location": home.pk,
            "staff": nurse.pk,
            "date": tomorrow.isoformat(),
            "starts": "08:00",
            "ends": "16:30",
            "kind": "nurse",
        },
    )
    assert shift.status_code == 302 and f"date={tomorrow.isoformat()}" in shift["Location"]
    ticket = admin_client.post(
        reverse("homecare:delivery_new"),
        {
            **_stop(patient, home, tomorrow),
            "items": "10 each Saline flush",
            "handoff": "courier",
            "service_minutes": 10,
            "validity_hours": 24,
        },
    )
    made = DeliveryTicket.objects.get(patient=patient)
    assert ticket.status_code == 302 and ticket["Location"].endswith(f"{made.public_id}/")
    visit = admin_client.post(
        reverse("homecare:visit_new"),
        {**_stop(patient, home, tomorrow), "duration_minutes": 60, "purpose": "Dressing"},
    )
    assert visit.status_code == 302
    assert FieldShift.objects.filter(staff=nurse, date=tomorrow).exists()
    assert HomeVisit.objects.filter(patient=patient, date=tomorrow).exists()


def test_a_date_outside_the_planning_range_is_a_400_and_saves_nothing(
    org: Any, home: Any, admin_client: Any
) -> None:
    patient = hf.make_home_patient(org, home)
    response = admin_client.post(
        reverse("homecare:visit_new"),
        {**_stop(patient, home, dt.date(1800, 1, 6)), "duration_minutes": 60},
    )
    assert response.status_code == 400
    assert "planning range" in response.content.decode()
    assert not HomeVisit.objects.exists()


def test_the_home_address_is_saved_audited_and_another_organization_gets_404(
    org: Any, other_org: Any, home: Any, admin_client: Any
) -> None:
    patient = f.make_patient(org)
    url = reverse("homecare:home_edit", args=[patient.public_id])
    data = {
        "location": home.pk,
        "address_line1": "12 Elm St",
        "city": "Riverside",
        "state": "PA",
        "postal_code": "19000",
        "latitude": "40.1",
        "longitude": "-75.2",
    }
    assert admin_client.post(url, data).status_code == 302
    saved = PatientHome.objects.get(patient=patient)
    assert saved.address_line1 == "12 Elm St"
    assert AuditEvent.objects.filter(object_id=saved.public_id).exists()
    foreign = f.make_patient(other_org)
    outside = reverse("homecare:home_edit", args=[foreign.public_id])
    assert admin_client.post(outside, data).status_code == 404
    assert not PatientHome.objects.filter(patient=foreign).exists()
