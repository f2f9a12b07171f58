"""Readiness: the worst finding decides (rules.readiness)."""

from __future__ import annotations

from chairside.rules.scheduling.readiness import Finding, Level, level, plan_year_problem


class TestLevel:
    def test_no_finding_is_ready(self) -> None:
        assert level([]) is Level.READY

    def test_a_risk_alone_is_at_risk(self) -> None:
        assert level([Finding("confirmed", False, "Not confirmed")]) is Level.AT_RISK

    def test_any_blocking_finding_is_not_ready(self) -> None:
        findings = [
            Finding("confirmed", False, "Not confirmed"),
            Finding("authorization", True, "No approved authorization covers 12/09/2026"),
        ]
        assert level(findings) is Level.NOT_READY


class TestPlanYear:
    def test_a_new_year_needs_reverification(self) -> None:
        assert plan_year_problem(2026, 2027) == (
            "Benefits were verified for 2026; re-verify them for 2027."
        )
        assert plan_year_problem(2027, 2027) is None
        assert plan_year_problem(None, 2027) is None
