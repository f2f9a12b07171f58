from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.clinical.vitals import (
    BOUNDS,
    VitalSigns,
    c_to_f,
    check_vitals,
    f_to_c,
    flag_vitals,
    problems,
)

NORMAL = VitalSigns(
    systolic=118,
    diastolic=76,
    pulse=72,
    temperature_c=Decimal("36.8"),
    spo2=98,
    respiratory_rate=16,
)


class TestConversions:
    def test_it_converts_body_temperatures(self):
        assert c_to_f(Decimal("37.0")) == Decimal("98.6")
        assert c_to_f(Decimal("38.0")) == Decimal("100.4")
        assert f_to_c(Decimal("100.4")) == Decimal("38.0")

    @given(st.decimals(min_value=30, max_value=44, places=1))
    def test_it_round_trips_to_the_tenth(self, celsius):
        assert abs(f_to_c(c_to_f(celsius)) - celsius) <= Decimal("0.1")


class TestImpossibleValues:
    def test_it_accepts_a_normal_set(self):
        check_vitals(NORMAL)
        assert flag_vitals(NORMAL) == []

    def test_it_refuses_an_empty_set(self):
        with pytest.raises(ValueError, match="at least one reading"):
            check_vitals(VitalSigns())

    def test_it_refuses_a_blood_pressure_typed_with_an_extra_digit(self):
        with pytest.raises(ValueError, match="Systolic blood pressure 1200 mmHg is not possible"):
            check_vitals(VitalSigns(systolic=1200, diastolic=80))

    def test_it_suspects_fahrenheit_in_the_celsius_field(self):
        found = problems(VitalSigns(temperature_c=Decimal("98.6")))
        assert "typed in °F" in found["temperature_c"]

    def test_it_refuses_a_diastolic_above_the_systolic(self):
        found = problems(VitalSigns(systolic=80, diastolic=120))
        assert "were they swapped" in found["diastolic"]

    def test_it_wants_both_numbers_of_a_blood_pressure(self):
        assert "both numbers" in problems(VitalSigns(systolic=120))["diastolic"]

    def test_it_refuses_an_oxygen_saturation_over_100(self):
        assert "spo2" in problems(VitalSigns(spo2=101))

    def test_it_refuses_a_fractional_pulse_and_a_boolean(self):
        assert "whole number" in problems(VitalSigns(pulse=Decimal("72.5")))["pulse"]  # type: ignore[arg-type]
        assert "must be a number" in problems(VitalSigns(pulse=True))["pulse"]

    @given(
        st.sampled_from(sorted(BOUNDS)),
        st.integers(min_value=-1000, max_value=1000),
    )
    def test_it_never_flags_what_it_refused(self, name, value):
        reading = Decimal(value) if name == "temperature_c" else value
        fields: dict[str, Any] = {name: reading}
        vitals = VitalSigns(**fields)
        bound = BOUNDS[name]
        if bound.low <= Decimal(value) <= bound.high:
            if name in {"systolic", "diastolic"}:
                return  # half a blood pressure is its own problem
            flag_vitals(vitals)  # plausible: flags, never raises
        else:
            with pytest.raises(ValueError):
                flag_vitals(vitals)


class TestFlags:
    def test_it_flags_a_fever_as_critical(self):
        flags = flag_vitals(VitalSigns(temperature_c=Decimal("38.2")))
        assert [(f.field, f.level) for f in flags] == [("temperature_c", "critical")]
        assert "100.8 °F" in flags[0].message

    def test_it_flags_a_hypertensive_crisis(self):
        flags = flag_vitals(VitalSigns(systolic=186, diastolic=100))
        assert flags[0].level == "critical"
        assert "crisis" in flags[0].message

    def test_it_flags_stage_two_hypertension_and_hypotension(self):
        assert flag_vitals(VitalSigns(systolic=140, diastolic=85))[0].level == "abnormal"
        assert "low" in flag_vitals(VitalSigns(systolic=88, diastolic=58))[0].message

    def test_it_flags_low_oxygen_and_hypoxemia(self):
        assert flag_vitals(VitalSigns(spo2=93))[0].level == "abnormal"
        assert flag_vitals(VitalSigns(spo2=88))[0].level == "critical"

    def test_it_flags_pulse_and_breathing_outside_normal(self):
        fields = {f.field for f in flag_vitals(VitalSigns(pulse=112, respiratory_rate=24))}
        assert fields == {"pulse", "respiratory_rate"}

    def test_the_limits_of_normal_are_normal(self):
        edge = VitalSigns(
            systolic=139,
            diastolic=89,
            pulse=100,
            temperature_c=Decimal("37.3"),
            spo2=95,
            respiratory_rate=18,
        )
        assert flag_vitals(edge) == []


class TestUnits:
    def test_fahrenheit_is_stored_in_celsius(self):
        from chairside.rules.clinical.vitals import temperature_in_c

        assert temperature_in_c(Decimal("98.6"), "F") == Decimal("37.0")
        assert temperature_in_c(Decimal("100.4"), "F") == Decimal("38.0")  # CDC fever line
        assert temperature_in_c(Decimal("36.84"), "C") == Decimal("36.8")

    def test_pounds_are_stored_in_kilograms(self):
        from chairside.rules.clinical.vitals import weight_in_kg

        assert weight_in_kg(Decimal("154"), "lb") == Decimal("69.9")  # 154 x 0.45359237
        assert weight_in_kg(Decimal("121.3"), "lb") == Decimal("55.0")
        assert weight_in_kg(Decimal("70.04"), "kg") == Decimal("70.0")

    @pytest.mark.parametrize(("fn", "unit"), [("temperature_in_c", "K"), ("weight_in_kg", "st")])
    def test_an_unknown_unit_is_refused(self, fn, unit):
        from chairside.rules.clinical import vitals

        with pytest.raises(ValueError, match="unit"):
            getattr(vitals, fn)(Decimal(1), unit)

    def test_a_stored_weight_shows_both_units_and_round_trips(self):
        from chairside.rules.clinical.vitals import kg_to_lb, weight_in_kg, weight_shown

        assert kg_to_lb(Decimal("69.9")) == Decimal("154.1")
        assert weight_shown(Decimal("69.9")) == "69.9 kg (154.1 lb)"
        assert weight_shown(None) == "—"
        # Shown in lb and saved again unchanged, the stored kg does not drift.
        for tenth in range(5, 4000, 7):
            kg = Decimal(tenth) / 10
            assert weight_in_kg(kg_to_lb(kg), "lb") == kg
