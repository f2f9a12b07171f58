"""Readings entered or imported from a CSV: excursions flagged and followed up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.audit.models import AuditEvent
from chairside.compliance import services
from chairside.compliance.models import TemperatureExcursion, TemperatureImport, TemperatureReading
from chairside.compliance.tests import factories as cf

pytestmark = pytest.mark.django_db


class TestReadingRecord:
    def test_it_keeps_a_reading_in_range_without_an_excursion(self, location: Any) -> None:
        fridge = cf.make_device(location)
        reading = cf.read(fridge, cf.at(location, 1), "4.2")
        assert reading.status == "in_range" and reading.excursion is None

    def test_it_opens_an_excursion_for_a_reading_out_of_range(self, location: Any) -> None:
        fridge = cf.make_device(location)
        reading = cf.read(fridge, cf.at(location, 1), "9.4")
        excursion = reading.excursion
        assert excursion is not None and not excursion.has_follow_up
        assert excursion.description == "9.4 °C is above the 2.0 to 8.0 °C range (above 8.0)."

    def test_consecutive_readings_out_of_range_are_one_excursion(self, location: Any) -> None:
        fridge = cf.make_device(location)
        cf.read(fridge, cf.at(location, 2, 8), "9.4")
        cf.read(fridge, cf.at(location, 2, 16), "11.0")
        cf.read(fridge, cf.at(location, 1, 8), "5.0")
        cf.read(fridge, cf.at(location, 1, 16), "1.2")
        excursions = TemperatureExcursion.objects.filter(device=fridge).order_by("started_at")
        assert [(e.min_c, e.max_c) for e in excursions] == [
            (Decimal("9.4"), Decimal("11.0")),
            (Decimal("1.2"), Decimal("1.2")),
        ]

    def test_a_room_within_15_to_30_is_allowed_while_its_mkt_stays_at_most_25(
        self, location: Any
    ) -> None:
        room = cf.make_device(location, "Clean room anteroom", "room")
        for day in range(10, 2, -1):
            cf.read(room, cf.at(location, day), "21.0")
        warm = cf.read(room, cf.at(location, 2), "27.0")
        assert warm.status == "allowed" and warm.excursion is None
        hot = cf.read(room, cf.at(location, 1), "31.0")
        assert hot.status == "excursion" and hot.excursion is not None

    def test_it_refuses_a_second_reading_at_the_same_time(self, location: Any) -> None:
        fridge = cf.make_device(location)
        cf.read(fridge, cf.at(location, 1), "4.0")
        with pytest.raises(ValidationError, match="reading at that time already"):
            cf.read(fridge, cf.at(location, 1), "5.0")


class TestFollowUp:
    def test_it_records_the_action_and_the_product_impact(
        self, location: Any, admin_user: Any
    ) -> None:
        fridge = cf.make_device(location)
        excursion = cf.read(fridge, cf.at(location, 1), "10.0").excursion
        done = services.excursion_follow_up(
            excursion=excursion,
            user=admin_user,
            action_taken="Door found ajar; closed, unit checked.",
            product_impact="Manufacturer stability data: stable 24 h up to 25 °C. Stock kept.",
        )
        assert done.has_follow_up and done.followed_up_by == admin_user
        assert AuditEvent.objects.filter(object_id=excursion.public_id, action="update").exists()

    def test_it_needs_both_the_action_and_the_impact(self, location: Any, admin_user: Any) -> None:
        fridge = cf.make_device(location)
        excursion = cf.read(fridge, cf.at(location, 1), "10.0").excursion
        with pytest.raises(ValidationError) as err:
            services.excursion_follow_up(
                excursion=excursion, user=admin_user, action_taken="  ", product_impact=""
            )
        assert set(err.value.message_dict) == {"action_taken", "product_impact"}
        excursion.refresh_from_db()
        assert not excursion.has_follow_up

    def test_a_reading_after_a_follow_up_opens_a_new_excursion(
        self, location: Any, admin_user: Any
    ) -> None:
        fridge = cf.make_device(location)
        first = cf.read(fridge, cf.at(location, 2), "10.0").excursion
        services.excursion_follow_up(
            excursion=first, user=admin_user, action_taken="Serviced", product_impact="None"
        )
        second = cf.read(fridge, cf.at(location, 1), "10.5").excursion
        assert second.pk != first.pk


CSV_GOOD = (
    "device,at,celsius\n"
    "Medication refrigerator,{d1} 08:00,4.1\n"
    "Medication refrigerator,{d1} 16:00,9.2\n"
    "Medication refrigerator,{d2} 08:00,4.4\n"
)


def _csv(location: Any, body: str) -> bytes:
    d1 = cf.at(location, 2).date().isoformat()
    d2 = cf.at(location, 1).date().isoformat()
    return body.format(d1=d1, d2=d2).encode()


class TestCsvImport:
    def test_the_dry_run_lists_every_row_problem_and_imports_nothing(
        self, location: Any, admin_user: Any
    ) -> None:
        cf.make_device(location)
        data = _csv(
            location,
            "device,at,celsius\n"
            "Medication refrigerator,{d1} 08:00,4.1\n"
            "Vaccine fridge,{d1} 08:00,4.0\n"
            "Medication refrigerator,yesterday,warm\n",
        )
        batch = services.temperature_csv_upload(
            organization=location.organization,
            user=admin_user,
            location=location,
            filename="log.csv",
            data=data,
        )
        assert batch.status == TemperatureImport.Status.PROBLEMS
        assert [(p["row"], p["column"]) for p in batch.problems] == [
            (3, "device"),
            (4, "at"),
            (4, "celsius"),
        ]
        assert "'Vaccine fridge' is not a device" in batch.problems[0]["message"]
        assert TemperatureReading.objects.count() == 0

    def test_a_clean_file_is_checked_then_imported_with_its_excursion(
        self, location: Any, admin_user: Any
    ) -> None:
        fridge = cf.make_device(location)
        batch = services.temperature_csv_upload(
            organization=location.organization,
            user=admin_user,
            location=location,
            filename="log.csv",
            data=_csv(location, CSV_GOOD),
        )
        assert batch.status == TemperatureImport.Status.CHECKED and batch.row_count == 3
        assert TemperatureReading.objects.count() == 0  # the dry run keeps nothing
        batch = services.temperature_csv_commit(batch=batch, user=admin_user)
        assert batch.status == TemperatureImport.Status.IMPORTED
        assert fridge.readings.count() == 3
        assert fridge.excursions.get().max_c == Decimal("9.2")
        with pytest.raises(ValidationError, match="imported already"):
            services.temperature_csv_commit(batch=batch, user=admin_user)

    def test_it_imports_nothing_when_a_row_became_a_problem_since_the_dry_run(
        self, location: Any, admin_user: Any
    ) -> None:
        fridge = cf.make_device(location)
        batch = services.temperature_csv_upload(
            organization=location.organization,
            user=admin_user,
            location=location,
            filename="log.csv",
            data=_csv(location, CSV_GOOD),
        )
        cf.read(fridge, cf.at(location, 1), "4.0")  # the third row's time, entered by hand
        batch = services.temperature_csv_commit(batch=batch, user=admin_user)
        assert batch.status == TemperatureImport.Status.PROBLEMS
        assert batch.problems[0]["row"] == 4
        assert fridge.readings.count() == 1 and not fridge.excursions.exists()

    def test_it_reads_fahrenheit_and_refuses_a_file_that_is_not_utf8(
        self, location: Any, admin_user: Any
    ) -> None:
        fridge = cf.make_device(location)
        data = _csv(location, "device,at,fahrenheit\nMedication refrigerator,{d1} 08:00,39.2\n")
        batch = services.temperature_csv_upload(
            organization=location.organization,
            user=admin_user,
            location=location,
            filename="f.csv",
            data=data,
        )
        services.temperature_csv_commit(batch=batch, user=admin_user)
        assert fridge.readings.get().celsius == Decimal("4.0")
        with pytest.raises(ValidationError, match="not UTF-8"):
            services.temperature_csv_upload(
                organization=location.organization,
                user=admin_user,
                location=location,
                filename="x.csv",
                data=b"device,at,celsius\n\xff\xfe",
            )
