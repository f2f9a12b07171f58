from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.clinical.regimens import (
    DoseRule,
    Regimen,
    WeightBand,
    bands_from_data,
    bands_to_data,
    check_regimen,
    describe_band,
    dose_dates,
    dose_mg,
    doses_between,
    earliest_next_dose,
    weight_band_index,
)

D = Decimal
MONDAY = date(2025, 1, 6)

# FDA label schedules, written as the labels write them.
INFLIXIMAB = Regimen((0, 14, 42), 56)  # Remicade: weeks 0, 2, 6, then every 8 weeks
VEDOLIZUMAB = Regimen((0, 14, 42), 56)  # Entyvio IV: 300 mg weeks 0, 2, 6, then every 8 weeks
# Ocrevus: 300 mg day 1 and day 15, then 600 mg every 6 months counted from the FIRST infusion.
OCRELIZUMAB = Regimen((0, 14, 182), 182)
NATALIZUMAB = Regimen((0,), 28)  # Tysabri: 300 mg every 4 weeks
RITUXIMAB_RA = Regimen((0, 14), None)  # Rituxan RA: two 1000 mg infusions 2 weeks apart
TOCILIZUMAB = Regimen((0,), 28)  # Actemra IV: every 4 weeks


def weeks(*numbers: int) -> list[date]:
    return [MONDAY + timedelta(weeks=n) for n in numbers]


@st.composite
def regimens(draw: st.DrawFn) -> Regimen:
    later = draw(st.lists(st.integers(1, 400), max_size=5, unique=True))
    interval = draw(st.one_of(st.none(), st.integers(1, 400)))
    # An interval with no loading days is the same schedule as loading days (0,).
    no_loading = interval is not None and not later and draw(st.booleans())
    loading = () if no_loading else (0, *sorted(later))
    return Regimen(loading, interval)


first_doses = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 1, 1))


class TestDoseDates:
    def test_it_follows_the_infliximab_label(self):
        assert dose_dates(INFLIXIMAB, MONDAY, 6) == weeks(0, 2, 6, 14, 22, 30)

    def test_it_follows_the_vedolizumab_label(self):
        assert dose_dates(VEDOLIZUMAB, MONDAY, 5) == weeks(0, 2, 6, 14, 22)

    def test_it_counts_ocrelizumab_maintenance_from_the_first_infusion(self):
        assert dose_dates(OCRELIZUMAB, MONDAY, 4) == [
            date(2025, 1, 6),
            date(2025, 1, 20),
            date(2025, 7, 7),  # 182 days after Jan 6, not after Jan 20
            date(2026, 1, 5),
        ]

    def test_it_follows_the_natalizumab_label(self):
        assert dose_dates(NATALIZUMAB, MONDAY, 4) == weeks(0, 4, 8, 12)

    def test_it_gives_a_fixed_rituximab_course(self):
        assert dose_dates(RITUXIMAB_RA, MONDAY, 2) == weeks(0, 2)

    def test_it_refuses_a_dose_beyond_a_fixed_course(self):
        with pytest.raises(ValueError, match="fixed course has 2 doses"):
            dose_dates(RITUXIMAB_RA, MONDAY, 3)

    def test_it_starts_on_day_0_without_loading_doses(self):
        assert dose_dates(Regimen((), 21), MONDAY, 3) == weeks(0, 3, 6)

    def test_it_gives_nothing_for_count_0(self):
        assert dose_dates(INFLIXIMAB, MONDAY, 0) == []
        assert dose_dates(RITUXIMAB_RA, MONDAY, 0) == []

    def test_it_rejects_a_negative_count(self):
        with pytest.raises(ValueError, match="negative"):
            dose_dates(INFLIXIMAB, MONDAY, -1)

    @pytest.mark.parametrize(
        ("regimen", "message"),
        [
            (Regimen((7, 14), 56), "start at 0"),
            (Regimen((0, 14, 14), 56), "strictly increase"),
            (Regimen((0, 42, 14), 56), "strictly increase"),
            (Regimen((0,), 0), "greater than 0"),
            (Regimen((0,), -28), "greater than 0"),
            (Regimen((), None), "needs loading days"),
        ],
    )
    def test_it_rejects_an_invalid_regimen(self, regimen, message):
        with pytest.raises(ValueError, match=message):
            dose_dates(regimen, MONDAY, 1)
        with pytest.raises(ValueError, match=message):
            check_regimen(regimen)

    @given(regimens(), first_doses, st.integers(0, 30))
    def test_it_is_strictly_increasing_and_keeps_the_interval(self, regimen, first, count):
        offsets = regimen.loading_days or (0,)
        if regimen.maintenance_interval_days is None:
            count = min(count, len(offsets))
        dates = dose_dates(regimen, first, count)
        assert len(dates) == count
        assert all(a < b for a, b in zip(dates, dates[1:], strict=False))
        assert dates[: len(offsets)] == [first + timedelta(days=d) for d in offsets][:count]
        maintenance = dates[len(offsets) - 1 :]
        gaps = {(b - a).days for a, b in zip(maintenance, maintenance[1:], strict=False)}
        assert gaps <= {regimen.maintenance_interval_days}


