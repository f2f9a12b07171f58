"""Order sets (issue 21 item 8): the reference file parses, each drug's standard set, and
what the parser refuses. No database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chairside.rules.clinical.order_sets import parse_order_sets

REFERENCE = Path(__file__).resolve().parents[2] / "formulary" / "data" / "order_sets.json"
FORMULARY = REFERENCE.with_name("formulary.json")


def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


class TestReferenceOrderSets:
    def test_each_drug_gets_the_set_its_label_recommends(self) -> None:
        sets = parse_order_sets(reference())
        assert sets.default_for("rituximab") == "rituximab"
        assert sets.default_for("ocrelizumab") == "ocrelizumab"
        assert sets.default_for("infliximab") == ""  # optional: never pre-selected
        assert sets.default_for("vedolizumab") == ""

    def test_ocrelizumab_gets_methylprednisolone_100_mg_iv(self) -> None:
        item = (
            parse_order_sets(reference())
            .premedication_set("ocrelizumab")
            .item(  # type: ignore[union-attr]
                "methylprednisolone-iv"
            )
        )
        assert item is not None
        assert (item.label, item.drug, item.billable) == (
            "Methylprednisolone 100 mg IV push",
            "methylprednisolone-inj",
            True,
        )

    def test_the_protocol_starts_with_epinephrine_im(self) -> None:
        protocol = parse_order_sets(reference()).protocol
        first = protocol.items[0]
        assert (first.drug, str(first.dose_mg), first.method) == (
            "epinephrine-inj",
            "0.3",
            "intramuscular",
        )
        assert "World Allergy Organization" in protocol.source

    def test_every_billable_item_is_a_formulary_premedication(self) -> None:
        premeds = {
            d["key"]: d
            for d in json.loads(FORMULARY.read_text(encoding="utf-8"))["drugs"]
            if d.get("premedication")
        }
        sets = parse_order_sets(reference())
        for chosen in (*sets.premedication_sets, sets.protocol):
            for item in chosen.items:
                if item.drug:
                    assert item.drug in premeds, item
                    assert any(p["ndc"] for p in premeds[item.drug]["packages"]), item.drug

    def test_a_set_for_another_drug_is_refused(self) -> None:
        sets = parse_order_sets(reference())
        sets.check_for_drug("rituximab-ra", "rituximab")
        sets.check_for_drug("", "infliximab")
        with pytest.raises(ValueError, match="is for ocrelizumab"):
            sets.check_for_drug("ocrelizumab", "rituximab")
        with pytest.raises(ValueError, match="unknown"):
            sets.check_for_drug("nonsense", "rituximab")


class TestParserRefuses:
    def test_a_billable_item_without_a_dose(self) -> None:
        data = reference()
        data["premedication_sets"][0]["items"][1]["dose_mg"] = None
        with pytest.raises(ValueError, match="needs a dose"):
            parse_order_sets(data)

    def test_a_set_without_its_source(self) -> None:
        data = reference()
        data["premedication_sets"][0]["source"] = ""
        with pytest.raises(ValueError, match="cites its source"):
            parse_order_sets(data)

    def test_two_default_sets_for_one_drug(self) -> None:
        data = reference()
        data["premedication_sets"][1]["default"] = True  # rituximab-ra beside rituximab
        with pytest.raises(ValueError, match="more than one default"):
            parse_order_sets(data)
