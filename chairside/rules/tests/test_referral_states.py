from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chairside.rules.access import referral_states as rs
from chairside.rules.access.referral_states import REFERRAL, days_in_states, days_to_first_infusion

D0 = date(2026, 3, 2)


class TestReferralTransitions:
    def test_it_walks_the_happy_path(self):
        path = [
            rs.RECEIVED,
            rs.INTAKE_COMPLETE,
            rs.BENEFITS_VERIFIED,
            rs.AUTHORIZED,
            rs.SCHEDULED,
            rs.ACTIVE,
            rs.COMPLETED,
        ]
        for current, target in zip(path, path[1:], strict=False):
            REFERRAL.check(current, target)

    def test_it_refuses_to_skip_benefits(self):
        with pytest.raises(ValueError, match="cannot go from Intake complete to Authorized"):
            REFERRAL.check(rs.INTAKE_COMPLETE, rs.AUTHORIZED)

    @pytest.mark.parametrize("target", [rs.DECLINED, rs.DISCONTINUED, rs.LOST])
    def test_it_needs_a_reason_to_close(self, target):
        with pytest.raises(ValueError, match="Give a reason"):
            REFERRAL.check(rs.RECEIVED, target, reason="  ")
        REFERRAL.check(rs.RECEIVED, target, reason="Patient chose another center")

    def test_it_reopens_a_lost_referral(self):
        REFERRAL.check(rs.LOST, rs.RECEIVED)

    def test_it_treats_completed_and_discontinued_as_final(self):
        assert REFERRAL.is_final(rs.COMPLETED)
        assert REFERRAL.is_final(rs.DISCONTINUED)
        assert not REFERRAL.is_final(rs.DECLINED)

    def test_it_rejects_an_unknown_state(self):
        with pytest.raises(ValueError, match="not a referral state"):
            REFERRAL.check(rs.RECEIVED, "teleported")

    def test_every_state_has_a_label_and_a_table_row(self):
        assert set(REFERRAL.transitions) == set(REFERRAL.labels)


class TestDaysInStates:
    def test_it_counts_days_in_each_state_until_today(self):
        changes = [(rs.INTAKE_COMPLETE, date(2026, 3, 4)), (rs.BENEFITS_VERIFIED, date(2026, 3, 9))]
        assert days_in_states(D0, changes, today=date(2026, 3, 12)) == {
            rs.RECEIVED: 2,
            rs.INTAKE_COMPLETE: 5,
            rs.BENEFITS_VERIFIED: 3,
        }

    def test_it_adds_up_a_state_entered_twice(self):
        changes = [
            (rs.INTAKE_COMPLETE, date(2026, 3, 3)),
            (rs.RECEIVED, date(2026, 3, 5)),
            (rs.INTAKE_COMPLETE, date(2026, 3, 6)),
        ]
        spent = days_in_states(D0, changes, today=date(2026, 3, 6))
        assert spent[rs.RECEIVED] == 2
        assert spent[rs.INTAKE_COMPLETE] == 2

    def test_it_stops_the_clock_in_a_final_state(self):
        changes = [(rs.DISCONTINUED, date(2026, 3, 10))]
        assert days_in_states(D0, changes, today=date(2026, 9, 1)) == {
            rs.RECEIVED: 8,
            rs.DISCONTINUED: 0,
        }

    def test_it_rejects_a_change_dated_before_the_last(self):
        with pytest.raises(ValueError, match="before"):
            days_in_states(D0, [(rs.INTAKE_COMPLETE, date(2026, 3, 1))], today=D0)

    def test_it_measures_referral_to_first_infusion(self):
        changes = [
            (rs.INTAKE_COMPLETE, date(2026, 3, 3)),
            (rs.ACTIVE, date(2026, 3, 20)),
        ]
        assert days_to_first_infusion(D0, changes) == 18
        assert days_to_first_infusion(D0, changes[:1]) is None

    # Small inputs; a busy CI machine must not turn slowness into a failure.
    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.integers(0, 30), max_size=8), st.integers(0, 60))
    def test_the_days_add_up_to_the_referral_age(self, gaps, extra):
        open_states = [rs.INTAKE_COMPLETE, rs.RECEIVED]
        changes, on = [], D0
        for n, gap in enumerate(gaps):
            on = date.fromordinal(on.toordinal() + gap)
            changes.append((open_states[n % 2], on))
        today = date.fromordinal(on.toordinal() + extra)
        assert sum(days_in_states(D0, changes, today).values()) == (today - D0).days
