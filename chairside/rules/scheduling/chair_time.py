"""How long a dose holds the chair: time before, the label's infusion time, observation after.

Pure rule (no Django). The infusion minutes come from the formulary, which records each
label's figure with its section; this module decides which figure applies to which dose
and what surrounds it:

- **Before**: placing the IV and taking vitals (``access_minutes``: the center's practice,
  not a label figure; the caller passes the center's setting, none by default) and, when the
  order lists premedications, the wait the label asks between premedication and infusion
  (``PREMEDICATION_WAIT_MINUTES``: OCREVUS label §2.2, methylprednisolone 100 mg IV
  "approximately 30 minutes prior to each infusion").
- **Infusion**: the first-infusion length for every infusion of the *initial* dose — OCREVUS
  label §2.3 gives the initial 600 mg dose as two 300 mg infusions two weeks apart, each over
  about 2.5 hours or longer, and later 600 mg infusions over about 3.5 hours (or 2 hours by
  the label's shorter-infusion table in patients without a prior serious reaction). So
  ocrelizumab doses 1 and 2 are "first" infusions, dose 3 on are "later" ones. Most drugs have
  one initial infusion (REMICADE label §2.11: every infusion over not less than 2 hours).
- **After**: the longer of the label's required observation (OCREVUS label §2.3 / §5.1:
  observe for at least one hour after completion of the infusion; REMICADE's US label has no
  fixed post-infusion period) and the observation the order asks for.
"""

from __future__ import annotations

from dataclasses import dataclass

PREMEDICATION_WAIT_MINUTES = 30  # OCREVUS label §2.2 (methylprednisolone ~30 min before)


@dataclass(frozen=True)
class ChairTime:
    before: int
    infusion: int
    after: int

    @property
    def total(self) -> int:
        return self.before + self.infusion + self.after


def is_initial_infusion(dose_number: int, initial_infusions: int = 1) -> bool:
    """Whether dose ``dose_number`` (1-based) is one of the initial dose's infusions."""
    if dose_number < 1:
        raise ValueError("dose numbers start at 1")
    if initial_infusions < 1:
        raise ValueError("a course starts with at least one initial infusion")
    return dose_number <= initial_infusions


def chair_time(
    *,
    dose_number: int,
    first_infusion_minutes: int,
    later_infusion_minutes: int,
    initial_infusions: int = 1,
    label_observation_minutes: int = 0,
    order_observation_minutes: int | None = None,
    premedicated: bool = False,
    access_minutes: int = 0,
) -> ChairTime:
    """The chair time of one dose, split into before, infusion and after (minutes)."""
    figures = (first_infusion_minutes, later_infusion_minutes, label_observation_minutes)
    if min(figures) < 0 or access_minutes < 0 or (order_observation_minutes or 0) < 0:
        raise ValueError("minutes cannot be negative")
    initial = is_initial_infusion(dose_number, initial_infusions)
    infusion = first_infusion_minutes if initial else later_infusion_minutes
    before = access_minutes + (PREMEDICATION_WAIT_MINUTES if premedicated else 0)
    after = max(label_observation_minutes, order_observation_minutes or 0)
    return ChairTime(before=before, infusion=infusion, after=after)
