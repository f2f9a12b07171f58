from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.clinical.visit_checks import (
    TOUCH_CONFIRMATIONS,
    TOUCH_QUESTIONS,
    VisitState,
    check_identifiers,
    consent_expires_on,
    consent_problem,
    identity_confirmed,
    missing_steps,
    touch_decision,
    weight_change_percent,
    weight_needs_provider,
)

ON = dt.date(2026, 12, 8)


def complete_state(**overrides):
    fields: dict[str, Any] = {
        "identity_confirmed": True,
        "consent_problem": "",
        "allergies_reviewed": True,
        "weight_recorded": True,
        "pre_vitals": True,
        "prepared": True,
        "preparation_checked": True,
        "administration_started": True,
        "administration_stopped": True,
        "discharge_vitals": True,
        "discharged": True,
    }
    fields.update(overrides)
    return VisitState(**fields)


class TestIdentity:
    def test_it_needs_two_different_identifiers(self):
        assert not identity_confirmed(["name"])
        assert not identity_confirmed(["name", "name"])
        assert not identity_confirmed(["name", "chair"])
        assert identity_confirmed(["name", "dob"])

    def test_it_refuses_an_unknown_identifier(self):
        with pytest.raises(ValueError, match="chair"):
            check_identifiers(["name", "chair"])


class TestWeight:
    def test_it_measures_the_change_from_the_order(self):
        assert weight_change_percent(Decimal(70), Decimal("77.5")) == Decimal("10.7")
        assert weight_change_percent(Decimal(70), Decimal(63)) == Decimal("-10.0")

    def test_it_asks_the_provider_only_past_ten_percent_for_weight_based_doses(self):
        assert not weight_needs_provider(
            weight_based=True, ordered_kg=Decimal(70), today_kg=Decimal(77)
        )
        assert weight_needs_provider(
            weight_based=True, ordered_kg=Decimal(70), today_kg=Decimal("77.1")
        )
        assert weight_needs_provider(
            weight_based=True, ordered_kg=Decimal(70), today_kg=Decimal("62.9")
        )
        assert not weight_needs_provider(
            weight_based=False, ordered_kg=Decimal(70), today_kg=Decimal(90)
        )

    def test_a_new_weight_band_needs_the_provider_however_small_the_change(self):
        # IV ustekinumab: 85 kg is 390 mg, 85.5 kg is 520 mg (STELARA label 2.3 table).
        assert weight_needs_provider(
            weight_based=True,
            ordered_kg=Decimal(85),
            today_kg=Decimal("85.5"),
            band_changed=True,
        )
        assert not weight_needs_provider(
            weight_based=True,
            ordered_kg=Decimal(85),
            today_kg=Decimal("85.5"),
            band_changed=False,
        )

    def test_it_refuses_a_zero_weight(self):
        with pytest.raises(ValueError, match="positive"):
            weight_change_percent(Decimal(0), Decimal(70))

    @given(
        st.decimals(min_value=1, max_value=300, places=1),
        st.decimals(min_value=1, max_value=300, places=1),
    )
    def test_the_rule_is_symmetric_around_the_limit(self, ordered, today):
        change = weight_change_percent(ordered, today)
        needs = weight_needs_provider(weight_based=True, ordered_kg=ordered, today_kg=today)
        assert needs == (abs(change) > 10)


