"""A small, explicit state machine: which transitions are allowed and which need a reason.

Referrals and prior authorizations (``referral_states``, ``authorization_states``) each
declare one. Keeping the table as data lets the pages offer exactly the allowed next steps
and lets tests walk every edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StateMachine:
    """``transitions[state]`` lists the states reachable from ``state``.

    ``needs_reason`` holds the target states whose transition must carry a written reason
    (a declined referral, a denied authorization). ``labels`` are the words people read.
    """

    name: str
    transitions: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, str]
    needs_reason: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        known = set(self.labels)
        for state, targets in self.transitions.items():
            unknown = ({state} | set(targets)) - known
            if unknown:
                raise ValueError(f"{self.name}: states {sorted(unknown)} have no label")

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, state: str) -> str:
        try:
            return self.labels[state]
        except KeyError:
            raise ValueError(f"{state!r} is not a {self.name} state") from None

    def next_states(self, current: str) -> tuple[str, ...]:
        """The states reachable from ``current`` (empty for a final state)."""
        self.label(current)
        return tuple(self.transitions.get(current, ()))

    def is_final(self, state: str) -> bool:
        return not self.next_states(state)

    def check(self, current: str, target: str, reason: str = "") -> None:
        """Raise ValueError, in words a coordinator understands, unless the move is allowed."""
        self.label(target)
        if target not in self.next_states(current):
            allowed = ", ".join(self.label(s) for s in self.next_states(current)) or "none"
            raise ValueError(
                f"A {self.name} cannot go from {self.label(current)} to {self.label(target)} "
                f"(allowed next: {allowed})."
            )
        if target in self.needs_reason and not reason.strip():
            raise ValueError(f"Give a reason to mark the {self.name} {self.label(target)}.")