class TestDosesBetween:
    def test_it_lists_the_infliximab_doses_in_a_quarter(self):
        assert doses_between(INFLIXIMAB, MONDAY, date(2025, 2, 1), date(2025, 4, 30)) == weeks(
            6, 14
        )

    def test_it_includes_both_ends_of_the_window(self):
        start, end = MONDAY + timedelta(weeks=14), MONDAY + timedelta(weeks=22)
        assert doses_between(INFLIXIMAB, MONDAY, start, end) == [start, end]

    def test_it_finds_a_dose_years_into_maintenance(self):
        day = MONDAY + timedelta(weeks=4 * 300)
        assert doses_between(NATALIZUMAB, MONDAY, day, day) == [day]

    def test_it_finds_nothing_before_the_first_dose_or_after_a_fixed_course(self):
        assert doses_between(INFLIXIMAB, MONDAY, date(2024, 1, 1), date(2025, 1, 5)) == []
        assert doses_between(RITUXIMAB_RA, MONDAY, date(2025, 2, 1), date(2030, 1, 1)) == []

    def test_it_rejects_a_window_that_ends_before_it_starts(self):
        with pytest.raises(ValueError, match="after it ends"):
            doses_between(INFLIXIMAB, MONDAY, date(2025, 2, 1), date(2025, 1, 1))

    @given(regimens(), first_doses, st.integers(-100, 3000), st.integers(0, 400))
    def test_it_agrees_with_dose_dates(self, regimen, first, start_day, length):
        start = first + timedelta(days=start_day)
        end = start + timedelta(days=length)
        offsets = regimen.loading_days or (0,)
        interval = regimen.maintenance_interval_days
        count = len(offsets) if interval is None else len(offsets) + 3500 // interval + 1
        expected = [d for d in dose_dates(regimen, first, count) if start <= d <= end]
        assert doses_between(regimen, first, start, end) == expected


class TestEarliestNextDose:
    def test_it_gives_the_first_dose_when_none_was_given(self):
        assert earliest_next_dose(INFLIXIMAB, MONDAY, 0) == MONDAY

    def test_it_gives_the_first_maintenance_dose_after_the_loading_doses(self):
        assert earliest_next_dose(INFLIXIMAB, MONDAY, 3) == weeks(14)[0]
        assert earliest_next_dose(OCRELIZUMAB, MONDAY, 2) == date(2025, 7, 7)

    def test_it_gives_none_when_a_fixed_course_is_complete(self):
        assert earliest_next_dose(RITUXIMAB_RA, MONDAY, 1) == weeks(2)[0]
        assert earliest_next_dose(RITUXIMAB_RA, MONDAY, 2) is None

    def test_it_rejects_a_negative_count(self):
        with pytest.raises(ValueError, match="negative"):
            earliest_next_dose(INFLIXIMAB, MONDAY, -1)

    @given(regimens(), first_doses, st.integers(0, 20))
    def test_it_is_the_next_date_of_the_schedule(self, regimen, first, given_count):
        offsets = regimen.loading_days or (0,)
        if regimen.maintenance_interval_days is None and given_count >= len(offsets):
            assert earliest_next_dose(regimen, first, given_count) is None
        else:
            expected = dose_dates(regimen, first, given_count + 1)[-1]
            assert earliest_next_dose(regimen, first, given_count) == expected


