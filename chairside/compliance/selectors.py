"""The accreditation evidence of one location, always read within one organization.

``evidence`` gathers every section of the compliance page (and its PDF): staff licences,
competencies and annual check-offs, policy acknowledgements, temperature logs and their
excursions, incidents with their follow-up, the infusion reactions documented at the visit,
and the home plans of care missing items.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from chairside.compliance.models import (
    Incident,
    IncidentAction,
    Policy,
    PolicyAcknowledgement,
    SkillCheckoff,
    StaffLicence,
    TemperatureDevice,
    TemperatureExcursion,
    TemperatureImport,
    TemperatureReading,
)
from chairside.homecare import selectors as homecare
from chairside.rules.common.compliance import Due, due_status
from chairside.rules.inventory.temperature import mean_kinetic_temperature
from chairside.tenancy.models import Competency, Location, StaffMember
from chairside.treatments.models import Reaction


def locations(*, organization: Any) -> QuerySet[Location]:
    return Location.objects.filter(organization=organization, is_active=True).order_by("name")


def access_location(*, organization: Any, public_id: Any) -> Location:
    return get_object_or_404(Location, organization=organization, public_id=public_id)


def access_policy(*, organization: Any, public_id: Any) -> Policy:
    """One policy of this organization, or 404."""
    return get_object_or_404(Policy, organization=organization, public_id=public_id)


def access_licence(*, organization: Any, public_id: Any) -> StaffLicence:
    """One staff licence of this organization, or 404."""
    return get_object_or_404(StaffLicence, organization=organization, public_id=public_id)


def access_temperature_import(
    *, organization: Any, location: Location, public_id: Any
) -> TemperatureImport:
    """One temperature-log upload of this organization's site, or 404."""
    return get_object_or_404(
        TemperatureImport, organization=organization, location=location, public_id=public_id
    )


def access_excursion(
    *, organization: Any, location: Location, public_id: Any
) -> TemperatureExcursion:
    """One temperature excursion of a device at this organization's site, or 404."""
    return get_object_or_404(
        TemperatureExcursion,
        organization=organization,
        device__location=location,
        public_id=public_id,
    )


def access_incident(*, organization: Any, location: Location, public_id: Any) -> Incident:
    """One incident reported at this organization's site, or 404."""
    return get_object_or_404(
        Incident, organization=organization, location=location, public_id=public_id
    )


def access_incident_action(
    *, organization: Any, location: Location, public_id: Any
) -> IncidentAction:
    """One follow-up of an incident at this organization's site, or 404."""
    return get_object_or_404(
        IncidentAction,
        incident__organization=organization,
        incident__location=location,
        public_id=public_id,
    )


def staff_at(*, organization: Any, location: Location) -> QuerySet[StaffMember]:
    """The active staff of a location: those based there, and those with no home site
    (they work at every site of the organization)."""
    return (
        StaffMember.objects.filter(organization=organization, is_active=True)
        .filter(Q(home_location=location) | Q(home_location__isnull=True))
        .select_related("user")
        .prefetch_related(Prefetch("competencies", queryset=Competency.objects.order_by("skill")))
        .order_by("last_name", "first_name")
    )


@dataclass
class Section:
    key: str
    title: str
    rows: list[Any] = field(default_factory=list)
    flagged: int = 0
    note: str = ""
    extra: list[Any] = field(default_factory=list)  # the temperature section's excursions
    available: bool = True


@dataclass(frozen=True)
class LicenceRow:
    staff: StaffMember
    kind: str
    state: str
    number: str
    expires_on: dt.date | None
    due: Due
    verified: str  # "" when not verified with the primary source
    licence: StaffLicence | None


