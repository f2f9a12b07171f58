"""CPT drug-administration codes (96360-96549) for one encounter at an infusion center.

The rules, and where they come from (the CPT text is quoted as Medicare contractors and
coding educators reproduce it; CPT itself is the AMA's):

* **Push or infusion.** A push is "an injection in which the health care professional ...
  is continuously present to administer the substance/drug and observe the patient; or an
  infusion of 15 minutes or less" (CPT, quoted by Noridian JF "Chemotherapy and
  Nonchemotherapy"). So an infusion is reported as an infusion only past 15 minutes.
* **Time.** 96365/96413/96367/96417 are "up to 1 hour"; the "each additional hour" codes
  96366/96415/96361 are reported "for infusion intervals of greater than 30 minutes beyond
  1-hour increments" (CPT; FCSO "Part A outpatient infusion and hydration services"):
  61-90 minutes is the first hour only, 91-150 adds one hour, 151-210 two. Worked example:
  hydration from 11 pm to 2 am is 96360 once and 96361 twice (CPT introduction, "Time").
* **Hydration.** 96360 is "initial, 31 minutes to 1 hour"; hydration of 30 minutes or
  less is not reported (CPT; FCSO). Given after a different initial service it is 96361,
  "hydration provided as a secondary or subsequent service after a different initial
  service" (CPT, quoted in Select Health policy #09), again only past 30 minutes. Hydration
  running at the same time as a drug infusion is not separately reported (Select Health
  #09; AAPC HEALTHCON 2023 "Infusion Confusion": not "when running concurrently with
  anything else"), so only hydration time outside every drug infusion counts.
* **One initial service.** "Only one initial service code should be reported" per
  encounter (CMS RAC issue 0071 citing Pub. 100-04 ch. 12 §30.5; FCSO). For facility
  reporting it is chosen by hierarchy, not by clock: "chemotherapy/complex drug services
  are primary to therapeutic ... services which are primary to hydration ... Infusions are
  primary to pushes, which are primary to injections" (CPT facility instructions, quoted by
  RMC "Infusions, Injections and Hydration"; AAPC "Coding Infusions, Hydration, and
  Injections", 2021). Everything else is coded as subsequent, sequential or concurrent
  "regardless of the subsection ... where the code appears", so "the first IV push
  subsequent to an initial infusion is reported using a subsequent IV push code" (Select
  Health policy #09, restating CPT): 96375, not 96374. By the same reading a chemo
  injection never leads, see below.
* **Injections are never the initial service beside IV services.** 96372, 96401 and 96402
  are stand-alone codes, not add-on primaries: when an IV infusion or push is given in the
  same encounter the initial code comes from the IV services and each injection is reported
  on its own (CPT hierarchy "infusions are primary to pushes, which are primary to
  injections"; an injection-led encounter would leave 96367/96375/96361 without one of the
  primaries their CPT parentheticals name).
* **Add-on codes only with a primary** (CPT parentheticals, applied by the CMS NCCI add-on
  code edits, which deny an add-on reported without one of its primaries):
  96361 with 96360, 96365, 96374, 96409 or 96413; 96366 with 96365 or 96367; 96367 with
  96365, 96374, 96409 or 96413; 96368 with 96365, 96366, 96413, 96415 or 96416;
  96375/96376 with 96365, 96374, 96409 or 96413; 96411 with 96409 or 96413;
  96415 and 96417 with 96413 (:data:`ADDON_PRIMARIES`).
* **Office and facility.** ``setting="facility"`` (hospital outpatient, institutional
  claim) picks the initial service by the hierarchy above. ``setting="office"``
  (professional claims: POS 11 office, 12 home, 49 independent clinic) reports "the initial
  code that best describes the key or primary reason for the encounter ... irrespective of
  the order" (CPT physician instructions; CMS Pub. 100-04 ch. 12 §30.5): the administration
  marked ``primary=True``, falling back to the hierarchy when none is marked, or when the
  marked one would leave an add-on without its primary (hydration marked primary beside a
  drug infusion: 96367 is never reported with 96360 alone). 96376 is facility-only (MPFS
  status X, not payable on the physician fee schedule), so an office reports no code for a
  repeat push of the same drug.
* **A second vascular access site.** "Only one 'initial' service code should be reported
  ... unless protocol requires that two separate IV sites must be used" (CPT introduction to
  96360-96549); the second site's services are coded on their own, and its initial code
  carries modifier XU (or 59), "separate encounter / unusual non-overlapping service"
  (CMS MLN1783722 "Proper Use of Modifiers 59, XE, XP, XS, XU"): see
  :func:`administration_lines`.
* **Sequential infusions.** A new drug after the initial service is 96367 (therapeutic)
  or 96417 (chemo), each "up to 1 hour", with 96366 / 96415 for its further hours (CPT
  96417 note; carecostestimate "CPT 96417"). Time overlapping an infusion already counted
  is not counted again: drug A 6:00-7:30 and drug B 7:00-16:00 on one line are 96365,
  96366 x 8 (B) and 96367 (A's 60 minutes outside B) (Medlearn pharmacy Q&A, Jan 31 2022).
* **Concurrent infusions.** A drug infused at the same time as another (separate bags,
  same line) is 96368, "once per encounter", also alongside a chemo initial: oxaliplatin
  and leucovorin both 9:33-12:15 are 96413, 96415 x 2 and 96368 (AAPC Oncology Coding
  Alert "Know these codes for concurrent, sequential chemo infusions"). CPT has no
  concurrent chemotherapy code; CPT Assistant (Nov 2005) says to report the unlisted
  chemotherapy procedure 96549 (AAPC Oncology Coding Alert, Feb 2006).
* **Pushes.** Initial 96374 (therapeutic) / 96409 (chemo); each further push of a new
  drug 96375 / 96411. A facility reports a repeat push of the same drug as 96376, but not
  within 30 minutes of a reported push of it, i.e. only "more than 30 minutes after"
  (CPT; legalclarity "CPT 96375"; codingclarified "Non-Chemo IV Drug & Hydration Coding";
  wearemedicalcoders "IV Push Injection Coding"). The ``drug`` field makes this
  possible; an infusion of the drug earlier in the encounter also makes a push of it a
  repeat, and infusions of one named drug are added up as one infusion. There is no
  same-drug code for chemo pushes (96411 is "each additional substance/drug").
* **Injections.** Subcutaneous or intramuscular: 96372 (therapeutic), 96401 (chemo or
  complex biologic, non-hormonal anti-neoplastic, which includes monoclonal antibodies such
  as daratumumab SC) and 96402 (hormonal anti-neoplastic: leuprolide, fulvestrant), one
  unit per injection (CPT; Noridian JE "Chemotherapy Administration" A52953;
  carecostestimate "CPT 96401, 96402").

Choices where the sources are silent: among services of equal rank the longest infusion
(then the earliest) is the initial one, so that it carries the additional hours as in the
Medlearn example; an infusion that runs alongside others for all but 15 minutes or less is
concurrent (what remains would be a push's worth of time); times are compared exactly, so a
part of a minute past a threshold counts.

Left out: subcutaneous infusions (96369-96371) and prolonged chemo pumps (96416).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

CATEGORIES = frozenset({"chemo", "therapeutic", "hydration"})
METHODS = frozenset({"infusion", "push", "subcutaneous", "intramuscular"})

_INJECTION_METHODS = frozenset({"subcutaneous", "intramuscular"})
_PUSH_LONGEST = timedelta(minutes=15)  # CPT: "an infusion of 15 minutes or less" is a push
_HYDRATION_SHORTEST = timedelta(minutes=30)  # CPT: 30 minutes or less is not reported
_HOUR = timedelta(hours=1)
_HALF_HOUR = timedelta(minutes=30)
_REPEAT_PUSH_WINDOW = timedelta(minutes=30)  # CPT: no 96376 within 30 minutes

# The facility hierarchy, highest first (CPT facility instructions; CMS ch. 12 §30.5).
_RANK = {
    ("chemo", "infusion"): 0,
    ("chemo", "push"): 1,
    ("chemo", "injection"): 2,
    ("therapeutic", "infusion"): 3,
    ("therapeutic", "push"): 4,
    ("therapeutic", "injection"): 5,
    ("hydration", "infusion"): 6,
}
_INITIAL = {
    ("chemo", "infusion"): "96413",
    ("chemo", "push"): "96409",
    ("therapeutic", "infusion"): "96365",
    ("therapeutic", "push"): "96374",
    ("hydration", "infusion"): "96360",
}
_ADDITIONAL_HOUR = {"chemo": "96415", "therapeutic": "96366", "hydration": "96361"}
_SEQUENTIAL_INFUSION = {"chemo": "96417", "therapeutic": "96367"}
_CONCURRENT_INFUSION = {"chemo": "96549", "therapeutic": "96368"}
_SUBSEQUENT_PUSH = {"chemo": "96411", "therapeutic": "96375"}
_REPEAT_PUSH = "96376"
_ONCE_PER_ENCOUNTER = frozenset({"96368"})  # CPT: "report 96368 only once per encounter"
_INJECTION = {("chemo", False): "96401", ("chemo", True): "96402", ("therapeutic", False): "96372"}
SETTINGS = frozenset({"facility", "office"})
DISTINCT_MODIFIERS = frozenset({"XU", "59"})

# CPT parentheticals ("use ... in conjunction with"), the NCCI add-on code edits' primaries.
ADDON_PRIMARIES: dict[str, frozenset[str]] = {
    "96361": frozenset({"96360", "96365", "96374", "96409", "96413"}),
    "96366": frozenset({"96365", "96367"}),
    "96367": frozenset({"96365", "96374", "96409", "96413"}),
    "96368": frozenset({"96365", "96366", "96413", "96415", "96416"}),
    "96375": frozenset({"96365", "96374", "96409", "96413"}),
    "96376": frozenset({"96365", "96374", "96409", "96413"}),
    "96411": frozenset({"96409", "96413"}),
    "96415": frozenset({"96413"}),
    "96417": frozenset({"96413"}),
}

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Administration:
    """One documented administration: what kind of substance, how, and when.

    ``category`` is ``"chemo"`` (chemotherapy and other highly complex drugs or
    biologics), ``"therapeutic"`` (therapeutic, prophylactic or diagnostic) or
    ``"hydration"`` (prepackaged fluid and electrolytes). ``method`` is ``"infusion"``,
    ``"push"``, ``"subcutaneous"`` or ``"intramuscular"``. ``start`` and ``end`` are the
    documented times. ``drug`` names the substance, so that a repeat of the same drug can be
    told from a new one; when it is ``None`` each administration is a different substance.
    ``hormonal`` marks a hormonal anti-neoplastic chemo injection (96402, not 96401).
    ``primary`` marks the primary reason for the encounter, which an office reports as the
    initial service. Values are checked by :func:`administration_codes`.
    """

    category: str
    method: str
    start: datetime
    end: datetime
    drug: str | None = None
    hormonal: bool = False
    primary: bool = False


@dataclass(frozen=True)
class AdminLine:
    """One administration claim line: CPT code, units and modifiers (XU on a second site)."""

    code: str
    units: int
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Service:
    """An administration as CPT sees it: a kind of service over some stretches of time."""

    category: str
    kind: str  # "infusion", "push" or "injection"
    drug: str | None
    hormonal: bool
    intervals: tuple[Interval, ...]  # merged and in order
    primary: bool = False

    @property
    def rank(self) -> int:
        return _RANK[(self.category, self.kind)]

    @property
    def start(self) -> datetime:
        return self.intervals[0][0]

    @property
    def duration(self) -> timedelta:
        return _length(self.intervals)

    def same_drug(self, other: _Service) -> bool:
        return self.drug is not None and (self.category, self.drug) == (
            other.category,
            other.drug,
        )


def administration_codes(
    items: Sequence[Administration], *, setting: str = "facility"
) -> list[tuple[str, int]]:
    """Return the CPT administration codes and units for one encounter.

    Applies the push/infusion time rules, reports hydration only past 30 minutes and
    outside drug infusions, and picks one initial service whatever the order of ``items``:
    by the hierarchy in a ``"facility"``, by the administration marked ``primary`` (else
    the hierarchy) in an ``"office"``, never an injection when an IV service was given.
    Each code appears once with its total units: the initial service's code first, then
    every other code in ascending code order (its own additional hours included), e.g.
    ``[("96413", 1), ("96368", 1), ("96415", 2)]``. Every add-on code comes with one of
    its primaries (:data:`ADDON_PRIMARIES`).

    An empty list, or hydration alone of 30 minutes or less, gives ``[]``: nothing to bill.
    Raises ValueError for an unknown setting, category or method, an end not after its
    start, naive and aware datetimes mixed, a blank drug name, hydration not given
    intravenously, or ``hormonal`` on anything but a chemo injection.
    """
    return [(line.code, line.units) for line in administration_lines(items, setting=setting)]


def administration_lines(
    items: Sequence[Administration],
    *,
    setting: str = "facility",
    second_site: Sequence[Administration] = (),
    distinct_modifier: str = "XU",
) -> list[AdminLine]:
    """The administration claim lines, with a second IV site's own initial service.

    ``items`` are the administrations through the first vascular access; ``second_site``
    those through a separate access site documented as required for a separately
    identifiable service. The second site is coded on its own, its initial code as a
    separate line with ``distinct_modifier`` (XU, or 59 for payers that do not take the X
    modifiers); its other codes add to the encounter's (96368 still once). Without a
    second site the lines are :func:`administration_codes`' codes with no modifier.
    """
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; expected one of {_listed(SETTINGS)}")
    if distinct_modifier not in DISTINCT_MODIFIERS:
        raise ValueError(
            f"modifier {distinct_modifier!r} for a second site must be one of "
            f"{_listed(DISTINCT_MODIFIERS)}"
        )
    _validate(items)
    _validate(second_site)
    _validate([*items, *second_site])
    first = _encounter_codes(items, setting)
    second = _encounter_codes(second_site, setting)
    if not first or not second:
        only = first or second
        return [AdminLine(code, units) for code, units in only]
    units = Counter(dict(first[1:]))
    for code, count in second[1:]:
        units[code] = 1 if code in _ONCE_PER_ENCOUNTER else units[code] + count
    head = [AdminLine(*first[0]), AdminLine(*second[0], modifiers=(distinct_modifier,))]
    return head + [AdminLine(code, count) for code, count in sorted(units.items())]


def addons_without_primary(codes: Iterable[str]) -> list[str]:
    """The add-on codes among ``codes`` reported without any of their CPT primaries."""
    present = set(codes)
    return sorted(
        code for code in present if code in ADDON_PRIMARIES and not ADDON_PRIMARIES[code] & present
    )


def _encounter_codes(items: Sequence[Administration], setting: str) -> list[tuple[str, int]]:
    services = _services(items)
    initial = _initial_service(services)
    if initial is None:
        return []
    if setting == "office":
        marked = _marked_primary(services)
        if marked is not None and marked is not initial:
            codes = _code_encounter(services, marked, setting)
            if not addons_without_primary(code for code, _ in codes):
                return codes
    return _code_encounter(services, initial, setting)


def _code_encounter(
    services: list[_Service], initial: _Service, setting: str
) -> list[tuple[str, int]]:
    units: Counter[str] = Counter()
    first_code = _code_initial(initial, units)
    _code_other_infusions(services, initial, units)
    _code_other_pushes(services, initial, units, setting)
    for service in services:
        if service.kind == "injection":
            units[_INJECTION[(service.category, service.hormonal)]] += 1
        elif service.category == "hydration" and service is not initial:
            _add(units, _ADDITIONAL_HOUR["hydration"], _secondary_hydration_hours(service))
    return [(first_code, units.pop(first_code)), *sorted(units.items())]


# --- checking the input ---------------------------------------------------------------


def _validate(items: Sequence[Administration]) -> None:
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise ValueError(f"items must be a list of Administration, not {type(items).__name__}")
    for item in items:
        _validate_item(item)
    awareness = {_is_aware(moment) for item in items for moment in (item.start, item.end)}
    if len(awareness) > 1:
        raise ValueError("start and end times mix naive and timezone-aware datetimes")


def _validate_item(item: Administration) -> None:
    if not isinstance(item, Administration):
        raise ValueError(f"expected an Administration, got {type(item).__name__}")
    if item.category not in CATEGORIES:
        raise ValueError(
            f"unknown category {item.category!r}; expected one of {_listed(CATEGORIES)}"
        )
    if item.method not in METHODS:
        raise ValueError(f"unknown method {item.method!r}; expected one of {_listed(METHODS)}")
    if not isinstance(item.start, datetime) or not isinstance(item.end, datetime):
        raise ValueError("start and end must be datetimes")
    if _is_aware(item.start) != _is_aware(item.end):
        raise ValueError("start and end times mix naive and timezone-aware datetimes")
    if item.end <= item.start:
        raise ValueError(f"end {item.end.isoformat()} is not after start {item.start.isoformat()}")
    if item.drug is not None and (not isinstance(item.drug, str) or not item.drug.strip()):
        raise ValueError("drug must be a non-blank name or None")
    if item.category == "hydration" and item.method in _INJECTION_METHODS:
        raise ValueError(f"hydration is an intravenous infusion, not {item.method}")
    if item.hormonal and (item.category != "chemo" or item.method not in _INJECTION_METHODS):
        raise ValueError("hormonal applies only to a chemo subcutaneous or intramuscular injection")
    if not isinstance(item.primary, bool):
        raise ValueError("primary must be True or False")


def _is_aware(moment: datetime) -> bool:
    return moment.utcoffset() is not None


def _listed(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


# --- from documented administrations to services ---------------------------------------


def _services(items: Sequence[Administration]) -> list[_Service]:
    """Classify each item; merge infusions of one named drug; keep hydration outside drugs."""
    single = [_service_of(item) for item in items if item.category != "hydration"]
    infusions: dict[tuple[str, str], list[Interval]] = {}
    marked: set[tuple[str, str]] = set()
    services: list[_Service] = []
    for service in single:
        if service.kind == "infusion" and service.drug is not None:
            # One drug's infusion interrupted and resumed is one infusion of its total time.
            infusions.setdefault((service.category, service.drug), []).extend(service.intervals)
            if service.primary:
                marked.add((service.category, service.drug))
        else:
            services.append(service)
    for (category, drug), intervals in infusions.items():
        primary = (category, drug) in marked
        services.append(_Service(category, "infusion", drug, False, _union(intervals), primary))
    drug_time = _union([i for s in services if s.kind == "infusion" for i in s.intervals])
    fluid_items = [item for item in items if item.category == "hydration"]
    fluids = _union([(item.start, item.end) for item in fluid_items])
    hydration = _subtract(fluids, drug_time)
    if hydration:
        primary = any(item.primary for item in fluid_items)
        services.append(_Service("hydration", "infusion", None, False, hydration, primary))
    return services


def _service_of(item: Administration) -> _Service:
    if item.method in _INJECTION_METHODS:
        kind = "injection"
    elif item.method == "infusion" and item.end - item.start > _PUSH_LONGEST:
        kind = "infusion"
    else:
        kind = "push"
    drug = item.drug.strip().casefold() if item.drug is not None else None
    interval = ((item.start, item.end),)
    return _Service(item.category, kind, drug, item.hormonal, interval, item.primary)


def _candidates(services: list[_Service]) -> list[_Service]:
    """The services that may be initial: IV ones when there are any, never an injection
    beside them; hydration only when it is reportable."""
    reportable = [s for s in services if s.category != "hydration" or _hydration_reportable(s)]
    intravenous = [s for s in reportable if s.kind != "injection"]
    return intravenous or reportable


def _initial_service(services: list[_Service]) -> _Service | None:
    """The highest service in the hierarchy; among equals the longest, then the earliest."""
    candidates = _candidates(services)
    if not candidates:
        return None
    return min(candidates, key=_initial_order)


def _marked_primary(services: list[_Service]) -> _Service | None:
    """The office's initial service: the one marked as the primary reason, if it may be."""
    marked = [s for s in _candidates(services) if s.primary]
    return min(marked, key=_initial_order) if marked else None


