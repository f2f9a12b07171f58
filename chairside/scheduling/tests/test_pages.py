"""The schedule pages: who may see and do what, the wall between organizations, htmx."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from chairside.audit.models import AuditEvent
from chairside.core.models import BackgroundJob
from chairside.scheduling import services
from chairside.scheduling.models import Appointment, NurseShift
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import DAY, at
from tests import factories as f
from tests.assertions import assert_no_db_changes

HTMX = {"HX-Request": "true"}


@pytest.fixture
def booked(org: Any, coordinator: Any, order: Any, chairs: Any) -> Appointment:
    return services.appointment_book(
        organization=org, user=coordinator, order=order, chair=chairs["C01"], start=at("09:00")
    ).appointment


@pytest.fixture
def foreign(other_org: Any, clock: Any) -> Appointment:
    """Another organization's booked appointment, shift and order."""
    location = f.make_location(other_org, chairs=1)
    order = sf.make_order(f.make_patient(other_org), location=location)
    sf.make_shift(sf.make_nurse(other_org), location)
    return services.appointment_book(
        organization=other_org,
        user=f.make_user(other_org, "coordinator"),
        order=order,
        chair=location.chairs.get(),
        start=at("09:00"),
    ).appointment


def board_url(appointment: Appointment) -> str:
    day = appointment.local_start().date().isoformat()
    return f"{reverse('scheduling:board')}?location={appointment.location.public_id}&date={day}"


class TestBoard:
    def test_a_coordinator_sees_the_day_with_blocks_and_census(
        self, coordinator: Any, booked: Appointment
    ) -> None:
        html = f.login(coordinator).get(board_url(booked)).content.decode()
        assert "Hopper, G." in html and "infliximab" in html
        assert "chair utilization" in html
        assert reverse("scheduling:book") in html

    def test_htmx_gets_the_board_partial(self, coordinator: Any, booked: Appointment) -> None:
        response = f.login(coordinator).get(board_url(booked), headers=HTMX)
        assert response.status_code == 200
        assert b"<html" not in response.content and b'id="board"' in response.content

    def test_a_nurse_sees_the_board_but_cannot_book(self, org: Any, booked: Appointment) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        html = nurse.get(board_url(booked)).content.decode()
        assert "Hopper, G." in html
        assert f'href="{reverse("scheduling:book")}?chair' not in html
        assert nurse.get(reverse("scheduling:book")).status_code == 403

    def test_the_panel_shows_the_appointment(self, coordinator: Any, booked: Appointment) -> None:
        url = reverse("scheduling:panel", args=[booked.public_id])
        html = f.login(coordinator).get(url, headers=HTMX).content.decode()
        assert "Hopper, Grace" in html
        assert "dose 1" in html and "Cancel" in html


class TestActions:
    def test_cancel_without_a_reason_is_refused_in_the_panel(
        self, coordinator: Any, booked: Appointment
    ) -> None:
        url = reverse("scheduling:cancel", args=[booked.public_id])
        response = f.login(coordinator).post(url, {"reason_code": ""}, headers=HTMX)
        assert response.status_code == 422
        assert "Choose why the appointment is cancelled" in response.content.decode()
        booked.refresh_from_db()
        assert booked.status == "booked"

    def test_cancel_with_a_reason_frees_the_chair(
        self, coordinator: Any, booked: Appointment
    ) -> None:
        url = reverse("scheduling:cancel", args=[booked.public_id])
        response = f.login(coordinator).post(
            url, {"reason_code": "illness", "reason": "fever"}, headers=HTMX
        )
        assert response.status_code == 200
        assert "Cancelled; the chair is free." in response.content.decode()
        booked.refresh_from_db()
        assert booked.status == "cancelled"

    def test_a_refused_move_names_the_conflict(
        self, org: Any, coordinator: Any, booked: Appointment, chairs: Any, location: Any
    ) -> None:
        other = sf.make_order(f.make_patient(org), location=location)
        services.appointment_book(
            organization=org, user=coordinator, order=other, chair=chairs["C02"], start=at("10:00")
        )
        url = reverse("scheduling:move", args=[booked.public_id])
        data = {
            "date": "2026-12-08",
            "time": "10:30",
            "chair": chairs["C02"].public_id,
            "nurse": "none",
            "minutes": "120",
        }
        response = f.login(coordinator).post(url, data, headers=HTMX)
        assert response.status_code == 422
        assert "Chair C02 is taken 10:00–12:00 by another patient" in response.content.decode()
        kept = Appointment.objects.get(pk=booked.pk)
        assert (kept.chair, kept.start) == (booked.chair, booked.start)

    def test_check_in_on_the_day(self, coordinator: Any, booked: Appointment, clock: Any) -> None:
        clock.move_to(at("08:55"))
        url = reverse("scheduling:status", args=[booked.public_id, "check_in"])
        response = f.login(coordinator).post(url, headers=HTMX)
        assert response.status_code == 200
        booked.refresh_from_db()
        assert booked.status == "checked_in"

    def test_a_nurse_may_not_cancel(self, org: Any, booked: Appointment) -> None:
        url = reverse("scheduling:cancel", args=[booked.public_id])
        nurse = f.login(f.make_user(org, "nurse"))
        assert nurse.post(url, {"reason_code": "illness"}).status_code == 403
        booked.refresh_from_db()
        assert booked.status != "cancelled"