def _licences(staff: list[StaffMember], organization: Any, today: dt.date) -> Section:
    on_file = defaultdict(list)
    for lic in StaffLicence.objects.filter(
        organization=organization, staff__in=staff
    ).select_related("verified_by"):
        on_file[lic.staff_id].append(lic)
    rows: list[LicenceRow] = []
    for person in staff:
        recorded = on_file[person.pk]
        for lic in recorded:
            verified = f"{lic.verified_with}, {lic.verified_at:%m/%d/%Y}" if lic.verified_at else ""
            rows.append(
                LicenceRow(
                    person, lic.get_kind_display(), lic.state, lic.number, lic.expires_on,
                    due_status(lic.expires_on, today), verified, lic,
                )
            )  # fmt: skip
        numbers = {lic.number for lic in recorded}
        # The staff record's own licence (tenancy), unless the same number is recorded here.
        if person.license_number and person.license_number not in numbers:
            rows.append(
                LicenceRow(
                    person, person.get_credential_display(), person.license_state,
                    person.license_number, person.license_expires,
                    due_status(person.license_expires, today), "", None,
                )
            )  # fmt: skip
        elif person.credential in StaffMember.LICENSED and not recorded:
            rows.append(LicenceRow(person, person.credential, "", "", None, Due.OVERDUE, "", None))
    flagged = sum(1 for r in rows if r.due != Due.CURRENT or not r.verified)
    return Section(
        "licences",
        "Staff licences",
        rows,
        flagged,
        "Flagged: expired, expiring within 60 days, no expiry on file, or not verified with "
        "the primary source.",
    )


@dataclass(frozen=True)
class SkillRow:
    staff: StaffMember
    skill: str
    competency_expires: dt.date | None
    last_checkoff: SkillCheckoff | None
    due_on: dt.date | None
    due: Due


def _skills(staff: list[StaffMember], organization: Any, today: dt.date) -> Section:
    """Each competency a person holds needs its annual check-off."""
    latest: dict[tuple[int, str], SkillCheckoff] = {}
    for c in SkillCheckoff.objects.filter(organization=organization, staff__in=staff).order_by(
        "checked_on", "id"
    ):
        latest[(c.staff_id, c.skill)] = c
    rows = []
    for person in staff:
        for comp in person.competencies.all():
            last = latest.get((person.pk, comp.skill))
            due_on = last.due_on if last else None
            rows.append(
                SkillRow(
                    person, comp.get_skill_display(), comp.expires_on, last, due_on,
                    due_status(due_on, today),
                )
            )  # fmt: skip
    flagged = sum(1 for r in rows if r.due == Due.OVERDUE)
    return Section(
        "skills",
        "Competencies and annual skills check-offs",
        rows,
        flagged,
        "Flagged: a competency with no check-off, or one past its yearly due date.",
    )


@dataclass(frozen=True)
class PolicyRow:
    policy: Policy
    acknowledged: int
    missing: list[StaffMember]


def current_policies(*, organization: Any, location: Location, today: dt.date) -> list[Policy]:
    """The version in effect today of each policy that applies at the location."""
    found = Policy.objects.filter(
        Q(location=location) | Q(location__isnull=True),
        organization=organization,
        effective_on__lte=today,
    ).order_by("title", "-effective_on", "-id")
    current: dict[str, Policy] = {}
    for policy in found:
        current.setdefault(policy.title.lower(), policy)
    return list(current.values())


def _policies(
    staff: list[StaffMember], organization: Any, location: Location, today: dt.date
) -> Section:
    rows = []
    for policy in current_policies(organization=organization, location=location, today=today):
        done = set(
            PolicyAcknowledgement.objects.filter(policy=policy).values_list("staff_id", flat=True)
        )
        rows.append(PolicyRow(policy, len(done), [s for s in staff if s.pk not in done]))
    return Section(
        "policies",
        "Policy acknowledgements",
        rows,
        sum(len(r.missing) for r in rows),
        "Flagged: each staff member who has not acknowledged the version in effect.",
    )


@dataclass(frozen=True)
class DeviceRow:
    device: TemperatureDevice
    readings: int
    low: Any
    high: Any
    mkt: Any
    last_at: dt.datetime | None