def _initial_order(
    service: _Service,
) -> tuple[int, timedelta, datetime, str, tuple[Interval, ...]]:
    # The longest infusion carries the add-on hours (Medlearn, Jan 31 2022); for pushes and
    # injections the choice among equals changes no code, only which one counts as "first".
    longest_first = -service.duration if service.kind == "infusion" else timedelta(0)
    return (service.rank, longest_first, service.start, service.drug or "", service.intervals)


def _hydration_reportable(hydration: _Service) -> bool:
    return hydration.duration > _HYDRATION_SHORTEST


# --- coding ---------------------------------------------------------------------------------


def _code_initial(initial: _Service, units: Counter[str]) -> str:
    if initial.kind == "injection":
        return _INJECTION[(initial.category, initial.hormonal)]  # counted with the others
    code = _INITIAL[(initial.category, initial.kind)]
    units[code] += 1
    if initial.kind == "infusion":
        _add(units, _ADDITIONAL_HOUR[initial.category], _hours_after_first(initial.duration))
    return code


def _code_other_infusions(services: list[_Service], initial: _Service, units: Counter[str]) -> None:
    """Sequential or concurrent codes for the drug infusions other than the initial one."""
    others = [s for s in services if s.kind == "infusion" and s.category != "hydration"]
    others = sorted((s for s in others if s is not initial), key=_initial_order)
    counted = initial.intervals if initial.kind == "infusion" else ()
    for infusion in others:
        own = _length(_subtract(infusion.intervals, counted))
        if own < infusion.duration and own <= _PUSH_LONGEST:
            # It ran alongside another infusion for all but a push's worth of time.
            code = _CONCURRENT_INFUSION[infusion.category]
            units[code] = 1 if code in _ONCE_PER_ENCOUNTER else units[code] + 1
        else:
            units[_SEQUENTIAL_INFUSION[infusion.category]] += 1
            _add(units, _ADDITIONAL_HOUR[infusion.category], _hours_after_first(own))
        counted = _union([*counted, *infusion.intervals])