class TestBookPage:
    def test_it_books_and_opens_the_board_on_that_day(
        self, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        data = {
            "order": order.public_id,
            "date": "2026-12-08",
            "time": "09:00",
            "chair": chairs["C01"].public_id,
            "nurse": "auto",
        }
        response = f.login(coordinator).post(reverse("scheduling:book"), data)
        assert response.status_code == 302
        assert "date=2026-12-08" in response["Location"]
        assert Appointment.objects.filter(order=order, status="booked").count() == 1

    def test_a_refusal_is_a_400_with_the_reason_and_saves_nothing(
        self, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        data = {
            "order": order.public_id,
            "date": "2026-12-08",
            "time": "18:00",
            "chair": chairs["C01"].public_id,
            "nurse": "auto",
        }
        response = f.login(coordinator).post(reverse("scheduling:book"), data)
        assert response.status_code == 400
        assert "this appointment would run 18:00–20:00" in response.content.decode()
        assert not Appointment.objects.exists()

    def test_the_order_picker_lists_active_orders(self, coordinator: Any, order: Any) -> None:
        url = reverse("scheduling:order_picker") + "?q=hopper"
        html = f.login(coordinator).get(url, headers=HTMX).content.decode()
        assert "Hopper, Grace" in html and "infliximab" in html


class TestSeriesPage:
    def test_it_proposes_and_books_the_ticked_doses(
        self, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        client = f.login(coordinator)
        url = reverse("scheduling:series", args=[order.public_id])
        html = client.get(url).content.decode()
        assert "Tue 12/22/2026" in html
        doses = [
            f"1|{at('09:00').isoformat()}|{chairs['C01'].public_id}",
            f"2|{at('09:00', dt.date(2026, 12, 22)).isoformat()}|{chairs['C01'].public_id}",
        ]
        response = client.post(url, {"dose": doses})
        assert response.status_code == 302
        assert Appointment.objects.filter(order=order).count() == 2

    def test_a_refused_dose_books_nothing_and_says_which(
        self, coordinator: Any, order: Any, chairs: Any
    ) -> None:
        url = reverse("scheduling:series", args=[order.public_id])
        doses = [
            f"1|{at('09:00').isoformat()}|{chairs['C01'].public_id}",
            f"2|{at('09:00', dt.date(2026, 12, 10)).isoformat()}|{chairs['C01'].public_id}",
        ]
        response = f.login(coordinator).post(url, {"dose": doses})
        assert response.status_code == 400
        assert "Dose 2 on 12/10/2026" in response.content.decode()
        assert not Appointment.objects.exists()


class TestCalendarExport:
    def test_it_exports_upcoming_appointments_without_the_drug(
        self, coordinator: Any, booked: Appointment
    ) -> None:
        url = reverse("scheduling:ics", args=[booked.patient.public_id])
        response = f.login(coordinator).get(url)
        assert response["Content-Type"].startswith("text/calendar")
        body = response.content.decode()
        assert "BEGIN:VEVENT" in body and "Infusion appointment" in body
        assert "infliximab" not in body.lower()
        assert AuditEvent.objects.filter(action="export", patient_id=booked.patient.public_id)


class TestRotaPages:
    def test_a_coordinator_adds_a_repeating_shift(
        self, coordinator: Any, nurse: Any, location: Any
    ) -> None:
        data = {
            "staff": nurse.pk,
            "location": location.pk,
            "date": "2026-12-08",
            "starts": "07:00",
            "ends": "15:30",
            "repeat_weeks": "3",
        }
        response = f.login(coordinator).post(reverse("scheduling:shifts"), data)
        assert response.status_code == 302
        assert NurseShift.objects.filter(staff=nurse).count() == 4

    def test_a_repeating_shift_says_which_closed_days_it_skipped(
        self, coordinator: Any, nurse: Any, location: Any
    ) -> None:
        client = f.login(coordinator)
        closure = {"date": "2026-12-15", "location": location.pk, "reason": "Snow day"}
        client.post(reverse("scheduling:closures"), closure)
        data = {
            "staff": nurse.pk,
            "location": location.pk,
            "date": "2026-12-08",
            "starts": "07:00",
            "ends": "15:30",
            "repeat_weeks": "2",
        }
        response = client.post(reverse("scheduling:shifts"), data, follow=True)
        assert "2 shift(s) added for" in response.content.decode()
        assert "(1 closed day(s) skipped)" in response.content.decode()
        assert not NurseShift.objects.filter(date=dt.date(2026, 12, 15)).exists()
        week = client.get(reverse("scheduling:shifts"), {"date": "2026-12-15"})
        assert "Closed: Snow day" in week.content.decode()

    def test_a_closure_on_a_booked_day_warns_how_many_to_move(
        self, coordinator: Any, booked: Appointment, location: Any
    ) -> None:
        data = {"date": "2026-12-08", "location": location.pk, "reason": "Snow day"}
        response = f.login(coordinator).post(reverse("scheduling:closures"), data, follow=True)
        assert "1 appointment(s) that day need to be moved" in response.content.decode()


class TestOrganizationWall:
    def test_another_organizations_records_are_not_found(
        self, coordinator: Any, foreign: Appointment
    ) -> None:
        client = f.login(coordinator)
        shift = NurseShift.objects.get(organization=foreign.organization)
        urls = [
            reverse("scheduling:panel", args=[foreign.public_id]),
            reverse("scheduling:find_slot", args=[foreign.order.public_id]),
            reverse("scheduling:series", args=[foreign.order.public_id]),
            reverse("scheduling:ics", args=[foreign.patient.public_id]),
            f"{reverse('scheduling:board')}?location={foreign.location.public_id}",
        ]
        for url in urls:
            assert client.get(url).status_code == 404, url
        posts = [
            reverse("scheduling:cancel", args=[foreign.public_id]),
            reverse("scheduling:status", args=[foreign.public_id, "confirm"]),
            reverse("scheduling:move", args=[foreign.public_id]),
            reverse("scheduling:shift_remove", args=[shift.public_id]),
        ]
        for url in posts:
            assert client.post(url, {"reason_code": "illness"}).status_code == 404, url
        foreign.refresh_from_db()
        assert foreign.status == "booked"

    def test_booking_another_organizations_order_is_not_found(
        self, coordinator: Any, foreign: Appointment, chairs: Any
    ) -> None:
        data = {
            "order": foreign.order.public_id,
            "date": "2026-12-09",
            "time": "09:00",
            "chair": chairs["C01"].public_id,
            "nurse": "auto",
        }
        with assert_no_db_changes(Appointment, AuditEvent):
            assert f.login(coordinator).post(reverse("scheduling:book"), data).status_code == 404


class TestOptimizePage:
    def test_it_proposes_then_applies(
        self, org: Any, coordinator: Any, location: Any, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr("chairside.scheduling.services.optimize.OPTIMIZE_SECONDS", 2.0)
        sf.make_shift(sf.make_nurse(org), location)
        for n in range(3):
            order = sf.make_order(f.make_patient(org), location=location)
            services.appointment_book(
                organization=org,
                user=coordinator,
                order=order,
                chair=location.chairs.get(name=f"C0{n + 1}"),
                start=at("09:00"),
                earliest_start=at("07:00"),
                latest_end=at("15:30"),
            )
        client = f.login(coordinator)
        query = f"?location={location.public_id}&date={DAY.isoformat()}"
        response = client.post(reverse("scheduling:optimize") + query, headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 200 and "Accept and apply" in html
        assert "most patients one nurse has at once" in html and "proven limits: at most" in html
        moves = [
            line.split('value="')[1].split('"')[0]
            for line in html.splitlines()
            if 'name="move"' in line
        ]
        fingerprint = html.split('name="fingerprint" value="')[1].split('"')[0]
        applied = client.post(
            reverse("scheduling:optimize_apply") + query,
            {"move": moves, "fingerprint": fingerprint},
            headers=HTMX,
        )
        assert applied.status_code == 200
        assert "Applied the optimizer&#x27;s proposal" in applied.content.decode()
        starts = set(Appointment.objects.values_list("start", flat=True))
        assert len(starts) > 1

    def test_a_nurse_may_not_optimize(self, org: Any, location: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        with assert_no_db_changes(Appointment, BackgroundJob):
            assert nurse.post(reverse("scheduling:optimize")).status_code == 403


class TestTodayCards:
    def test_it_counts_tomorrows_unconfirmed_appointments(
        self, coordinator: Any, booked: Appointment
    ) -> None:
        html = f.login(coordinator).get(reverse("today")).content.decode()
        assert "Unconfirmed appointments tomorrow" in html
        assert "Appointments without a nurse (next 7 days)" in html


class TestMangledLinks:
    def test_a_mangled_appointment_id_is_not_found(
        self, coordinator: Any, booked: Appointment
    ) -> None:
        response = f.login(coordinator).get(board_url(booked) + "&appointment=not-a-uuid")
        assert response.status_code == 404
