"""Shared worked examples for the billing rules' tests (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from chairside.rules.billing.admin_codes import Administration
from chairside.rules.billing.charges import (
    CoverageFacts,
    DrugGiven,
    EncounterFacts,
    Person,
    Provider,
)

TZ = ZoneInfo("America/New_York")
DAY = dt.date(2026, 3, 10)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 10, hour, minute, tzinfo=TZ)


PATIENT = Person(
    "Doe",
    "Jane",
    dt.date(1955, 2, 1),
    "F",
    address_line1="12 Elm Street",
    city="Riverside",
    state="PA",
    postal_code="19000",
)
MEDICARE = CoverageFacts("payer-1", "Medicare Part B", "12502", "1EG4TE5MK72")
MEDIGAP = CoverageFacts("payer-2", "Medigap Plan G (demo)", "DEMO5", "W123456", plan_name="G")


def infliximab_visit(**changes: object) -> EncounterFacts:
    """Infliximab 350 mg from four 100 mg vials over 2 h 10 min, for Crohn's disease."""
    facts = EncounterFacts(
        encounter_ref="visit-1",
        date_of_service=DAY,
        place_of_service="11",
        patient=PATIENT,
        account_number="MRN-1",
        coverages=(MEDICARE, MEDIGAP),
        diagnoses=("K50.90",),
        rendering_provider=Provider("1902847312", "Marsh", "Elena", "MD"),  # made up
        referring_provider=Provider("1245319599", "Okafor", "Samuel", "MD"),
        supervising_provider=None,
        prior_authorization="",
        administrations=(Administration("chemo", "infusion", at(9), at(11, 10), "infliximab"),),
        drugs=(
            DrugGiven(
                "infliximab",
                "J1745",
                Decimal(10),
                Decimal(350),
                Decimal(400),
                ndc11="57894003001",
                ndc_quantity=Decimal(4),
                drug_key="infliximab",
            ),
        ),
    )
    return replace(facts, **changes)  # type: ignore[arg-type]