def _code_other_pushes(
    services: list[_Service], initial: _Service, units: Counter[str], setting: str
) -> None:
    """96375/96411 for a new drug, 96376 for a repeat of one in a facility."""
    last_push: dict[tuple[str, str], datetime] = {}
    pushes = [s for s in services if s.kind == "push"]
    for push in sorted(pushes, key=lambda s: (s.start, s.rank, s.drug or "", s.intervals)):
        if push is initial:
            code: str | None = None
        elif not _given_before(push, services, last_push):
            code = _SUBSEQUENT_PUSH[push.category]
        else:
            code = _repeat_push_code(push, last_push, setting)
        if code is not None:
            units[code] += 1
        if push.drug is not None and (push is initial or code is not None):
            last_push[(push.category, push.drug)] = push.start


def _given_before(
    push: _Service, services: list[_Service], last_push: dict[tuple[str, str], datetime]
) -> bool:
    if push.drug is None:
        return False
    if (push.category, push.drug) in last_push:
        return True
    return any(
        s.kind == "infusion" and s.same_drug(push) and s.start < push.start for s in services
    )


def _repeat_push_code(
    push: _Service, last_push: dict[tuple[str, str], datetime], setting: str
) -> str | None:
    if push.category == "chemo":
        return None  # no CPT code for a repeat chemo push of the same drug
    if setting == "office":
        return None  # 96376 is facility-only (MPFS status X): the office reports nothing
    assert push.drug is not None  # only named drugs are repeats
    previous = last_push.get((push.category, push.drug))
    if previous is not None and push.start - previous <= _REPEAT_PUSH_WINDOW:
        return None
    return _REPEAT_PUSH


