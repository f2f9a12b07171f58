"""An order with verified benefits, a billing profile, and a payer that answers 271s.

``AnsweringClearinghouse`` stands in for the clearinghouse (outside Chairside): it answers
each 270 at once with the 271 that ``ANSWER`` describes, echoing the 270's trace number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from chairside.access.authorizations.models import BenefitsInvestigation
from chairside.access.authorizations.services import benefits_open_for_order, benefits_verify
from chairside.billing.models import BillingProfile
from chairside.rules.billing.x12.x12_271 import Answer, write_271
from chairside.rules.billing.x12.x12_837p import Party
from tests import factories as f
from tests.factories import someone

NPI = "1902847312"  # made up, check digit valid
TZ = ZoneInfo("America/New_York")
BENEFITS = {
    ("1", "IND", "30"),
}


def same_answer(trace: str = "", **changes: Any) -> Answer:
    """What the payer says when nothing changed since the benefits were verified."""
    base = Answer(
        trace_number=trace,
        payer_name="Acme Health (demo)",
        payer_id="60054",
        provider_name="Riverside",
        provider_npi=NPI,
        subscriber=("HOPPER", "GRACE"),
        member_id="ABC123456789",
        plan_name="GOLD PPO",
        group_number="G100",
        plan_begin=dt.date(2026, 1, 1),
        plan_end=dt.date(2026, 12, 31),
        benefits=(
            ("1", "IND", "30", "", "", "", "N"),
            ("C", "IND", "30", "23", "1500", "", "", "Y"),
            ("C", "IND", "30", "29", "1300", "", "", "Y"),
            ("G", "IND", "30", "23", "6000", "", "", "Y"),
            ("A", "IND", "98", "27", "", ".2", "", "Y"),
            ("B", "IND", "98", "27", "25", "", "", "Y"),
        ),
    )
    return replace(base, **changes)


def text_271(answer: Answer) -> str:
    return write_271(
        answer,
        control_number=9,
        created_at=dt.datetime(2026, 12, 7, 8, 0, tzinfo=TZ),
        sender=Party("Acme", "PAYER"),
        receiver=Party("Riverside", "SUBMIT01"),
    )


ANSWER: dict[str, Any] = {"changes": {}, "sent": []}


class AnsweringClearinghouse:
    def send(self, *, name: str, request: str) -> str | None:
        ANSWER["sent"].append(request)
        return text_271(same_answer(name, **ANSWER["changes"]))

    def receive(self, *, name: str) -> str | None:
        return None


def drop_answer(inbox: Path, trace: str, text: str) -> None:
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f"{trace}.271").write_text(text, encoding="ascii")


def covered_and_verified(s: Any, **coverage: Any) -> BenefitsInvestigation:
    """The scene's patient covered by Acme (payer ID 60054), the benefits verified."""
    BillingProfile.objects.get_or_create(
        organization=s.org,
        defaults={"billing_name": "Riverside", "npi": NPI, "tax_id": "234731906"},
    )
    payer = f.make_payer(s.org, name="Acme Health (demo)", payer_id="60054")
    coverage.setdefault("member_id", "ABC123456789")
    coverage.setdefault("plan_name", "GOLD PPO")
    coverage.setdefault("group_number", "G100")
    f.make_coverage(s.patient, payer, **coverage)
    [check] = benefits_open_for_order(order=s.order, user=someone())
    return benefits_verify(
        investigation=check,
        user=s.coordinator,
        verified_on=dt.date(2026, 12, 1),
        coverage_active=True,
        pa_required="no",
        deductible=Decimal(1500),
        deductible_met=Decimal(0),
        out_of_pocket_max=Decimal(6000),
        coinsurance_percent=Decimal(20),
        copay=Decimal(25),
    )
