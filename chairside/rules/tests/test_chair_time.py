"""Issue 13.7: a booking's length is time before + the label's infusion + observation."""

from __future__ import annotations

from typing import Any

import pytest

from chairside.rules.scheduling.chair_time import chair_time

ACCESS_MINUTES = 15  # a center's IV-access time (its setting, CHAIR_ACCESS_MINUTES)

# Formulary figures (chairside/formulary/data/formulary.json, with their label sections).
INFLIXIMAB: dict[str, Any] = {"first_infusion_minutes": 120, "later_infusion_minutes": 120}
OCRELIZUMAB: dict[str, Any] = {
    "first_infusion_minutes": 150,  # 300 mg over >= 2.5 h (OCREVUS label §2.3)
    "later_infusion_minutes": 210,  # 600 mg over >= 3.5 h (OCREVUS label §2.3)
    "initial_infusions": 2,  # the initial 600 mg dose is two 300 mg infusions
    "label_observation_minutes": 60,  # observe >= 1 h after the infusion (§2.3)
}


class TestInfliximab:
    @pytest.mark.parametrize("dose", [1, 2, 3])
    def test_it_is_access_plus_two_hours_with_no_label_observation(self, dose: int) -> None:
        time = chair_time(dose_number=dose, access_minutes=ACCESS_MINUTES, **INFLIXIMAB)
        assert (time.before, time.infusion, time.after) == (ACCESS_MINUTES, 120, 0)

    def test_it_adds_the_observation_the_order_asks_for_and_the_premedication_wait(
        self,
    ) -> None:
        time = chair_time(
            dose_number=2,
            premedicated=True,
            order_observation_minutes=30,
            access_minutes=ACCESS_MINUTES,
            **INFLIXIMAB,
        )
        assert (time.before, time.infusion, time.after) == (ACCESS_MINUTES + 30, 120, 30)
        assert time.total == ACCESS_MINUTES + 180


class TestOcrelizumab:
    @pytest.mark.parametrize(("dose", "infusion"), [(1, 150), (2, 150), (3, 210)])
    def test_both_initial_300_mg_infusions_are_first_infusions(
        self, dose: int, infusion: int
    ) -> None:
        time = chair_time(
            dose_number=dose, premedicated=True, access_minutes=ACCESS_MINUTES, **OCRELIZUMAB
        )
        assert time.infusion == infusion
        assert time.before == ACCESS_MINUTES + 30  # methylprednisolone ~30 min before (§2.2)
        assert time.after == 60

    def test_the_order_cannot_shorten_the_labels_observation(self) -> None:
        time = chair_time(dose_number=3, order_observation_minutes=15, **OCRELIZUMAB)
        assert time.after == 60


def test_it_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="dose numbers start at 1"):
        chair_time(dose_number=0, **INFLIXIMAB)