class TestDoseMg:
    def test_it_gives_a_flat_dose_whatever_the_weight(self):
        # Vedolizumab 300 mg, natalizumab 300 mg, ocrelizumab 600 mg: flat doses.
        assert dose_mg(DoseRule(mg=D("300")), D("58")) == D("300")
        assert dose_mg(DoseRule(mg=D("600")), D("0")) == D("600")

    def test_it_multiplies_a_weight_based_dose_exactly(self):
        # Infliximab 5 mg/kg (Remicade label).
        assert dose_mg(DoseRule(mg_per_kg=D("5")), D("72.35")) == D("361.75")
        assert dose_mg(DoseRule(mg_per_kg=D("0.375")), D("81.123456789")) == D("30.421296295875")

    def test_it_caps_tocilizumab_at_800_mg_per_infusion(self):
        # Actemra IV label: 4 mg/kg then 8 mg/kg every 4 weeks; doses over 800 mg not advised.
        rule = DoseRule(mg_per_kg=8, max_mg=800)  # type: ignore[arg-type]
        assert dose_mg(rule, D("120")) == 800
        assert dose_mg(rule, D("100")) == 800
        assert dose_mg(rule, D("70")) == D("560")
        assert dose_mg(DoseRule(mg_per_kg=D("4"), max_mg=D("800")), D("120")) == D("480")

    def test_it_accepts_the_weight_limits(self):
        assert dose_mg(DoseRule(mg_per_kg=D("1")), D("400")) == D("400")
        assert dose_mg(DoseRule(mg_per_kg=D("1")), D("0.001")) == D("0.001")

    @pytest.mark.parametrize("weight", [D("0"), D("-70"), D("400.01"), D("70000"), D("NaN")])
    def test_it_rejects_an_implausible_weight_for_a_weight_based_dose(self, weight):
        with pytest.raises(ValueError, match="weight"):
            dose_mg(DoseRule(mg_per_kg=D("5")), weight)

    @pytest.mark.parametrize(
        "rule",
        [DoseRule(), DoseRule(mg=D("300"), mg_per_kg=D("5")), DoseRule(max_mg=D("800"))],
    )
    def test_it_needs_exactly_one_of_mg_and_mg_per_kg(self, rule):
        with pytest.raises(ValueError, match="exactly one of mg, mg_per_kg and bands"):
            dose_mg(rule, D("70"))

    @pytest.mark.parametrize(
        "rule",
        [DoseRule(mg=D("0")), DoseRule(mg_per_kg=D("-5")), DoseRule(mg=D("300"), max_mg=D("0"))],
    )
    def test_it_rejects_amounts_that_are_not_positive(self, rule):
        with pytest.raises(ValueError, match="greater than 0"):
            dose_mg(rule, D("70"))

    def test_it_rejects_a_flat_dose_above_its_own_cap(self):
        with pytest.raises(ValueError, match="exceeds"):
            dose_mg(DoseRule(mg=D("1000"), max_mg=D("800")), D("70"))

    def test_it_rejects_floats(self):
        with pytest.raises(ValueError, match="Decimal"):
            dose_mg(DoseRule(mg_per_kg=D("5")), 70.5)  # type: ignore[arg-type]

    @given(
        st.decimals(min_value=D("0.001"), max_value=D("50"), places=3),
        st.decimals(min_value=D("0.5"), max_value=D("400"), places=2),
        st.one_of(st.none(), st.decimals(min_value=D("1"), max_value=D("2000"), places=0)),
    )
    def test_it_never_exceeds_the_cap_and_never_rounds(self, per_kg, weight, cap):
        dose = dose_mg(DoseRule(mg_per_kg=per_kg, max_mg=cap), weight)
        assert dose == (per_kg * weight if cap is None else min(per_kg * weight, cap))


# STELARA label 2.3, Table (Crohn's disease / ulcerative colitis IV induction):
# "55 kg or less" 260 mg, "more than 55 kg to 85 kg" 390 mg, "more than 85 kg" 520 mg.
USTEKINUMAB_IV = DoseRule(
    bands=(
        WeightBand(D("260"), up_to_kg=D("55")),
        WeightBand(D("390"), up_to_kg=D("85")),
        WeightBand(D("520")),
    )
)
# ORENCIA label 2.1, Table 1 (adult RA/PsA IV): "less than 60 kg" 500 mg, "60 to 100 kg"
# 750 mg, "more than 100 kg" 1,000 mg.
ABATACEPT_IV = DoseRule(
    bands=(
        WeightBand(D("500"), below_kg=D("60")),
        WeightBand(D("750"), up_to_kg=D("100")),
        WeightBand(D("1000")),
    )
)