class TestConsent:
    def test_it_lapses_after_a_year(self):
        assert consent_expires_on(dt.date(2025, 12, 8)) == ON
        assert consent_expires_on(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
        problem = consent_problem(
            consent_drug="infliximab", expires_on=ON, revoked=False, visit_drug="infliximab", on=ON
        )
        assert "lapsed on 12/08/2026" in problem

    def test_it_lapses_when_the_drug_changes(self):
        problem = consent_problem(
            consent_drug="infliximab",
            expires_on=ON + dt.timedelta(days=30),
            revoked=False,
            visit_drug="infliximab-dyyb",
            on=ON,
        )
        assert "today's drug is infliximab-dyyb" in problem

    def test_it_covers_the_same_drug_within_the_year(self):
        assert not consent_problem(
            consent_drug="x",
            expires_on=ON + dt.timedelta(days=1),
            revoked=False,
            visit_drug="x",
            on=ON,
        )

    def test_it_needs_one_on_file(self):
        assert "No signed consent" in consent_problem(
            consent_drug=None, expires_on=None, revoked=False, visit_drug="x", on=ON
        )


ALL_CLEAR = {**dict.fromkeys(TOUCH_CONFIRMATIONS, "yes"), **dict.fromkeys(TOUCH_QUESTIONS, "no")}


class TestTouchChecklist:
    def test_it_allows_the_infusion_when_all_is_clear(self):
        assert touch_decision(ALL_CLEAR, prescriber_cleared=False).may_infuse

    def test_it_stops_when_not_authorized(self):
        decision = touch_decision({**ALL_CLEAR, "authorized": "no"}, prescriber_cleared=True)
        assert not decision.may_infuse
        assert decision.message.startswith("STOP")

    def test_a_yes_needs_the_prescriber(self):
        answers = {**ALL_CLEAR, "new_symptoms": "yes"}
        assert not touch_decision(answers, prescriber_cleared=False).may_infuse
        assert touch_decision(answers, prescriber_cleared=True).may_infuse

    def test_it_is_incomplete_until_every_item_is_answered(self):
        decision = touch_decision({"authorized": "yes"}, prescriber_cleared=False)
        assert not decision.complete

    def test_it_refuses_an_unknown_answer(self):
        with pytest.raises(ValueError):
            touch_decision({"authorized": "maybe"}, prescriber_cleared=False)


class TestMissingSteps:
    def test_a_complete_visit_misses_nothing(self):
        assert missing_steps(complete_state()) == []

    def test_an_empty_visit_lists_every_step_in_order(self):
        steps = [step for step, _ in missing_steps(VisitState())]
        assert steps[0] == "checks"
        assert steps.index("preparation") < steps.index("administration") < steps.index("discharge")

    def test_a_review_that_leaves_the_allergy_status_unknown_is_missing(self):
        missing = missing_steps(complete_state(allergy_status_recorded=False))
        assert missing == [
            (
                "checks",
                "No allergy status on the chart: add the patient's allergies, "
                "or record that they report none (NKDA).",
            )
        ]
        not_reviewed = missing_steps(
            complete_state(allergies_reviewed=False, allergy_status_recorded=False)
        )
        assert not_reviewed == [("checks", "Review the allergies with the patient.")]

    def test_a_weight_change_needs_the_provider(self):
        found = missing_steps(complete_state(weight_needs_provider=True))
        assert found == [
            ("checks", "Weight changed by more than 10 %: record the provider's dose confirmation.")
        ]

    def test_a_band_change_says_so(self):
        found = missing_steps(complete_state(weight_needs_provider=True, weight_band_changed=True))
        assert found == [
            (
                "checks",
                "Today's weight puts the dose in another weight band: record the provider's "
                "dose confirmation.",
            )
        ]

    def test_labs_due_are_named(self):
        found = missing_steps(complete_state(labs_due=("TB screening never recorded",)))
        assert found == [("checks", "Labs due: TB screening never recorded.")]
        assert missing_steps(complete_state(labs_due=("x",), labs_cleared=True)) == []

    def test_a_held_dose_needs_no_preparation_but_a_reason(self):
        held = complete_state(
            dose_held=True, prepared=False, administration_started=False, preparation_checked=False
        )
        assert missing_steps(held) == [("checks", "Say why the dose was held.")]
        assert missing_steps(VisitState(**{**held.__dict__, "held_reason": "fever 38.4"})) == []

    def test_an_unchecked_preparation_and_a_running_infusion_are_missing(self):
        found = missing_steps(
            complete_state(preparation_checked=False, administration_stopped=False)
        )
        assert [s for s, _ in found] == ["preparation", "administration"]

    def test_early_discharge_needs_a_reason(self):
        found = missing_steps(complete_state(observation_short_by_minutes=25))
        assert "25 min early" in found[0][1]
        assert not missing_steps(
            complete_state(observation_short_by_minutes=25, early_discharge_reason="ride left")
        )
