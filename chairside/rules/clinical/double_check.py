"""Who may co-sign an independent double check (a prepared dose, a witnessed waste).

An independent double check is made by a *second* qualified person who re-checks drug,
dose, volume, lot and label on her own (ISMP, "Independent Double Checks: Worth the
Effort if Used Judiciously and Properly", 2019; ASCO/ONS Antineoplastic Therapy
Administration Safety Standards 2016, standard 3.3: a second practitioner approved by the
practice to prepare or administer verifies the dose before it is given). Center policy
(issue 13 item 1) makes that concrete:

* the checker confirms with her own credentials on the device, so she is a different
  log-in from the person at the device, and never the preparer;
* she holds a licensed credential;
* her competencies are current on the day: basic life support for everyone; a nurse
  checking a chemotherapy or complex biologic also holds the chemo/biologic competency; a
  pharmacist holds the sterile compounding (USP <797>) competency instead;
* she is on the rota for the day at the site.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from chairside.rules.scheduling.booking import (
    BLS,
    CHEMO_BIOLOGIC,
    CHEMO_CATEGORY,
    COMPETENCY_NAMES,
    Competence,
    competency_problem,
)

USP797 = "usp797"
PHARMACIST = "PharmD"
LICENSED = frozenset({"RN", "LPN", "NP", "MD", "DO", "PA", PHARMACIST})
SKILL_NAMES = {**COMPETENCY_NAMES, USP797: "Sterile compounding (USP <797>)"}


@dataclass(frozen=True)
class Cosigner:
    """The person who confirmed, as the rule needs her."""

    name: str
    credential: str
    competencies: tuple[Competence, ...]
    on_shift: bool
    is_device_user: bool
    is_preparer: bool


def checker_needs(category: str, credential: str) -> tuple[str, ...]:
    """The competencies a checker needs for a drug of the formulary ``category``."""
    if credential == PHARMACIST:
        return (BLS, USP797)
    return (BLS, CHEMO_BIOLOGIC) if category == CHEMO_CATEGORY else (BLS,)


def cosigner_problem(cosigner: Cosigner, needs: Sequence[str], on_date: date) -> str | None:
    """Why this person may not co-sign the check on ``on_date``; None when she may."""
    if cosigner.is_device_user:
        return (
            "The second check is made by another person: she confirms with her own "
            "user name and password, not the one logged in on this device."
        )
    if cosigner.is_preparer:
        return "The person who prepared the dose cannot check it: a second person must."
    if cosigner.credential not in LICENSED:
        return f"{cosigner.name} is not licensed: a nurse or pharmacist makes the check."
    lacking = _lacking(cosigner, needs, on_date)
    if lacking:
        return f"{lacking}; she cannot co-sign until it is renewed."
    if not cosigner.on_shift:
        return f"{cosigner.name} is not on the rota here today: a colleague on shift checks."
    return None


def _lacking(cosigner: Cosigner, needs: Iterable[str], on_date: date) -> str | None:
    problem = competency_problem(cosigner.name, cosigner.competencies, needs, on_date)
    if problem is None:
        return None
    # COMPETENCY_NAMES has no USP <797>; say it in words rather than as its code.
    return problem.replace(USP797, SKILL_NAMES[USP797])
