"""Every read of patient data is audited: one 'view' row per request naming the patients it
showed (HIPAA §164.312(b) audit controls; §164.528 accounting), and a chart shows who
looked at it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from chairside.audit.models import AuditEvent, AuditEventPatient
from chairside.billing.tests.conftest import World, build_world
from chairside.treatments import services as visit_services
from chairside.treatments.tests import factories as tf
from tests import factories as f

NOON = dt.datetime(2026, 12, 8, 12, 0, tzinfo=tf.TZ)


@dataclass
class Center:
    patient: Any  # has a signed visit today, dispensed stock, an appointment
    visit: Any
    appointment: Any
    location: Any
    billing: World

    @property
    def claim_patient(self) -> Any:
        return self.billing.claim.patient


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOON, tick=False) as t:
        yield t


@pytest.fixture
def center(org: Any, location: Any, patient: Any, admin_user: Any) -> Center:
    drug = tf.make_drug(org)
    order = tf.make_order(patient, drug, location=location)
    nurse = tf.make_staff(org, "RN", first_name="Jordan", last_name="Blake")
    second = tf.make_staff(org, "RN", first_name="Maria", last_name="Santos")
    physician = tf.make_staff(org, "MD", first_name="Elena", last_name="Marsh")
    appointment = tf.make_appointment(order, location, nurse=nurse)
    lot = tf.make_lot(location, drug, vials=10, lot_number="AB1234")
    visit = visit_services.visit_start(appointment=appointment, user=admin_user)
    visit = tf.do_checks(visit, admin_user)
    tf.do_preparation(visit, admin_user, lot, checker=second, preparer=nurse)
    tf.do_administration(visit, admin_user)
    tf.do_discharge(visit, admin_user, provider=physician)
    visit_services.visit_sign(visit=visit, user=admin_user)
    return Center(patient, visit, appointment, location, build_world(org))


def _day(c: Center) -> str:
    return f"date={tf.DAY.isoformat()}&location={c.location.public_id}"


def _claim(name: str) -> Callable[[Center], str]:
    return lambda c: reverse(name, kwargs={"public_id": c.billing.claim.public_id})


# (label, the URL, whose chart the page shows: "patient" or "claim_patient")
READS: list[tuple[str, Callable[[Center], str], str]] = [
    ("patient list page", lambda c: reverse("patients:list"), "patient"),
    ("patient search page", lambda c: reverse("patients:list") + "?q=Hopper", "patient"),
    ("patient list API", lambda c: "/api/v1/patients", "patient"),
    ("patient search API", lambda c: "/api/v1/patients?q=Hopper", "patient"),
    ("patient chart", lambda c: reverse("patients:chart", args=[c.patient.public_id]), "patient"),
    ("patient chart API", lambda c: f"/api/v1/patients/{c.patient.public_id}", "patient"),
    (
        "visit record",
        lambda c: reverse("treatments:summary", args=[c.visit.public_id]),
        "patient",
    ),
    ("claim list page", lambda c: reverse("billing:claims"), "claim_patient"),
    ("claim page", _claim("billing:claim"), "claim_patient"),
    ("claim list API", lambda c: "/api/v1/claims", "claim_patient"),
    ("claim API", lambda c: f"/api/v1/claims/{c.billing.claim.public_id}", "claim_patient"),
    ("CMS-1500", _claim("billing:claim_cms1500"), "claim_patient"),
    ("CMS-1500 PDF", lambda c: _claim("billing:claim_cms1500")(c) + "?format=pdf", "claim_patient"),
    (
        "837P download page",
        lambda c: reverse("billing:export", args=[c.billing.export.public_id]),
        "claim_patient",
    ),
    (
        "837P download API",
        lambda c: f"/api/v1/claims/exports/{c.billing.export.public_id}/837p",
        "claim_patient",
    ),
    (
        "remittance page",
        lambda c: reverse("billing:remittance", args=[c.billing.remittance.public_id]),
        "claim_patient",
    ),
    ("billing work list", lambda c: reverse("billing:home"), "claim_patient"),
    (
        "billing encounter",
        lambda c: reverse("billing:encounter", args=[c.billing.encounter.public_id]),
        "claim_patient",
    ),
    ("schedule board", lambda c: reverse("scheduling:board") + "?" + _day(c), "patient"),
    ("schedule week", lambda c: reverse("scheduling:week") + "?" + _day(c), "patient"),
    (
        "appointment panel",
        lambda c: reverse("scheduling:panel", args=[c.appointment.public_id]),
        "patient",
    ),
    ("schedule API", lambda c: "/api/v1/schedule?" + _day(c), "patient"),
    (
        "reconciliation",
        lambda c: (
            reverse("inventory:reconciliation")
            + f"?start={tf.DAY.isoformat()}&end={tf.DAY.isoformat()}"
        ),
        "patient",
    ),
    ("visits of the day", lambda c: reverse("treatments:day") + "?" + _day(c), "patient"),
    ("today", lambda c: reverse("today"), "patient"),
    ("visit reports queue", lambda c: reverse("treatments:reports"), "patient"),
    (
        "patient calendar (.ics)",
        lambda c: reverse("scheduling:ics", args=[c.patient.public_id]),
        "patient",
    ),
]


def _views_since(last_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=last_id, action__in=["view", "export"]))


def _named(event: AuditEvent) -> set[Any]:
    return set(AuditEventPatient.objects.filter(event=event).values_list("patient_id", flat=True))


@pytest.mark.django_db
class TestEveryReadIsAudited:
    @pytest.mark.parametrize("read", READS, ids=[r[0] for r in READS])
    def test_it_writes_one_read_row_naming_the_patient(
        self, center: Center, admin_user: Any, read: tuple[str, Any, str]
    ) -> None:
        label, url, whose = read
        client = f.login(admin_user)
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url(center))
        assert response.status_code == 200, label
        events = _views_since(last)
        assert len(events) == 1, f"{label}: {len(events)} view rows"
        (event,) = events
        named = _named(event)
        assert getattr(center, whose).public_id in named, label
        assert event.user == admin_user and event.username == admin_user.username
        assert event.role == "admin"
        assert event.path == url(center).split("?")[0]

    def test_a_list_names_every_patient_it_showed_in_one_row(
        self, org: Any, admin_client: Any, patient: Any
    ) -> None:
        other = f.make_patient(org, first_name="Alan", last_name="Turing")
        hidden = f.make_patient(org, first_name="Ada", last_name="Byron")
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        assert admin_client.get(reverse("patients:list") + "?q=Tur").status_code == 200
        (event,) = _views_since(last)
        named = _named(event)
        assert other.public_id in named
        assert hidden.public_id not in named

    @pytest.mark.parametrize("name", ["tenancy:settings", "billing:remittances"])
    def test_a_page_without_patients_writes_nothing(
        self, center: Center, admin_client: Any, name: str
    ) -> None:
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        assert admin_client.get(reverse(name)).status_code == 200
        assert _views_since(last) == []

    def test_the_patient_rows_refuse_changes_too(self, admin_client: Any, patient: Any) -> None:
        admin_client.get(reverse("patients:chart", args=[patient.public_id]))
        row = AuditEventPatient.objects.get(patient_id=patient.public_id)
        with pytest.raises(TypeError, match="append-only"):
            row.delete()
        with pytest.raises(TypeError, match="append-only"):
            AuditEventPatient.objects.all().update(patient_id=None)


@pytest.mark.django_db
class TestWhoLookedAtThisChart:
    def test_an_administrator_sees_who_looked_with_role_time_and_page(
        self, org: Any, admin_client: Any, patient: Any
    ) -> None:
        coordinator = f.make_user(org, "coordinator", username="cora")
        f.login(coordinator).get(reverse("patients:list") + "?q=Hopper")
        response = admin_client.get(reverse("patients:access", args=[patient.public_id]))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Who looked at this chart" in text
        assert "cora" in text and "Infusion coordinator" in text
        assert reverse("patients:list") in text

    def test_an_auditor_may_read_it_and_a_nurse_may_not(self, org: Any, patient: Any) -> None:
        url = reverse("patients:access", args=[patient.public_id])
        assert f.login(f.make_user(org, "auditor")).get(url).status_code == 200
        assert f.login(f.make_user(org, "nurse")).get(url).status_code == 403

    def test_the_chart_links_to_it_for_an_administrator(
        self, admin_client: Any, patient: Any
    ) -> None:
        chart = admin_client.get(reverse("patients:chart", args=[patient.public_id]))
        assert reverse("patients:access", args=[patient.public_id]) in chart.content.decode()

    def test_another_organizations_chart_answers_404(
        self, admin_client: Any, foreign_patient: Any
    ) -> None:
        url = reverse("patients:access", args=[foreign_patient.public_id])
        assert admin_client.get(url).status_code == 404
