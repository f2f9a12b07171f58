from __future__ import annotations

from datetime import date

import pytest

from chairside.rules.clinical.labs import lab_due_on, lab_is_due

ON = date(2026, 9, 1)


class TestLabsDue:
    def test_it_is_due_when_never_done(self):
        assert lab_is_due(None, None, ON)
        assert lab_is_due(None, 180, ON)

    def test_a_once_before_starting_lab_is_done_for_good(self):
        assert lab_due_on(date(2025, 1, 1), None) is None
        assert not lab_is_due(date(2025, 1, 1), None, ON)

    def test_it_repeats_jcv_every_180_days(self):
        last = date(2026, 3, 1)
        assert lab_due_on(last, 180) == date(2026, 8, 28)
        assert lab_is_due(last, 180, ON)
        assert not lab_is_due(last, 180, date(2026, 8, 27))

    def test_it_rejects_a_zero_interval(self):
        with pytest.raises(ValueError, match="at least 1 day"):
            lab_due_on(ON, 0)
