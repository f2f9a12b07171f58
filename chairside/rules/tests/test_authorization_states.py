from __future__ import annotations

from datetime import date

import pytest

from chairside.rules.access import authorization_states as a
from chairside.rules.access.authorization_states import (
    AUTHORIZATION,
    check_authorized_range,
    ranges_overlap,
)


class TestAuthorizationTransitions:
    def test_it_goes_from_submission_to_approval_through_a_request_for_information(self):
        for current, target in [
            (a.TO_SUBMIT, a.SUBMITTED),
            (a.SUBMITTED, a.MORE_INFO),
            (a.MORE_INFO, a.SUBMITTED),
            (a.SUBMITTED, a.APPROVED),
            (a.APPROVED, a.EXPIRED),
        ]:
            AUTHORIZATION.check(current, target)

    def test_it_needs_the_reason_of_a_denial(self):
        with pytest.raises(ValueError, match="Give a reason"):
            AUTHORIZATION.check(a.SUBMITTED, a.DENIED)

    def test_it_appeals_a_denial(self):
        AUTHORIZATION.check(a.DENIED, a.APPEAL_SUBMITTED)
        AUTHORIZATION.check(a.APPEAL_SUBMITTED, a.APPROVED)

    def test_it_cannot_approve_what_was_never_submitted(self):
        with pytest.raises(ValueError, match="cannot go from To submit to Approved"):
            AUTHORIZATION.check(a.TO_SUBMIT, a.APPROVED)

    def test_it_keeps_expired_final(self):
        assert AUTHORIZATION.next_states(a.EXPIRED) == ()


class TestAuthorizedRange:
    def test_it_accepts_a_plain_approval(self):
        check_authorized_range(date(2026, 1, 1), date(2026, 6, 30), 400, 4)

    def test_it_rejects_an_end_before_the_start(self):
        with pytest.raises(ValueError, match="is before the start"):
            check_authorized_range(date(2026, 6, 1), date(2026, 1, 1), None, None)

    @pytest.mark.parametrize(("units", "visits"), [(-5, 3), (0, 3), (100, 0)])
    def test_it_rejects_zero_or_negative_counts(self, units, visits):
        with pytest.raises(ValueError, match="at least 1"):
            check_authorized_range(date(2026, 1, 1), date(2026, 6, 30), units, visits)

    def test_it_needs_both_dates(self):
        with pytest.raises(ValueError, match="start and end"):
            check_authorized_range(date(2026, 1, 1), None, 1, 1)

    def test_it_sees_overlap_on_a_shared_day(self):
        assert ranges_overlap(
            date(2026, 1, 1), date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1)
        )
        assert not ranges_overlap(
            date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 1), date(2026, 4, 1)
        )
