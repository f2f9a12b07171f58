from __future__ import annotations

import pytest

from chairside.rules.billing import claim_states as s


class TestClaimStateMachine:
    def test_it_walks_the_happy_path(self):
        path = [s.DRAFT, s.READY, s.SUBMITTED, s.ACCEPTED, s.PAID, s.CLOSED]
        for current, target in zip(path, path[1:], strict=False):
            s.CLAIM.check(current, target)

    def test_it_sends_a_rejection_back_to_draft(self):
        s.CLAIM.check(s.SUBMITTED, s.REJECTED, "invalid member ID")
        s.CLAIM.check(s.REJECTED, s.DRAFT)

    def test_it_needs_a_reason_to_deny(self):
        with pytest.raises(ValueError, match="reason"):
            s.CLAIM.check(s.SUBMITTED, s.DENIED)

    def test_it_never_submits_a_draft(self):
        with pytest.raises(ValueError, match="cannot go from Draft to Submitted"):
            s.CLAIM.check(s.DRAFT, s.SUBMITTED)

    def test_it_lets_a_denial_be_appealed_and_paid(self):
        s.CLAIM.check(s.DENIED, s.APPEALED)
        s.CLAIM.check(s.APPEALED, s.PAID)

    def test_it_treats_closed_as_final(self):
        assert s.CLAIM.is_final(s.CLOSED)
        assert set(s.CLAIM.states) == {
            "draft",
            "ready",
            "submitted",
            "accepted",
            "rejected",
            "paid",
            "partially_paid",
            "denied",
            "appealed",
            "closed",
        }
