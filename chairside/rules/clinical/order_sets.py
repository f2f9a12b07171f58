"""Order sets: the standard premedication sets per drug and the hypersensitivity
(anaphylaxis) protocol that a treatment order can include (issue 21 item 8).

The reference data is ``chairside/formulary/data/order_sets.json`` (sources per set: the
FDA label section for premedications; the World Allergy Organization 2020 guidance and the
AAAAI/ACAAI 2020 practice parameter for anaphylaxis). This module parses and checks it,
and answers which set an order of a drug gets by default. An item that names a formulary
``drug`` is given from stock and billed; one without (oral, oxygen, fluids) is documented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

METHODS = frozenset({"push", "infusion", "intramuscular", "subcutaneous", "oral", ""})
GIVEN_AT_THE_CHAIR = frozenset({"push", "infusion", "intramuscular", "subcutaneous"})


@dataclass(frozen=True)
class SetItem:
    key: str
    name: str
    drug: str | None  # formulary key of a billable premedication, or None
    dose_mg: Decimal | None
    route: str
    method: str
    timing: str = ""
    note: str = ""
    site: str = ""
    category: str = "therapeutic"

    @property
    def label(self) -> str:
        dose = f" {self.dose_mg.normalize():f} mg" if self.dose_mg is not None else ""
        return f"{self.name}{dose} {self.route}".strip()

    @property
    def billable(self) -> bool:
        return self.drug is not None


@dataclass(frozen=True)
class OrderSet:
    key: str
    name: str
    drugs: tuple[str, ...]
    default: bool
    source: str
    items: tuple[SetItem, ...]
    steps: tuple[str, ...] = ()

    def item(self, key: str) -> SetItem | None:
        return next((i for i in self.items if i.key == key), None)


@dataclass(frozen=True)
class OrderSets:
    premedication_sets: tuple[OrderSet, ...]
    protocol: OrderSet

    def premedication_set(self, key: str) -> OrderSet | None:
        return next((s for s in self.premedication_sets if s.key == key), None)

    def default_for(self, drug_key: str) -> str:
        """The key of the drug's standard set ("" when its label recommends none)."""
        found = [s for s in self.premedication_sets if s.default and drug_key in s.drugs]
        return found[0].key if found else ""

    def check_for_drug(self, set_key: str, drug_key: str) -> None:
        """ValueError unless ``set_key`` is empty or a set for ``drug_key``."""
        if not set_key:
            return
        chosen = self.premedication_set(set_key)
        if chosen is None:
            raise ValueError(f"unknown premedication set {set_key!r}")
        if drug_key not in chosen.drugs:
            raise ValueError(f"the set “{chosen.name}” is for {', '.join(chosen.drugs)}")


def _dose(value: Any, where: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        dose = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where}: dose {value!r} is not a number") from None
    if not dose.is_finite() or dose <= 0:
        raise ValueError(f"{where}: dose must be more than 0 mg")
    return dose


def _item(row: Mapping[str, Any], where: str) -> SetItem:
    method = row.get("method", "")
    if method not in METHODS:
        raise ValueError(f"{where}: unknown method {method!r}")
    item = SetItem(
        key=str(row["key"]),
        name=str(row["name"]),
        drug=row.get("drug") or None,
        dose_mg=_dose(row.get("dose_mg"), where),
        route=str(row.get("route", "")),
        method=method,
        timing=str(row.get("timing", "")),
        note=str(row.get("note", "")),
        site=str(row.get("site", "")),
        category=str(row.get("category", "therapeutic")),
    )
    if item.drug and (item.dose_mg is None or method not in GIVEN_AT_THE_CHAIR):
        raise ValueError(f"{where}: a billable item needs a dose and a parenteral method")
    return item


def _set(row: Mapping[str, Any], where: str) -> OrderSet:
    if not row.get("source"):
        raise ValueError(f"{where}: every set cites its source")
    items = tuple(_item(i, f"{where} item {n}") for n, i in enumerate(row["items"]))
    keys = [i.key for i in items]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{where}: item keys repeat")
    return OrderSet(
        key=str(row["key"]),
        name=str(row["name"]),
        drugs=tuple(row.get("drugs", ())),
        default=bool(row.get("default", False)),
        source=str(row["source"]),
        items=items,
        steps=tuple(row.get("steps", ())),
    )


def parse_order_sets(data: Mapping[str, Any]) -> OrderSets:
    """The order sets of the reference file; ValueError naming what is wrong."""
    sets = tuple(_set(r, f"set {r.get('key')!r}") for r in data["premedication_sets"])
    keys = [s.key for s in sets]
    if len(set(keys)) != len(keys):
        raise ValueError("premedication set keys repeat")
    for drug in {d for s in sets for d in s.drugs}:
        if sum(1 for s in sets if s.default and drug in s.drugs) > 1:
            raise ValueError(f"{drug} has more than one default set")
    return OrderSets(sets, _set(data["hypersensitivity_protocol"], "protocol"))