class TestWeightBands:
    def test_it_gives_a_50_kg_crohns_patient_260_mg_of_iv_ustekinumab(self):
        assert dose_mg(USTEKINUMAB_IV, D("50")) == D("260")

    @pytest.mark.parametrize(
        ("weight", "mg"),
        [("55", "260"), ("55.1", "390"), ("85", "390"), ("85.1", "520"), ("140", "520")],
    )
    def test_it_puts_ustekinumab_boundaries_where_the_label_does(self, weight, mg):
        assert dose_mg(USTEKINUMAB_IV, D(weight)) == D(mg)

    @pytest.mark.parametrize(
        ("weight", "mg"),
        [("59.9", "500"), ("60", "750"), ("100", "750"), ("100.1", "1000")],
    )
    def test_it_puts_abatacept_boundaries_where_the_label_does(self, weight, mg):
        assert dose_mg(ABATACEPT_IV, D(weight)) == D(mg)

    def test_the_first_band_that_applies_wins(self):
        rule = DoseRule(bands=(WeightBand(D("100"), up_to_kg=D("80")), WeightBand(D("200"))))
        assert dose_mg(rule, D("70")) == D("100")

    def test_it_refuses_a_weight_no_band_covers(self):
        rule = DoseRule(bands=(WeightBand(D("260"), up_to_kg=D("55")),))
        with pytest.raises(ValueError, match="no weight band"):
            dose_mg(rule, D("56"))

    def test_it_needs_a_plausible_weight(self):
        with pytest.raises(ValueError, match="weight"):
            dose_mg(USTEKINUMAB_IV, D("0"))

    @pytest.mark.parametrize(
        "rule",
        [
            DoseRule(mg=D("300"), bands=(WeightBand(D("260")),)),
            DoseRule(mg_per_kg=D("5"), bands=(WeightBand(D("260")),)),
        ],
    )
    def test_bands_exclude_a_flat_or_per_kg_dose(self, rule):
        with pytest.raises(ValueError, match="exactly one of mg, mg_per_kg and bands"):
            dose_mg(rule, D("70"))

    def test_a_band_cannot_have_both_limits_or_a_bad_amount(self):
        both = WeightBand(D("260"), below_kg=D("55"), up_to_kg=D("55"))
        with pytest.raises(ValueError, match="one of below_kg and up_to_kg"):
            dose_mg(DoseRule(bands=(both,)), D("50"))
        with pytest.raises(ValueError, match="greater than 0"):
            dose_mg(DoseRule(bands=(WeightBand(D("0")),)), D("50"))

    def test_the_cap_applies_to_a_band(self):
        rule = DoseRule(bands=(WeightBand(D("1000")),), max_mg=D("800"))
        with pytest.raises(ValueError, match="exceeds"):
            dose_mg(rule, D("70"))

    def test_band_index_tells_whether_a_new_weight_changes_the_band(self):
        assert weight_band_index(USTEKINUMAB_IV, D("55")) == 0
        assert weight_band_index(USTEKINUMAB_IV, D("56")) == 1
        assert weight_band_index(DoseRule(mg_per_kg=D("5")), D("56")) is None

    @given(st.decimals(min_value=D("0.5"), max_value=D("400"), places=1))
    def test_every_adult_weight_gets_one_of_the_label_doses(self, weight):
        assert dose_mg(ABATACEPT_IV, weight) in {D("500"), D("750"), D("1000")}


class TestBandData:
    def test_it_reads_and_writes_bands_as_stored(self):
        rows = [{"mg": "260", "up_to_kg": "55"}, {"mg": "390", "up_to_kg": "85"}, {"mg": "520"}]
        bands = bands_from_data(rows)
        assert bands == USTEKINUMAB_IV.bands
        assert bands_to_data(bands) == rows
        assert bands_from_data(None) == ()

    @pytest.mark.parametrize(
        "rows", ["260", [{"mg": "260", "from_kg": "55"}], [{"mg": "x"}], [{"up_to_kg": "55"}]]
    )
    def test_it_refuses_what_is_not_a_band(self, rows):
        with pytest.raises(ValueError):
            bands_from_data(rows)

    def test_it_describes_bands_as_the_label_tables_do(self):
        assert [describe_band(USTEKINUMAB_IV.bands, i) for i in range(3)] == [
            "≤55 kg",
            ">55 to ≤85 kg",
            ">85 kg",
        ]
        assert [describe_band(ABATACEPT_IV.bands, i) for i in range(3)] == [
            "<60 kg",
            "≥60 to ≤100 kg",
            ">100 kg",
        ]


class TestIndicationCaps:
    def test_iv_tocilizumab_for_gca_stops_at_600_mg(self):
        # ACTEMRA label section 2 (GCA, IV): 6 mg/kg; doses over 600 mg per infusion are not
        # recommended. A 110 kg patient would otherwise get 660 mg.
        rule = DoseRule(mg_per_kg=D("6"), max_mg=D("600"))
        assert dose_mg(rule, D("110")) == D("600")
        assert dose_mg(rule, D("90")) == D("540")