def _temperatures(location: Location, start: dt.datetime, end: dt.datetime) -> Section:
    devices = TemperatureDevice.objects.filter(location=location, is_active=True)
    rows = []
    for device in devices:
        readings = TemperatureReading.objects.filter(device=device, at__gte=start, at__lt=end)
        stats = readings.aggregate(n=Count("id"), low=Min("celsius"), high=Max("celsius"))
        last = TemperatureReading.objects.filter(device=device).order_by("-at").first()
        mkt = None
        if device.kind == TemperatureDevice.Kind.ROOM and stats["n"]:
            mkt = mean_kinetic_temperature(list(readings.values_list("celsius", flat=True)))
        rows.append(
            DeviceRow(
                device, stats["n"], stats["low"], stats["high"], mkt, last.at if last else None
            )
        )
    excursions = list(
        TemperatureExcursion.objects.filter(device__location=location)
        .filter(Q(started_at__lt=end, ended_at__gte=start) | Q(followed_up_at__isnull=True))
        .select_related("device")
        .order_by("-started_at")
    )
    section = Section(
        "temperatures",
        "Refrigerator, freezer and room temperature logs",
        rows,
        sum(1 for e in excursions if not e.has_follow_up),
        "Ranges per USP <659>: refrigerator 2 to 8 °C, freezer -25 to -10 °C, controlled room "
        "temperature 20 to 25 °C (15 to 30 °C allowed while the mean kinetic temperature stays "
        "at or below 25 °C). Flagged: each excursion without a follow-up.",
        excursions,
    )
    return section


def _incidents(location: Location, start: dt.date, end: dt.date, today: dt.date) -> Section:
    open_actions = Q(actions__done_on__isnull=True) & Q(actions__isnull=False)
    incidents = list(
        Incident.objects.filter(location=location)
        .filter(Q(occurred_on__gte=start, occurred_on__lte=end) | open_actions)
        .distinct()
        .select_related("patient")
        .prefetch_related(
            Prefetch("actions", queryset=IncidentAction.objects.select_related("owner"))
        )
        .order_by("-occurred_on", "-id")
    )
    flagged = sum(1 for i in incidents if incident_is_open(i))
    return Section(
        "incidents",
        "Incidents and their follow-up",
        incidents,
        flagged,
        "Flagged: an incident with a follow-up action not done, or with no follow-up planned.",
    )


def incident_is_open(incident: Incident) -> bool:
    actions = list(incident.actions.all())
    return not actions or any(a.done_on is None for a in actions)


def _reactions(location: Location, start: dt.date, end: dt.date) -> Section:
    reactions = list(
        Reaction.objects.filter(
            visit__location=location, visit__date__gte=start, visit__date__lte=end
        )
        .select_related("visit__patient")
        .order_by("-onset_at")
    )
    return Section(
        "reactions",
        "Infusion reactions documented at the chair",
        reactions,
        sum(1 for r in reactions if not r.outcome),
        "From the visit record. Flagged: a reaction without its outcome documented.",
    )


@dataclass(frozen=True)
class PlanGapRow:
    patient: Any
    plan: Any  # the current homecare.PlanOfCare, or None
    missing: list[str]


def _plans_of_care(organization: Any, location: Location, today: dt.date) -> Section:
    """The home-infusion patients this location serves (an open home-infusion order or a
    current plan of care) whose plan misses items (``homecare.selectors.plan_of_care_gaps``:
    the items the home-health and accreditation standards require, each with its source)."""

    rows = []
    patients = homecare.home_patients(organization=organization).filter(
        home_address__location=location
    )
    for patient in patients:
        plan = homecare.current_plan(organization=organization, patient=patient)
        if plan is None and not homecare.open_home_orders(
            organization=organization, patient=patient
        ):
            continue
        gaps = homecare.plan_of_care_gaps(
            organization=organization, patient=patient, plan=plan, today=today
        )
        if gaps:
            rows.append(PlanGapRow(patient, plan, [f"{g.message} ({g.source})" for g in gaps]))
    return Section(
        "plans",
        "Plans of care missing items",
        rows,
        len(rows),
        "Home-infusion patients of this location with an open order or a current plan of care. "
        "Flagged: each patient whose current plan misses a required item, or who has none.",
    )


def evidence(
    *, organization: Any, location: Location, start: dt.date, end: dt.date, today: dt.date
) -> list[Section]:
    """Every section of the location's compliance page for the period ``start``..``end``
    (temperature logs and incidents in the period; anything still open regardless)."""
    staff = list(staff_at(organization=organization, location=location))
    tz = location.tz
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return [
        _licences(staff, organization, today),
        _skills(staff, organization, today),
        _policies(staff, organization, location, today),
        _temperatures(location, start_at, end_at),
        _incidents(location, start, end, today),
        _reactions(location, start, end),
        _plans_of_care(organization, location, today),
    ]


def recent_imports(*, organization: Any, location: Location) -> QuerySet[TemperatureImport]:
    return TemperatureImport.objects.filter(organization=organization, location=location)[:5]
