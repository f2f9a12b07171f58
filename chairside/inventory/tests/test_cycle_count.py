from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.inventory import services
from chairside.inventory.models import CycleCount


@pytest.fixture
def count(org: Any, location: Any, lot: Any, pharmacist: Any) -> CycleCount:
    return services.cycle_count_start(organization=org, location=location, user=pharmacist)


def line_key(count: CycleCount) -> str:
    return str(count.lines.get().public_id)


class TestCycleCount:
    def test_it_lists_every_lot_with_stock_and_what_the_ledger_expects(
        self, count: CycleCount
    ) -> None:
        line = count.lines.get()
        assert (line.lot.lot_number, line.expected_vials) == ("A100", 10)

    def test_a_variance_becomes_an_adjustment_movement(
        self, count: CycleCount, lot: Any, pharmacist: Any
    ) -> None:
        services.cycle_count_record(count=count, user=pharmacist, counted={line_key(count): 8})
        moves = services.cycle_count_complete(count=count, user=pharmacist)
        lot.refresh_from_db()
        assert [m.vials for m in moves] == [-2]
        assert "counted 8, the ledger said 10" in moves[0].reason
        assert lot.on_hand == 8
        count.refresh_from_db()
        assert count.status == "completed"

    def test_dispensing_during_the_count_is_not_a_false_variance(
        self, count: CycleCount, lot: Any, patient: Any, pharmacist: Any
    ) -> None:
        services.stock_dispense(lot=lot, vials=3, patient=patient, user=pharmacist)
        services.cycle_count_record(count=count, user=pharmacist, counted={line_key(count): 7})
        services.stock_dispense(lot=lot, vials=1, patient=patient, user=pharmacist)
        assert services.cycle_count_complete(count=count, user=pharmacist) == []
        lot.refresh_from_db()
        assert lot.on_hand == 6

    def test_a_lot_left_uncounted_is_not_adjusted(self, count: CycleCount, pharmacist: Any) -> None:
        services.cycle_count_record(count=count, user=pharmacist, counted={line_key(count): ""})
        with pytest.raises(ValidationError, match="at least one count"):
            services.cycle_count_complete(count=count, user=pharmacist)

    def test_it_refuses_a_count_that_is_not_a_whole_number(
        self, count: CycleCount, pharmacist: Any
    ) -> None:
        with pytest.raises(ValidationError):
            services.cycle_count_record(
                count=count, user=pharmacist, counted={line_key(count): "7.5"}
            )

    def test_a_completed_count_is_closed(self, count: CycleCount, pharmacist: Any) -> None:
        services.cycle_count_record(count=count, user=pharmacist, counted={line_key(count): 10})
        services.cycle_count_complete(count=count, user=pharmacist)
        with pytest.raises(ValidationError, match="closed"):
            services.cycle_count_record(count=count, user=pharmacist, counted={line_key(count): 9})


class TestCountPages:
    def test_it_saves_counts_and_completes_from_the_sheet(
        self, pharmacist_client: Any, count: CycleCount, lot: Any
    ) -> None:
        url = reverse("inventory:count", args=[count.public_id])
        assert pharmacist_client.post(url, {f"line-{line_key(count)}": "9"}).status_code == 302
        assert b"+1" not in pharmacist_client.get(url).content
        pharmacist_client.post(reverse("inventory:count_complete", args=[count.public_id]))
        lot.refresh_from_db()
        assert lot.on_hand == 9

    def test_it_shows_a_bad_count_and_saves_nothing(
        self, pharmacist_client: Any, count: CycleCount
    ) -> None:
        url = reverse("inventory:count", args=[count.public_id])
        response = pharmacist_client.post(url, {f"line-{line_key(count)}": "-1"})
        assert response.status_code == 400
        assert b"not a whole number" in response.content
        assert count.lines.get().counted_vials is None

    def test_a_nurse_cannot_enter_counts(self, nurse_client: Any, count: CycleCount) -> None:
        url = reverse("inventory:count", args=[count.public_id])
        nurse_client.post(url, {f"line-{line_key(count)}": "1"})
        assert count.lines.get().counted_vials is None
