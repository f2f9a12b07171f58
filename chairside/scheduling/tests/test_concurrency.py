"""Two coordinators, one chair: only one booking may win, whatever the timing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from chairside.scheduling import services
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import at
from tests import factories as f

THREADS = 20

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the exclusion constraint and row locks under real concurrency need PostgreSQL "
    "(SQLite serialises writers with IMMEDIATE transactions; see the service-level test)",
)


@pytest.mark.postgres_only
@on_postgres
@pytest.mark.django_db(transaction=True)
class TestTwentyCoordinatorsOneChair:
    def test_exactly_one_of_twenty_simultaneous_bookings_wins(self, clock: Any) -> None:
        org = f.make_org("Race Test")
        location = f.make_location(org, chairs=1)
        chair = location.chairs.get()
        user = f.make_user(org, "coordinator")
        orders = [sf.make_order(f.make_patient(org), location=location) for _ in range(THREADS)]
        start = threading.Barrier(THREADS)
        won: list[str] = []
        refused: list[str] = []

        def attempt(order: Any) -> None:
            try:
                start.wait()
                services.appointment_book(
                    organization=org, user=user, order=order, chair=chair, start=at("09:00")
                )
                won.append(order.patient.mrn)
            except ValidationError as exc:
                refused.append(exc.messages[0])
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(o,)) for o in orders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1
        assert len(refused) == THREADS - 1
        assert all("Chair C01" in message for message in refused)
        assert Appointment.objects.filter(chair=chair).count() == 1

    def test_the_database_refuses_an_overlap_written_around_the_service(self, clock: Any) -> None:
        org = f.make_org("Constraint Test")
        location = f.make_location(org, chairs=1)
        chair = location.chairs.get()
        first = sf.make_order(f.make_patient(org), location=location)
        second = sf.make_order(f.make_patient(org), location=location)
        fields = {"organization": org, "location": location, "chair": chair}
        Appointment.objects.create(
            patient=first.patient, order=first, start=at("09:00"), end=at("11:00"), **fields
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Appointment.objects.create(
                patient=second.patient, order=second, start=at("10:00"), end=at("12:00"), **fields
            )
        # A cancelled appointment does not hold the chair.
        Appointment.objects.create(
            patient=second.patient,
            order=second,
            start=at("10:00"),
            end=at("12:00"),
            status="cancelled",
            **fields,
        )


class TestSecondBookingOfAChair:
    def test_the_service_refuses_the_second_booking_on_any_database(
        self, org: Any, coordinator: Any, location: Any, chairs: Any, clock: Any
    ) -> None:
        first = sf.make_order(f.make_patient(org), location=location)
        second = sf.make_order(f.make_patient(org), location=location)
        services.appointment_book(
            organization=org, user=coordinator, order=first, chair=chairs["C01"], start=at("09:00")
        )
        with pytest.raises(ValidationError, match="Chair C01 is taken 09:00–11:00"):
            services.appointment_book(
                organization=org,
                user=coordinator,
                order=second,
                chair=chairs["C01"],
                start=at("09:30"),
            )
