"""The readiness board reads a day's appointments in a fixed number of queries (issue 16:
the busy demo's board took 899 queries, about six per appointment for its authorization),
with the same findings as checking each appointment on its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chairside.access.authorizations.models import (
    AuthorizationOverride,
    AuthorizationUsage,
    BenefitsInvestigation,
)
from chairside.access.authorizations.services import (
    CheckRequest,
    authorization_check,
    authorization_checks,
)
from chairside.readiness import selectors
from chairside.readiness.today import readiness_cards
from chairside.rules.access import authorization_states
from chairside.scheduling.checks import units_for
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests import factories as sf
from chairside.tenancy.models import Membership
from chairside.treatments.models import Consent
from tests import factories as f

SOURCE = "scheduling.appointment"
KINDS = ("covered", "no_request", "used_up", "override", "payer_said_no", "no_pa_drug")


def _appointment(s: Any, n: int, kind: str) -> Appointment:
    """A patient with an order booked on ``sf.DAY`` in one of the authorization situations
    the board meets (one chair each, at 07:00: chair clashes are not what is measured)."""
    patient = f.make_patient(s.org, first_name="Pat", last_name=f"Busy{n}")
    drug = sf.make_drug(s.org, prior_auth_usually_required=kind != "no_pa_drug")
    order = sf.make_order(patient, drug=drug, location=s.location)
    coverage = f.make_coverage(patient, f.make_payer(s.org))
    auth = None
    if kind in {"covered", "used_up"}:
        auth = sf.make_authorization(order, visits_authorized=1 if kind == "used_up" else 6)
    BenefitsInvestigation.objects.create(  # verified: the payer says whether it needs one
        organization=s.org,
        patient=patient,
        order=order,
        coverage=coverage,
        status=BenefitsInvestigation.Status.VERIFIED,
        pa_required=(
            BenefitsInvestigation.PaRequired.NO
            if kind == "payer_said_no"
            else BenefitsInvestigation.PaRequired.YES
        ),
        plan_year=sf.DAY.year,
    )
    if kind == "no_request":  # a request denied long ago: the message names it
        sf.make_authorization(order, status=authorization_states.DENIED, start_on=None, end_on=None)
    override = None
    if kind == "override":
        override = AuthorizationOverride.objects.create(
            organization=s.org,
            order=order,
            on_date=sf.DAY,
            reason="Urgent dose (test)",
            missing="No approval",
            overridden_by=s.coordinator,
        )
    chair = s.chairs[f"C0{n % 4 + 1}"]
    start = sf.at(f"{7 + n % 10:02d}:00")
    appointment = Appointment.objects.create(
        organization=s.org,
        patient=patient,
        order=order,
        location=s.location,
        chair=chair,
        nurse=s.nurse,
        start=start,
        end=start + dt.timedelta(hours=2),
        dose_number=1,
        authorization=auth,
        authorization_override=override,
        status="confirmed" if n % 2 else "booked",
    )
    if auth is not None:  # the visit is reserved on the authorization, as booking does
        AuthorizationUsage.objects.create(
            order=order,
            authorization=auth,
            on_date=sf.DAY,
            units=units_for(order, 1),
            source_type=SOURCE,
            source_id=str(appointment.public_id),
        )
    if kind == "used_up":  # another visit already took the only one
        AuthorizationUsage.objects.create(
            order=order,
            authorization=auth,
            on_date=sf.DAY - dt.timedelta(days=3),
            units=10,
            source_type=SOURCE,
            source_id=f"earlier-{n}",
        )
    if n % 3 == 0:
        Consent.objects.create(
            organization=s.org,
            patient=patient,
            drug=drug,
            signer_name="Pat Busy",
            signature="data:image/png;base64,AAAA",
            signed_on=dt.date(2026, 11, 1),
            expires_on=dt.date(2027, 11, 1),
        )
    return appointment


def _scene(s: Any, count: int) -> list[Appointment]:
    sf.make_shift(s.nurse, s.location)
    return [_appointment(s, n, KINDS[n % len(KINDS)]) for n in range(count)]


def _queries(s: Any) -> tuple[int, list[Any]]:
    with CaptureQueriesContext(connection) as captured:
        [day] = selectors.readiness_rows(organization=s.org, days=[sf.DAY])
    return len(captured.captured_queries), day.rows


class TestFixedNumberOfQueries:
    @pytest.mark.parametrize("more", [12])
    def test_the_board_reads_twelve_appointments_in_as_many_queries_as_three(
        self, s: Any, more: int
    ) -> None:
        _scene(s, 3)
        _queries(s)  # the stock forecast is cached per site for a few minutes: warm it
        few, rows = _queries(s)
        assert len(rows) == 3
        for n in range(3, more):
            _appointment(s, n, KINDS[n % len(KINDS)])
        many, rows = _queries(s)
        assert len(rows) == more
        assert many == few, f"{few} queries for 3 appointments, {many} for {more}"

    def test_the_today_card_reads_a_fixed_number_of_queries(self, s: Any, rf: Any) -> None:
        request = rf.get("/")
        request.organization, request.user = s.org, s.coordinator
        request.membership = Membership.objects.get(user=s.coordinator, organization=s.org)
        _scene(s, 3)
        readiness_cards(request)
        with CaptureQueriesContext(connection) as few:
            [card] = readiness_cards(request)
        assert str(card.count).endswith(" of 3")
        for n in range(3, 12):
            _appointment(s, n, KINDS[n % len(KINDS)])
        with CaptureQueriesContext(connection) as many:
            [card] = readiness_cards(request)
        assert str(card.count).endswith(" of 12")
        assert len(many.captured_queries) == len(few.captured_queries)


class TestSameFindingsAsOneByOne:
    def test_the_today_count_equals_the_boards_not_ready_rows(self, s: Any) -> None:
        _scene(s, 12)
        Appointment.objects.filter(patient__last_name="Busy5").update(nurse=None)
        [day] = selectors.readiness_rows(organization=s.org, days=[sf.DAY])
        not_ready = sum(1 for row in day.rows if row.level == "not_ready")
        assert 0 < not_ready < 12
        assert selectors.not_ready_count(organization=s.org, day=sf.DAY) == (not_ready, 12)

    def test_each_authorization_finding_matches_the_single_check(self, s: Any) -> None:
        appointments = _scene(s, 12)
        _, rows = _queries(s)
        by_pk = {row.appointment.pk: row for row in rows}
        seen = set()
        for appointment in appointments:
            found = [f for f in by_pk[appointment.pk].findings if f.check == "authorization"]
            if appointment.authorization_override_id:
                assert [(f.blocking, f.message) for f in found] == [
                    (False, "Booked on an override: no approval yet.")
                ]
                seen.add("override")
                continue
            single = authorization_check(
                order=appointment.order,
                on_date=sf.DAY,
                units=units_for(appointment.order, 1),
                source_type=SOURCE,
                source_id=str(appointment.public_id),
            )
            expected = [] if single.ok else [(True, single.message)]
            assert [(f.blocking, f.message) for f in found] == expected
            seen.add(single.message.split(" ")[0])
        # every situation was met: covered, not needed, no cover, no visits left, override
        assert seen >= {"Covered", "No", "override"}
        messages = " ".join(f.message for row in rows for f in row.findings)
        assert "No visits left on authorization" in messages
        assert "the latest request is denied" in messages

    def test_the_batch_counts_usage_per_authorization_without_its_own_booking(self, s: Any) -> None:
        [covered] = [
            a for a in _scene(s, 6) if a.authorization_id and a.patient.last_name == "Busy0"
        ]
        order = covered.order
        units = units_for(order, 1)
        mine = CheckRequest(order, sf.DAY, units, SOURCE, str(covered.public_id))
        fresh = CheckRequest(order, sf.DAY, units)
        first, second = authorization_checks([mine, fresh])
        assert (first.visits_left, first.units_left) == (6, 300)  # its own visit not counted
        assert (second.visits_left, second.units_left) == (5, 300 - units)
        assert authorization_checks([]) == []


class TestBoardPage:
    def test_the_board_page_shows_every_appointment(self, s: Any) -> None:
        _scene(s, 6)
        client = f.login(s.coordinator)
        page = client.get(reverse("readiness:board"), {"days": "3"}).content.decode()
        for n in range(6):
            assert f"Busy{n}, Pat" in page
