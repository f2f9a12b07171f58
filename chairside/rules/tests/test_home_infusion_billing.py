"""Home infusion billing rules: per diem S-codes, nursing 99601/99602, Medicare HIT G-codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from chairside.rules.billing.home_infusion_billing import (
    COMMERCIAL,
    MEDICAID,
    MEDICARE_B,
    HomeBillingRuleError,
    HomeDrug,
    HomeTherapy,
    NursingVisit,
    code_table,
    hit_category_of,
    hit_initial_allowed,
    hit_units,
    nursing_units,
    outside_history_blocks_initial,
    per_diem_code,
    propose_home_claim_lines,
)

D1 = dt.date(2026, 11, 2)
DAYS = [D1 + dt.timedelta(days=n) for n in range(3)]
# Micafungin 100 mg a day: J2248 is per 1 mg; NDC 63323-728-10 (Fresenius Kabi, 50 mg
# single-dose vials; FDA NDC Directory via openFDA), two vials a day.
MICAFUNGIN = HomeDrug("J2248", "Micafungin 100 mg", 100, "63323-728-10", Decimal(2), "UN")


def antibiotic(every_hours: int = 24, drug: HomeDrug | None = MICAFUNGIN) -> HomeTherapy:
    return HomeTherapy("anti_infective", drug=drug, every_hours=every_hours)


class TestCodeTable:
    def test_it_cites_a_public_source_on_every_row(self) -> None:
        table = code_table()
        assert len(table) >= 20
        for row in table.values():
            assert row.source.strip(), row.code
            assert row.short_descriptor.strip(), row.code
            assert row.payer in {"per_diem", "nursing", "medicare_hit"}, row.code

    def test_the_scale_codes_cite_the_cms_hcpcs_file(self) -> None:
        # The codes once refused for want of a public descriptor, now from CMS's file.
        table = code_table()
        for code, basis in [
            ("S9501", "every 12 hours"),
            ("S9365", "1 liter per day"),
            ("S9366", "more than 1 up to 2 liters per day"),
            ("S9376", "more than 2 up to 3 liters per day"),
            ("S9377", "more than 3 liters per day"),
        ]:
            assert table[code].basis == basis
            assert "CMS HCPCS" in table[code].source

    def test_the_whole_therapy_codes_say_they_exclude_the_scales(self) -> None:
        table = code_table()
        scales = {"S9494": "S9497-S9504", "S9373": "S9374-S9377", "S9364": "S9365-S9368"}
        for code, scale in scales.items():
            assert f"not with {scale}" in table[code].basis

    def test_every_code_the_rules_can_choose_is_in_the_table(self) -> None:
        choices = [antibiotic(h) for h in (24, 12, 8, 6, 4, 3)] + [
            HomeTherapy("hydration", liters_per_day=Decimal("0.5")),
            HomeTherapy("hydration", liters_per_day=Decimal("1.5")),
            HomeTherapy("hydration", liters_per_day=Decimal("2.5")),
            HomeTherapy("hydration", liters_per_day=Decimal(4)),
            HomeTherapy("tpn", liters_per_day=Decimal("0.8")),
            HomeTherapy("tpn", liters_per_day=Decimal("1.5")),
            HomeTherapy("tpn", liters_per_day=Decimal("2.5")),
            HomeTherapy("tpn", liters_per_day=Decimal(4)),
            HomeTherapy("immunotherapy"),
            HomeTherapy("inotrope"),
            HomeTherapy("pain_management", mode="continuous"),
            HomeTherapy("pain_management", mode="intermittent"),
            HomeTherapy("pain_management", mode="implanted_pump"),
            HomeTherapy("chemotherapy", mode="continuous"),
            HomeTherapy("chemotherapy", mode="intermittent"),
            HomeTherapy("other"),
        ]
        chosen = {per_diem_code(t).code for t in choices}
        assert chosen <= set(code_table())
        assert len(chosen) == len(choices)


class TestPerDiemCode:
    @pytest.mark.parametrize(
        ("hours", "code"),
        [(24, "S9500"), (12, "S9501"), (8, "S9502"), (6, "S9503"), (4, "S9504"), (3, "S9497")],
    )
    def test_it_chooses_the_anti_infective_code_by_frequency(self, hours: int, code: str) -> None:
        assert per_diem_code(antibiotic(hours)).code == code

    @pytest.mark.parametrize("hours", [48, 2, 5])
    def test_it_refuses_an_interval_without_a_code(self, hours: int) -> None:
        with pytest.raises(HomeBillingRuleError, match=f"every {hours} hours") as refused:
            per_diem_code(antibiotic(hours))
        assert "every 12 h" in str(refused.value)  # the message lists the known intervals

    def test_it_refuses_an_anti_infective_without_an_interval(self) -> None:
        with pytest.raises(HomeBillingRuleError, match="no dosing interval"):
            per_diem_code(HomeTherapy("anti_infective"))

    @pytest.mark.parametrize(
        ("therapy", "liters", "code"),
        [
            ("hydration", "1", "S9374"),
            ("hydration", "1.01", "S9375"),
            ("hydration", "2", "S9375"),
            ("hydration", "2.01", "S9376"),
            ("hydration", "3", "S9376"),
            ("hydration", "3.01", "S9377"),
            ("tpn", "0.5", "S9365"),
            ("tpn", "1", "S9365"),
            ("tpn", "1.01", "S9366"),
            ("tpn", "2", "S9366"),
            ("tpn", "2.01", "S9367"),
            ("tpn", "3", "S9367"),
            ("tpn", "3.5", "S9368"),
        ],
    )
    def test_it_chooses_by_daily_volume(self, therapy: str, liters: str, code: str) -> None:
        assert per_diem_code(HomeTherapy(therapy, liters_per_day=Decimal(liters))).code == code

    @pytest.mark.parametrize("liters", [None, "0", "-1"])
    def test_it_refuses_an_order_without_a_daily_volume(self, liters: str | None) -> None:
        volume = None if liters is None else Decimal(liters)
        with pytest.raises(HomeBillingRuleError, match="TPN order has no daily volume"):
            per_diem_code(HomeTherapy("tpn", liters_per_day=volume))

    @pytest.mark.parametrize(
        ("therapy", "code"),
        [
            (antibiotic(8), "S9494"),
            (HomeTherapy("anti_infective"), "S9494"),  # the whole-therapy code needs no interval
            (HomeTherapy("hydration", liters_per_day=Decimal("2.5")), "S9373"),
            (HomeTherapy("tpn", liters_per_day=Decimal(1)), "S9364"),
            (HomeTherapy("immunotherapy"), "S9338"),  # no scale: the same code either way
            (HomeTherapy("pain_management", mode="continuous"), "S9326"),
        ],
    )
    def test_a_payer_may_want_one_code_per_therapy(self, therapy: HomeTherapy, code: str) -> None:
        assert per_diem_code(therapy, coding="therapy").code == code

    def test_it_rejects_an_unknown_coding(self) -> None:
        with pytest.raises(ValueError, match="per diem coding 'hourly'"):
            per_diem_code(antibiotic(8), coding="hourly")

    def test_it_needs_the_mode_of_a_pain_infusion(self) -> None:
        with pytest.raises(HomeBillingRuleError, match="continuous or intermittent"):
            per_diem_code(HomeTherapy("pain_management"))

    def test_it_rejects_an_unknown_therapy(self) -> None:
        with pytest.raises(ValueError, match="therapy 'magic'"):
            per_diem_code(HomeTherapy("magic"))


class TestNursingUnits:
    @pytest.mark.parametrize(
        ("minutes", "lines"),
        [
            (45, [("99601", 1)]),
            (120, [("99601", 1)]),
            (150, [("99601", 1)]),  # 30 min of the third hour: the mid-point is not passed
            (151, [("99601", 1), ("99602", 1)]),
            (180, [("99601", 1), ("99602", 1)]),
            (240, [("99601", 1), ("99602", 2)]),
            (300, [("99601", 1), ("99602", 3)]),
        ],
    )
    def test_it_bills_the_first_two_hours_then_each_hour(
        self, minutes: int, lines: list[tuple[str, int]]
    ) -> None:
        assert nursing_units(minutes) == lines

    def test_it_rejects_a_visit_of_no_time(self) -> None:
        with pytest.raises(ValueError, match="positive"):
            nursing_units(0)


class TestCommercialClaim:
    def test_it_bills_one_per_diem_unit_and_the_drug_per_day(self) -> None:
        proposed = propose_home_claim_lines(
            payer_category=COMMERCIAL, therapy=antibiotic(8), therapy_days=DAYS, visits=[]
        )
        per_diem = [x for x in proposed.lines if x.code == "S9502"]
        drugs = [x for x in proposed.lines if x.kind == "drug"]
        assert [(x.date_of_service, x.units) for x in per_diem] == [(d, 1) for d in DAYS]
        assert [x.units for x in drugs] == [100, 100, 100]
        assert drugs[0].ndc == "N463323072810UN2"
        assert {x.place_of_service for x in proposed.lines} == {"12"}

    def test_a_day_counts_once(self) -> None:
        proposed = propose_home_claim_lines(
            payer_category=MEDICAID,
            therapy=antibiotic(drug=None),
            therapy_days=[D1, D1],
            visits=[],
        )
        assert [(x.code, x.units) for x in proposed.lines] == [("S9500", 1)]

    def test_it_bills_signed_nursing_visits_and_names_the_unsigned(self) -> None:
        proposed = propose_home_claim_lines(
            payer_category=COMMERCIAL,
            therapy=antibiotic(drug=None),
            therapy_days=[D1],
            visits=[NursingVisit(D1, 200), NursingVisit(DAYS[1], 60, signed=False)],
        )
        assert [(x.code, x.units) for x in proposed.lines] == [
            ("S9500", 1),
            ("99601", 1),
            ("99602", 1),
        ]
        assert proposed.refused == ("Visit on 11/03/2026 is not signed: not billed.",)

    def test_a_drug_without_an_ndc_has_a_line_without_one(self) -> None:
        drug = HomeDrug("J1460", "Immune globulin (demo)", 10)
        proposed = propose_home_claim_lines(
            payer_category=COMMERCIAL,
            therapy=HomeTherapy("immunotherapy", drug=drug),
            therapy_days=[D1],
            visits=[],
        )
        assert [(x.code, x.ndc) for x in proposed.lines] == [("S9338", None), ("J1460", None)]


def ivig_medicare(*, pump: bool = True, category: int | None = 2) -> HomeTherapy:
    return HomeTherapy(
        "immunotherapy",
        drug=HomeDrug("J1559", "Immune globulin subcutaneous (demo)", 20),
        hit_category=category,
        via_dme_pump=pump,
    )


class TestMedicareHit:
    def test_the_first_visit_is_initial_and_later_visits_subsequent(self) -> None:
        proposed = propose_home_claim_lines(
            payer_category=MEDICARE_B,
            therapy=ivig_medicare(),
            therapy_days=DAYS,
            visits=[NursingVisit(DAYS[0], 90), NursingVisit(DAYS[2], 50)],
        )
        assert [(x.code, x.units, x.date_of_service) for x in proposed.lines] == [
            ("G0089", 6, DAYS[0]),
            ("G0069", 4, DAYS[2]),
        ]
        assert all(x.kind != "drug" for x in proposed.lines)  # the drug goes to the DME MAC

    def test_no_visit_no_line(self) -> None:
        proposed = propose_home_claim_lines(
            payer_category=MEDICARE_B, therapy=ivig_medicare(), therapy_days=DAYS, visits=[]
        )
        assert proposed.lines == ()

    def test_a_recent_g_code_makes_the_visit_subsequent(self) -> None:
        proposed = propose_home_claim_lines(
            payer_category=MEDICARE_B,
            therapy=ivig_medicare(),
            therapy_days=[D1],
            visits=[NursingVisit(D1, 30)],
            last_hit_visit=D1 - dt.timedelta(days=20),
            discharged_since=True,
        )
        assert [x.code for x in proposed.lines] == ["G0069"]

    @pytest.mark.parametrize(
        ("gap", "discharged", "allowed"),
        [(60, True, False), (61, True, True), (90, False, False), (400, True, True)],
    )
    def test_the_60_day_rule(self, gap: int, discharged: bool, allowed: bool) -> None:
        last = D1 - dt.timedelta(days=gap)
        assert hit_initial_allowed(D1, last, discharged) is allowed
        assert hit_initial_allowed(D1, None, False) is True

    def test_it_refuses_a_drug_not_given_through_a_dme_pump(self) -> None:
        with pytest.raises(HomeBillingRuleError, match="external infusion pump"):
            propose_home_claim_lines(
                payer_category=MEDICARE_B,
                therapy=ivig_medicare(pump=False),
                therapy_days=[D1],
                visits=[NursingVisit(D1, 60)],
            )

    def test_it_refuses_a_drug_without_a_payment_category(self) -> None:
        with pytest.raises(HomeBillingRuleError, match="payment category"):
            propose_home_claim_lines(
                payer_category=MEDICARE_B,
                therapy=ivig_medicare(category=None),
                therapy_days=[D1],
                visits=[NursingVisit(D1, 60)],
            )

    def test_it_leaves_out_a_visit_without_the_nurse_in_the_home(self) -> None:
        proposed = propose_home_claim_lines(
            payer_category=MEDICARE_B,
            therapy=ivig_medicare(),
            therapy_days=[D1],
            visits=[NursingVisit(D1, 60, nurse_present=False), NursingVisit(DAYS[1], 60)],
        )
        assert [(x.code, x.date_of_service) for x in proposed.lines] == [("G0089", DAYS[1])]
        assert "No skilled professional was present on 11/02/2026" in proposed.refused[0]

    def test_two_visits_on_one_day_bill_once(self) -> None:
        proposed = propose_home_claim_lines(
            payer_category=MEDICARE_B,
            therapy=ivig_medicare(),
            therapy_days=[D1],
            visits=[NursingVisit(D1, 60), NursingVisit(D1, 30)],
        )
        assert len(proposed.lines) == 1
        assert "already billed" in proposed.refused[0]

    @pytest.mark.parametrize(("minutes", "units"), [(1, 1), (15, 1), (16, 2), (90, 6)])
    def test_units_are_15_minute_increments(self, minutes: int, units: int) -> None:
        assert hit_units(minutes) == units

    def test_noridian_lists_the_category_of_some_drugs(self) -> None:
        assert hit_category_of("j1559") == 2
        assert hit_category_of("J9190") == 3
        assert hit_category_of("J2248") is None


def test_it_rejects_an_unknown_payer_category() -> None:
    with pytest.raises(ValueError, match="payer category"):
        propose_home_claim_lines(
            payer_category="cash", therapy=antibiotic(), therapy_days=[D1], visits=[]
        )


class TestOutsideSupplierHistory:
    """The 60-day gap is in the patient's history: another supplier's HIT visit counts
    (Medicare Benefit Policy Manual ch. 15 §320.8.3)."""

    @pytest.mark.parametrize(("gap", "allowed"), [(0, False), (1, False), (60, False), (61, True)])
    def test_a_new_patient_after_another_suppliers_visit(self, gap: int, allowed: bool) -> None:
        outside = D1 - dt.timedelta(days=gap)
        assert hit_initial_allowed(D1, None, False, outside) is allowed
        assert outside_history_blocks_initial(D1, outside) is not allowed

    def test_no_outside_history_or_a_later_date_changes_nothing(self) -> None:
        assert hit_initial_allowed(D1, None, False, None) is True
        assert hit_initial_allowed(D1, None, False, D1 + dt.timedelta(days=3)) is True
        assert outside_history_blocks_initial(D1, None) is False

    def test_outside_history_never_allows_what_the_own_history_refuses(self) -> None:
        own = D1 - dt.timedelta(days=20)
        far = D1 - dt.timedelta(days=300)
        assert hit_initial_allowed(D1, own, True, far) is False

    def _first_visit(self, gap: int) -> Any:
        return propose_home_claim_lines(
            payer_category=MEDICARE_B,
            therapy=ivig_medicare(),
            therapy_days=[D1, D1 + dt.timedelta(days=2)],
            visits=[NursingVisit(D1, 60), NursingVisit(D1 + dt.timedelta(days=2), 60)],
            outside_last_visit=D1 - dt.timedelta(days=gap),
            outside_supplier="Acme Home Infusion (demo)",
        )

    def test_exactly_60_days_after_the_other_supplier_the_first_visit_is_subsequent(
        self,
    ) -> None:
        proposed = self._first_visit(60)
        assert [x.code for x in proposed.lines] == ["G0069", "G0069"]
        (note,) = proposed.notes
        assert "Acme Home Infusion (demo)" in note
        assert "60 days earlier" in note and "§320.8.3" in note
        assert proposed.refused == ()

    def test_61_days_after_the_other_supplier_the_first_visit_is_initial(self) -> None:
        proposed = self._first_visit(61)
        assert [x.code for x in proposed.lines] == ["G0089", "G0069"]
        assert proposed.notes == ()

    def test_commercial_payers_ignore_it(self) -> None:
        proposed = propose_home_claim_lines(
            payer_category=COMMERCIAL,
            therapy=HomeTherapy("anti_infective", every_hours=24),
            therapy_days=[D1],
            visits=[NursingVisit(D1, 60)],
            outside_last_visit=D1 - dt.timedelta(days=5),
            outside_supplier="Acme",
        )
        assert "G0069" not in [x.code for x in proposed.lines]
        assert proposed.notes == ()
