"""Vital signs: impossible readings refused with nothing saved; abnormal ones flagged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.treatments import services
from chairside.treatments.models import Vitals
from chairside.treatments.tests import factories as tf


class TestVitalsRecord:
    def test_it_saves_normal_readings_without_flags(self, visit: Any, nurse_user: Any) -> None:
        row = services.vitals_record(
            visit=visit,
            user=nurse_user,
            phase="pre",
            taken_at=tf.at("09:05"),
            systolic=120,
            diastolic=80,
            pulse=70,
            temperature_c=Decimal("36.9"),
            spo2=98,
            respiratory_rate=16,
        )
        assert row.flags == [] and row.temperature_f == Decimal("98.4")

    def test_it_refuses_impossible_values_and_saves_nothing(
        self, visit: Any, nurse_user: Any
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            services.vitals_record(
                visit=visit,
                user=nurse_user,
                phase="pre",
                systolic=1200,
                diastolic=80,
                temperature_c=Decimal("98.6"),
            )
        assert set(caught.value.message_dict) == {"systolic", "temperature_c"}
        assert not Vitals.objects.exists()

    def test_it_flags_a_fever(self, visit: Any, nurse_user: Any) -> None:
        row = services.vitals_record(
            visit=visit, user=nurse_user, phase="pre", temperature_c=Decimal("38.3")
        )
        assert row.worst_flag == "critical"
        assert "fever" in row.flags[0]["message"]

    def test_it_refuses_a_reading_on_another_day(self, visit: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="visit day"):
            services.vitals_record(
                visit=visit,
                user=nurse_user,
                phase="pre",
                pulse=70,
                taken_at=tf.at("09:00", tf.DAY.replace(day=7)),
            )

    def test_it_refuses_an_empty_set(self, visit: Any, nurse_user: Any) -> None:
        with pytest.raises(ValidationError, match="at least one"):
            services.vitals_record(visit=visit, user=nurse_user, phase="pre")
