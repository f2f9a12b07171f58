"""From a 278 response to the change of the authorization it proposes."""

from __future__ import annotations

from dataclasses import dataclass

from chairside.rules.access import authorization_states as states
from chairside.rules.billing.x12.x12_278.codes import ACTIONS, CERTIFIED
from chairside.rules.billing.x12.x12_278.response import ReviewResponse

# --- from a response to a change of the authorization --------------------------------


@dataclass(frozen=True)
class Proposal:
    """The change a 278 response proposes to an authorization.

    ``steps``: the statuses to move through, in order (each move checked against the
    authorization state machine); empty when the response changes no status. ``details``
    the fields to record (number, dates, units, visits). ``refusal`` says why the response
    cannot be applied to the authorization as it stands (nothing is then proposed).
    """

    action: str
    steps: tuple[str, ...]
    details: dict[str, object]
    reason: str = ""
    note: str = ""
    refusal: str = ""

    @property
    def applies(self) -> bool:
        return not self.refusal and bool(self.steps or self.details)


def propose(response: ReviewResponse, current: str) -> Proposal:
    """What the authorization (now in status ``current``) becomes if the coordinator
    confirms ``response``.

    Certified (A1 in total, A2 partly, A6 modified) → approved with the number (HCR02),
    the certification dates (DTP*007, else the expiration DTP*036 as the end) and the
    certified units/visits; not certified (A3) → denied with the reason (HCR03); pended (A4)
    → submitted; no action required (NA) → not required. A response with AAA errors, or
    contact payer (CT) or cancelled (C), changes nothing. An authorization still "to submit"
    passes through "submitted" on its way to a decision (the payer has it); an approval
    already recorded is corrected in place by A1/A2/A6.
    """
    action = response.action
    refusal = _no_decision(response)
    target, details, reason = _target(response)
    if not refusal and target == "":
        refusal = f"Action code {action} is not one Chairside reads."
    if not refusal and target == states.APPROVED:
        refusal = _approval_missing(response)
    if refusal:
        return Proposal(action, (), {}, refusal=refusal)
    if current == target:
        if target == states.APPROVED:
            return Proposal(action, (), details, note="The approval on file is corrected in place.")
        return Proposal(action, (), {}, refusal=f"The authorization is already {_label(current)}.")
    steps = _path(current, target)
    if not steps:
        nexts = ", ".join(_label(s) for s in states.AUTHORIZATION.next_states(current))
        return Proposal(
            action,
            (),
            {},
            refusal=(
                f"A '{ACTIONS[action].lower()}' response cannot move an authorization that is "
                f"{_label(current)} (it can only become: {nexts or 'nothing'})."
            ),
        )
    return Proposal(action, steps, details, reason=reason)


def _no_decision(response: ReviewResponse) -> str:
    if response.errors:
        listed = "; ".join(str(e) for e in response.errors)
        return f"The payer could not process the request: {listed}."
    return {
        "CT": "The payer asks you to contact them (HCR01 CT). Nothing to record from it.",
        "C": "The payer cancelled the certification (HCR01 C). Nothing to record from it.",
        "": "The response has no decision (HCR). Nothing to record from it.",
    }.get(response.action, "")


def _path(current: str, target: str) -> tuple[str, ...]:
    """The moves from ``current`` to ``target``: direct, or through "submitted"."""
    allowed = states.AUTHORIZATION.next_states(current)
    if target in allowed:
        return (target,)
    if states.SUBMITTED in allowed and target in states.AUTHORIZATION.next_states(states.SUBMITTED):
        return (states.SUBMITTED, target)
    return ()


def _target(response: ReviewResponse) -> tuple[str, dict[str, object], str]:
    action = response.action
    if action in CERTIFIED:
        details: dict[str, object] = {
            "authorization_number": response.certification_number,
            "start_on": response.start,
            "end_on": response.end,
            "units_authorized": response.units,
            "visits_authorized": response.visits,
        }
        return states.APPROVED, details, ""
    if action == "A3":
        code = response.reason_code
        text = (
            f"Not certified by the payer (278 HCR03 reason {code})"
            if code
            else "Not certified by the payer (278 response)"
        )
        number: dict[str, object] = {}
        if response.certification_number:
            number["authorization_number"] = response.certification_number
        return states.DENIED, number, text + "."
    if action == "A4":
        return states.SUBMITTED, {}, ""
    if action == "NA":
        return states.NOT_REQUIRED, {}, ""
    return "", {}, ""


def _approval_missing(response: ReviewResponse) -> str:
    if not response.certification_number:
        return "The response certifies the request but gives no certification number (HCR02)."
    if response.start is None or response.end is None:
        return (
            "The response certifies the request but gives no certification dates "
            "(DTP*007 effective, or DTP*036 expiration)."
        )
    if response.end < response.start:
        return "The certification ends before it starts."
    return ""


def _label(status: str) -> str:
    return states.AUTHORIZATION.label(status).lower()
