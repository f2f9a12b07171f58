from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.inventory.compounding import (
    Component,
    area_problem,
    beyond_use,
    bud_limit,
    concentration,
    drawn_problem,
    expiry_end,
    immediate_use_problem,
)

TZ = ZoneInfo("America/New_York")
START = dt.datetime(2026, 3, 2, 9, 30, tzinfo=TZ)
FAR = expiry_end(dt.date(2027, 12, 31), TZ)


def part(expires_at: dt.datetime = FAR, name: str = "tocilizumab 400 mg") -> Component:
    return Component(name=name, lot="T100", expires_at=expires_at)


class TestBudLimits:
    @pytest.mark.parametrize(
        ("category", "storage", "limit"),
        [
            ("immediate_use", "room", dt.timedelta(hours=4)),
            ("category_1", "room", dt.timedelta(hours=12)),
            ("category_1", "refrigerated", dt.timedelta(hours=24)),
            ("category_2", "room", dt.timedelta(days=4)),
            ("category_2", "refrigerated", dt.timedelta(days=10)),
            ("category_2", "frozen", dt.timedelta(days=45)),
        ],
    )
    def test_it_gives_the_chapters_limits(
        self, category: str, storage: str, limit: dt.timedelta
    ) -> None:
        assert bud_limit(category, storage) == limit

    def test_it_refuses_to_freeze_a_category_1_csp(self) -> None:
        with pytest.raises(ValueError, match="Category 1 CSPs cannot be stored freeze"):
            bud_limit("category_1", "frozen")

    def test_it_refuses_category_3(self) -> None:
        with pytest.raises(ValueError, match="sterility and endotoxin testing"):
            bud_limit("category_3", "refrigerated")

    def test_it_refuses_an_unknown_category(self) -> None:
        with pytest.raises(ValueError, match="unknown compounding category"):
            bud_limit("low_risk", "room")


class TestBeyondUse:
    def test_it_counts_from_the_start_of_preparation(self) -> None:
        bud = beyond_use(
            category="category_1", storage="refrigerated", started_at=START, components=[part()]
        )
        assert bud.at == START + dt.timedelta(hours=24)
        assert bud.limited_by == "USP <797>: Category 1, 24 hours"

    def test_immediate_use_is_four_hours(self) -> None:
        bud = beyond_use(
            category="immediate_use", storage="room", started_at=START, components=[part()]
        )
        assert bud.at == dt.datetime(2026, 3, 2, 13, 30, tzinfo=TZ)

    def test_category_2_refrigerated_is_ten_days(self) -> None:
        bud = beyond_use(
            category="category_2", storage="refrigerated", started_at=START, components=[part()]
        )
        assert bud.at == dt.datetime(2026, 3, 12, 9, 30, tzinfo=TZ)

    def test_it_is_never_later_than_the_earliest_component_expiry(self) -> None:
        soon = expiry_end(dt.date(2026, 3, 5), TZ)
        later = expiry_end(dt.date(2026, 3, 8), TZ)
        bud = beyond_use(
            category="category_2",
            storage="refrigerated",
            started_at=START,
            components=[part(later, "bag"), part(soon, "vial")],
        )
        assert bud.at == soon
        assert bud.limited_by == "vial lot T100 expiry"

    def test_a_shorter_stability_limit_wins(self) -> None:
        bud = beyond_use(
            category="category_1",
            storage="refrigerated",
            started_at=START,
            components=[part()],
            stability_hours=Decimal("8"),
        )
        assert bud.at == START + dt.timedelta(hours=8)
        assert bud.limited_by == "in-use stability 8 h"

    def test_it_refuses_an_expired_component(self) -> None:
        gone = expiry_end(dt.date(2026, 3, 1), TZ)
        with pytest.raises(ValueError, match="lot T100 has expired"):
            beyond_use(
                category="category_1",
                storage="room",
                started_at=START,
                components=[part(gone)],
            )

    def test_it_needs_an_aware_start(self) -> None:
        with pytest.raises(ValueError, match="time zone"):
            beyond_use(
                category="category_1",
                storage="room",
                started_at=dt.datetime(2026, 3, 2, 9, 30),  # noqa: DTZ001 - the point of it
                components=[],
            )

    @given(
        minutes=st.integers(min_value=0, max_value=60 * 24 * 60),
        category=st.sampled_from(["immediate_use", "category_1", "category_2"]),
    )
    def test_the_bud_is_after_the_start_and_within_every_limit(
        self, minutes: int, category: str
    ) -> None:
        expiry = START + dt.timedelta(minutes=minutes + 1)
        bud = beyond_use(
            category=category, storage="room", started_at=START, components=[part(expiry)]
        )
        assert START < bud.at <= expiry
        assert bud.at <= START + bud_limit(category, "room")


class TestAreaAndLimits:
    def test_category_2_needs_a_cleanroom(self) -> None:
        assert area_problem("category_2", "cleanroom") is None
        problem = area_problem("category_2", "segregated")
        assert problem is not None and "cleanroom suite" in problem

    def test_category_1_may_be_made_in_a_segregated_area(self) -> None:
        assert area_problem("category_1", "segregated") is None
        assert area_problem("category_1", "unclassified") is not None

    def test_immediate_use_may_be_made_anywhere(self) -> None:
        assert area_problem("immediate_use", "unclassified") is None

    def test_immediate_use_takes_at_most_three_sterile_products(self) -> None:
        assert immediate_use_problem("immediate_use", 3) is None
        assert "no more than 3" in (immediate_use_problem("immediate_use", 4) or "")
        assert immediate_use_problem("category_1", 6) is None


class TestConcentrationAndDraw:
    def test_concentration_is_amount_over_final_volume(self) -> None:
        assert concentration(Decimal(560), Decimal(100)) == Decimal("5.6000")
        assert concentration(Decimal(1), Decimal(3)) == Decimal("0.3333")

    def test_it_refuses_a_zero_volume(self) -> None:
        with pytest.raises(ValueError, match="final volume"):
            concentration(Decimal(100), Decimal(0))

    def test_a_draw_must_fit_the_opened_vials(self) -> None:
        assert drawn_problem(Decimal(560), 2, Decimal(400)) is None
        assert "more than 1 vial" in (drawn_problem(Decimal(500), 1, Decimal(400)) or "")
        assert "fewer vials" in (drawn_problem(Decimal(300), 2, Decimal(400)) or "")
