"""Allergies on the chart against the drugs of today's dose.

Center policy (issue 13 item 2), in the spirit of The Joint Commission's medication
management standard MM.01.01.01 (allergies are known before a medication is given) and the
ONS/ASCO administration safety standards (allergies verified before each administration):

* an allergy to **today's ordered drug** refuses the dose: it is not given until the
  ordering provider decides (the nurse holds the dose or records the provider's decision);
* an allergy to a **premedication** warns: ask the provider before giving that premedication.

A typed substance is matched to a formulary drug by its generic or brand name ("coded" to
the formulary's generic name when it matches; no RxNorm code is invented).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MIN_MATCH = 4  # "iron" matches "iron sucrose"; two-letter typos match nothing


@dataclass(frozen=True)
class Conflict:
    substance: str
    drug: str
    refuse: bool  # True: today's drug; False: a premedication (warn)

    @property
    def message(self) -> str:
        if self.refuse:
            return (
                f"Allergy on the chart: {self.substance}. Today's drug is {self.drug}: do not "
                "give it — hold the dose or record the ordering provider's decision."
            )
        return (
            f"Allergy on the chart: {self.substance}. The premedication {self.drug} matches: "
            "ask the provider before giving it."
        )


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", text.casefold()) if len(w) >= MIN_MATCH}


def matches(substance: str, names: Iterable[str]) -> bool:
    """Whether an allergy substance names the drug (a shared word of 4+ letters)."""
    wanted = _words(substance)
    return any(wanted & _words(name) for name in names)


def code_substance(typed: str, formulary: Mapping[str, Sequence[str]]) -> str | None:
    """The formulary generic name a typed substance names ("Remicade" → "infliximab")."""
    for generic, names in formulary.items():
        if matches(typed, (generic, *names)):
            return generic
    return None


def allergy_conflicts(
    substances: Iterable[str],
    ordered: tuple[str, Sequence[str]],
    premedications: Iterable[str] = (),
) -> list[Conflict]:
    """Conflicts between the chart's allergies and today's drug (``(name, its names)``) and
    the premedications (free text, as ordered or given)."""
    found: list[Conflict] = []
    drug, names = ordered
    premeds = [p for p in premedications if p.strip()]
    for substance in substances:
        if matches(substance, (drug, *names)):
            found.append(Conflict(substance, drug, refuse=True))
        found.extend(
            Conflict(substance, p, refuse=False) for p in premeds if matches(substance, (p,))
        )
    return found
