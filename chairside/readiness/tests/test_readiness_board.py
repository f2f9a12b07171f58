"""The readiness board: every input of an appointment checked, live."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from chairside.formulary.models import Package
from chairside.inventory.tests import factories as inv
from chairside.readiness import selectors
from chairside.rules.scheduling.readiness import Level
from chairside.scheduling import services
from chairside.scheduling.tests import factories as sf
from chairside.tenancy.models import Competency
from chairside.treatments.models import Consent
from tests import factories as f


def _booked(s: Any) -> Any:
    sf.make_shift(s.nurse, s.location)
    return services.appointment_book(
        organization=s.org,
        user=s.coordinator,
        order=s.order,
        chair=s.chairs["C01"],
        start=sf.at("09:00"),
    ).appointment


def _row(s: Any) -> Any:
    [day] = selectors.readiness_rows(organization=s.org, days=[sf.DAY])
    [row] = day.rows
    return row


def _consent(s: Any) -> None:
    Consent.objects.create(
        organization=s.org,
        patient=s.patient,
        drug=s.order.drug,
        signer_name="Grace Hopper",
        signature="data:image/png;base64,AAAA",
        signed_on=dt.date(2026, 11, 1),
        expires_on=dt.date(2027, 11, 1),
    )


def _stock(s: Any, vials: int) -> Any:
    package = Package.objects.create(
        drug=s.order.drug,
        ndc11="57894003001",
        description="100 mg lyophilized powder, single-dose vial",
        strength_mg=Decimal(100),
    )
    return inv.make_lot(inv.make_place(s.location), package, vials=vials, lot_number="RSV100")


class TestDrugReserved:
    def test_a_booking_with_its_vials_reserved_passes_the_stock_check(self, s: Any) -> None:
        _stock(s, vials=10)
        _booked(s)
        assert "stock" not in {f.check for f in _row(s).findings}

    def test_without_a_reservation_it_is_at_risk_with_a_reserve_button(self, s: Any) -> None:
        appointment = _booked(s)
        [stock] = [f for f in _row(s).findings if f.check == "stock"]
        assert (stock.label, stock.blocking) == ("Drug reserved", False)
        assert stock.message == "No infliximab vials reserved yet: reserve them now."
        page = f.login(s.coordinator).get(reverse("readiness:board")).content.decode()
        assert f"/inventory/reservations/{appointment.public_id}/reserve/" in page

    def test_a_cancelled_booking_gives_its_vials_to_the_next_patient(self, s: Any) -> None:
        _stock(s, vials=4)
        first = _booked(s)
        services.appointment_cancel(
            appointment=first, user=s.coordinator, reason_code="patient_request"
        )
        assert not first.reservations.filter(status="active").exists()
        second = services.appointment_book(
            organization=s.org,
            user=s.coordinator,
            order=s.order,
            chair=s.chairs["C02"],
            start=sf.at("10:00"),
        ).appointment
        assert [r.vials for r in second.reservations.filter(status="active")] == [4]


class TestReadiness:
    def test_unconfirmed_without_consent_is_at_risk_naming_both(self, s: Any) -> None:
        _booked(s)
        row = _row(s)
        assert row.level is Level.AT_RISK
        assert {f.check for f in row.findings} >= {"consent", "confirmed"}
        assert not any(f.blocking for f in row.findings)

    def test_confirmed_with_consent_is_ready(self, s: Any) -> None:
        _stock(s, vials=10)
        appointment = _booked(s)
        _consent(s)
        services.appointment_confirm(appointment=appointment, user=s.coordinator)
        if s.location.requires_supervision_on_site:
            assert [f.check for f in _row(s).findings] == ["supervision"]
            doctor = sf.make_nurse(s.org, "Elena", "Marsh", competencies={}, credential="MD")
            sf.make_shift(doctor, s.location)
        row = _row(s)
        assert [f.message for f in row.findings] == []
        assert row.level is Level.READY

    def test_a_lapsed_competency_makes_it_not_ready_at_once(self, s: Any) -> None:
        _booked(s)
        Competency.objects.filter(staff=s.nurse, skill="bls").update(
            expires_on=dt.date(2026, 12, 1)
        )
        row = _row(s)
        assert row.level is Level.NOT_READY
        [nurse] = [f for f in row.findings if f.check == "nurse"]
        assert "expired 12/01/2026" in nurse.message

    def test_an_authorization_that_ends_makes_it_not_ready(self, s: Any) -> None:
        s.order.drug.prior_auth_usually_required = True
        s.order.drug.save()
        sf.make_authorization(s.order)
        _booked(s)
        assert _row(s).level is not Level.NOT_READY or all(
            f.check != "authorization" for f in _row(s).findings
        )
        s.order.authorizations.update(end_on=dt.date(2026, 12, 1))
        row = _row(s)
        assert row.level is Level.NOT_READY
        assert any(f.check == "authorization" and f.blocking for f in row.findings)


class TestBoardPage:
    def test_the_coordinator_sees_the_day_with_links(self, s: Any) -> None:
        _booked(s)
        client = f.login(s.coordinator)
        page = client.get(reverse("readiness:board"), {"days": "3"}).content.decode()
        assert "Hopper, Grace" in page
        assert "The patient has not confirmed." in page
        assert f"appointment={_row(s).appointment.public_id}" in page

    def test_a_mangled_site_shows_all_sites(self, s: Any) -> None:
        client = f.login(s.coordinator)
        assert (
            client.get(reverse("readiness:board"), {"site": "x", "days": "zz"}).status_code == 200
        )

    def test_another_organizations_appointments_never_show(self, s: Any, other_org: Any) -> None:
        _booked(s)
        outsider = f.login(f.make_user(other_org, "coordinator"))
        page = outsider.get(reverse("readiness:board")).content.decode()
        assert "Hopper" not in page


class TestRescheduleRequest:
    def test_a_patient_who_asked_to_reschedule_is_named_on_the_board(self, s: Any) -> None:
        from chairside.reminders.services import reschedule_request_create

        appointment = _booked(s)
        services.appointment_confirm(appointment=appointment, user=s.coordinator)
        reschedule_request_create(appointment=appointment)
        row = _row(s)
        [finding] = [f for f in row.findings if f.check == "confirmed"]
        assert finding.message.startswith("The patient asked to reschedule")
        assert row.level is Level.AT_RISK