# --- time -----------------------------------------------------------------------------------


def _hours_after_first(duration: timedelta) -> int:
    """Units of an "each additional hour" code after a first hour (91-150 min -> 1)."""
    return _hour_units(duration - _HOUR)


def _secondary_hydration_hours(hydration: _Service) -> int:
    """96361 units for hydration after another initial service (31-90 min -> 1)."""
    return _hour_units(hydration.duration)


def _hour_units(time: timedelta) -> int:
    # Each unit needs more than 30 minutes of its hour: 31-90 min -> 1, 91-150 -> 2, ...
    if time <= _HALF_HOUR:
        return 0
    return -(-(time - _HALF_HOUR) // _HOUR)  # ceiling, in whole timedelta arithmetic


def _add(units: Counter[str], code: str, count: int) -> None:
    if count > 0:
        units[code] += count


def _union(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _subtract(
    intervals: tuple[Interval, ...], removed: tuple[Interval, ...]
) -> tuple[Interval, ...]:
    """The parts of merged ``intervals`` outside merged ``removed``."""
    left: list[Interval] = []
    for start, end in intervals:
        cursor = start
        for cut_start, cut_end in removed:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                left.append((cursor, cut_start))
            cursor = cut_end
        if cursor < end:
            left.append((cursor, end))
    return tuple(left)


def _length(intervals: Iterable[Interval]) -> timedelta:
    return sum((end - start for start, end in intervals), timedelta(0))
