"""A payer's own category for a drug changes its administration codes, and nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chairside.rules.billing.admin_codes import Administration
from chairside.rules.billing.charges import DrugGiven, EncounterFacts, Person, derive_claim_lines
from chairside.rules.billing.payer_categories import apply_payer_categories

TZ = ZoneInfo("America/New_York")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 10, hour, minute, tzinfo=TZ)


def facts(*administrations: Administration) -> EncounterFacts:
    return EncounterFacts(
        encounter_ref="v1",
        date_of_service=dt.date(2026, 3, 10),
        place_of_service="11",
        patient=Person("Hopper", "Grace", dt.date(1950, 1, 1), "F"),
        account_number="MRN1",
        coverages=(),
        diagnoses=("K50.90",),
        rendering_provider=None,
        referring_provider=None,
        administrations=administrations,
        drugs=(DrugGiven("infliximab", "J1745", Decimal(10), Decimal(350), Decimal(400)),),
    )


def admin_codes(f: EncounterFacts) -> list[tuple[str, int]]:
    return [(line.code, line.units) for line in derive_claim_lines(f) if line.kind != "drug"]


INFLIXIMAB = Administration("chemo", "infusion", at(9), at(11, 10), "infliximab")


def test_a_payer_that_wants_therapeutic_codes_turns_96413_into_96365() -> None:
    # The Janssen guide: Medicare 96413/96415; some commercial payers 96365/96366.
    base = facts(INFLIXIMAB)
    assert admin_codes(base) == [("96413", 1), ("96415", 1)]
    assert admin_codes(apply_payer_categories(base, {"Infliximab ": "therapeutic"})) == [
        ("96365", 1),
        ("96366", 1),
    ]


def test_and_a_payer_that_wants_complex_codes_turns_96365_back_into_96413() -> None:
    therapeutic = facts(replace(INFLIXIMAB, category="therapeutic"))
    assert admin_codes(therapeutic)[0] == ("96365", 1)
    assert admin_codes(apply_payer_categories(therapeutic, {"infliximab": "chemo"})) == [
        ("96413", 1),
        ("96415", 1),
    ]


def test_other_drugs_hydration_and_unnamed_administrations_are_left_alone() -> None:
    saline = Administration("hydration", "infusion", at(11, 10), at(12, 0), "infliximab")
    unnamed = Administration("chemo", "push", at(8, 30), at(8, 35), None)
    other = Administration("chemo", "infusion", at(12, 0), at(13, 0), "rituximab")
    base = facts(INFLIXIMAB, saline, unnamed, other)
    changed = apply_payer_categories(base, {"infliximab": "therapeutic"})
    assert [a.category for a in changed.administrations] == [
        "therapeutic",
        "hydration",
        "chemo",
        "chemo",
    ]
    assert apply_payer_categories(base, {}) is base


def test_a_category_that_is_not_chemo_or_therapeutic_is_refused() -> None:
    with pytest.raises(ValueError, match="hydration"):
        apply_payer_categories(facts(INFLIXIMAB), {"infliximab": "hydration"})


def test_a_second_sites_administrations_follow_the_payers_category_too() -> None:
    base = facts(Administration("chemo", "infusion", at(9), at(10), "rituximab"))
    second = (Administration("chemo", "infusion", at(9), at(10), "infliximab"),)
    changed = apply_payer_categories(
        replace(base, second_site=second), {"infliximab": "therapeutic"}
    )
    assert [a.category for a in changed.second_site] == ["therapeutic"]
    assert changed.administrations == base.administrations
