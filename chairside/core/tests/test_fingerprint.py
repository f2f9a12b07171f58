"""``core.fingerprint``: a figure cached under the fingerprint of its rows is recounted as
soon as one of them is added, changed or deleted, and only for that organization."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chairside.access.authorizations.events import QUEUE_COUNTS, booking_rows
from chairside.access.authorizations.queues import count_inputs
from chairside.access.referrals.tests import factories as rf
from chairside.core.fingerprint import Rows, fingerprint, watch
from chairside.patients.models import LabResult
from tests import factories as f

ROOT = Path(__file__).resolve().parents[3]


def fp(org: Any) -> str:
    return fingerprint(QUEUE_COUNTS, org, count_inputs())


class TestFingerprint:
    def test_it_changes_on_a_save_and_a_delete_even_in_the_same_instant(self, org: Any) -> None:
        with time_machine.travel("2026-12-07 09:00Z", tick=False):  # updated_at cannot move
            referral = rf.make_referral(org)
            first = fp(org)
            assert fp(org) == first  # nothing changed: the same
            referral.save()
            second = fp(org)
            assert second != first
            referral.delete()
            assert fp(org) not in (first, second)

    def test_another_organizations_change_leaves_it_alone(self, org: Any, other_org: Any) -> None:
        mine = fp(org)
        rf.make_referral(other_org)
        assert fp(org) == mine

    def test_a_row_through_a_key_renews_its_own_organizations_token(
        self, org: Any, other_org: Any
    ) -> None:
        patient = rf.covered_patient(org)
        order = rf.make_order(patient)
        mine, theirs = fp(org), fp(other_org)
        lab = order.required_labs.create(name="Hepatitis B surface antigen")
        assert fp(org) != mine and fp(other_org) == theirs
        mine = fp(org)
        lab.delete()
        assert fp(org) != mine

    def test_rows_written_without_signals_still_change_it(self, org: Any) -> None:
        patient = f.make_patient(org)
        before = fp(org)
        # bulk_create sends no signal (an import, the demo): the row count still moves.
        LabResult.objects.bulk_create(
            [LabResult(patient=patient, lab_name="CBC", result_on=dt.date(2026, 12, 1))]
        )
        assert fp(org) != before

    def test_an_evicted_token_is_replaced(self, org: Any) -> None:
        before = fp(org)
        cache.clear()
        assert fp(org) != before  # a new token: recounted once, never a stale figure

    def test_one_query_per_input(self, org: Any) -> None:
        fp(org)
        with CaptureQueriesContext(connection) as queries:
            fp(org)
        assert len(queries.captured_queries) == len(count_inputs())

    def test_the_bookings_are_among_the_inputs(self) -> None:
        labels = {rows.model._meta.label for rows in booking_rows()}
        assert "scheduling.Appointment" in labels

    def test_watching_twice_connects_once(self, org: Any) -> None:
        renewals: list[Any] = []
        original = cache.set

        def counted(key: str, *args: Any, **kwargs: Any) -> Any:
            if key.startswith("rows-generation:"):
                renewals.append(key)
            return original(key, *args, **kwargs)

        watch(QUEUE_COUNTS, count_inputs())  # again, as a second ready() would
        cache.set = counted  # type: ignore[method-assign]
        try:
            rf.make_referral(org)
        finally:
            cache.set = original  # type: ignore[method-assign]
        assert len(renewals) == 1  # once now (the commit's renewal waits for the commit)


class TestNothingWritesTheWatchedRowsAroundSave:
    """``QuerySet.update()`` and ``bulk_update()`` send no signal and leave ``updated_at``: a
    cached count would not see the change. The product code never writes the rows the access
    queue counts read that way."""

    def test_no_update_or_bulk_update_of_a_watched_model(self) -> None:
        models = {rows.model.__name__ for rows in count_inputs()}
        related = {"required_labs", "lab_results", "appointments", "usages", "authorizations"}
        pattern = re.compile(
            r"\b(" + "|".join(sorted(models | related)) + r")\b[^\n]*\.(update|bulk_update)\("
        )
        offenders, scanned = [], 0
        for path in (ROOT / "chairside").rglob("*.py"):
            scanned += 1
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts or "demo" in parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line) and "Rows(" not in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
        assert scanned > 500 and offenders == []


def test_rows_of_reads_one_organization(org: Any, other_org: Any) -> None:
    rf.make_referral(org)
    rf.make_referral(other_org)
    [referral_rows] = [r for r in count_inputs() if r.model._meta.label == "referrals.Referral"]
    assert isinstance(referral_rows, Rows)
    assert referral_rows.of(org).count() == 1
