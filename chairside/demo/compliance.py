"""Accreditation evidence for the demo (issue 18): both demo organizations get verified
licences (one expiring soon), annual skills check-offs (one overdue), two policies with
acknowledgements (one missing), a refrigerator log of the last 30 days with one excursion
not yet followed up (and one that was), and an incident with an open follow-up action.
Made-up data, marked "(demo)"."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from chairside.compliance import services
from chairside.compliance.models import (
    Incident,
    Policy,
    PolicyAcknowledgement,
    SkillCheckoff,
    StaffLicence,
    TemperatureDevice,
)
from chairside.demo import DemoContext
from chairside.rules.common.compliance import next_checkoff
from chairside.tenancy.models import Competency, Location, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FRIDGE = "Medication refrigerator (demo)"
LICENCE_KIND = {"RN": "RN", "LPN": "LPN", "NP": "NP", "PharmD": "RPh", "MD": "MD", "DO": "MD"}


def _licences(org: Any, staff: list[StaffMember], verifier: Any, soon: StaffMember) -> None:
    """Each licensed person's licence, verified with the primary source; ``soon``'s expires
    in 25 days (unless the staff record already says an earlier date)."""
    today = timezone.localdate()
    for person in staff:
        if person.credential not in LICENCE_KIND or not person.license_number:
            continue
        expires = person.license_expires or today + dt.timedelta(days=500)
        if person.pk == soon.pk:
            expires = min(expires, today + dt.timedelta(days=25))
        StaffLicence.objects.get_or_create(
            organization=org,
            staff=person,
            kind=LICENCE_KIND[person.credential],
            state=person.license_state or "PA",
            number=person.license_number,
            defaults={
                "expires_on": expires,
                "verified_with": "State board licence lookup (demo)",
                "verified_by": verifier,
                "verified_at": timezone.now() - dt.timedelta(days=40),
            },
        )


def _checkoffs(
    org: Any, staff: list[StaffMember], checkers: list[Any], overdue: StaffMember
) -> None:
    """A check-off for each competency, the year's; ``overdue``'s first one is 400 days old.
    The competencies themselves are left as the staff records have them."""
    today = timezone.localdate()
    for person in staff:
        checker = next((u for u in checkers if u.pk != person.user_id), None)
        if checker is None:
            continue
        name = str(StaffMember.objects.filter(organization=org, user=checker).first() or checker)
        for n, comp in enumerate(person.competencies.all()):
            late = person.pk == overdue.pk and n == 0
            checked = today - dt.timedelta(days=400 if late else 60 + 37 * n % 200)
            SkillCheckoff.objects.get_or_create(
                organization=org,
                staff=person,
                skill=comp.skill,
                defaults={
                    "checked_on": checked,
                    "due_on": next_checkoff(checked),
                    "checked_by": checker,
                    "checked_by_name": name,
                    "notes": "Observed return demonstration (demo)",
                },
            )


def _policies(org: Any, staff: list[StaffMember], titles: list[str], missing: StaffMember) -> None:
    """Two policies in effect; everyone acknowledged both except ``missing`` the second."""
    today = timezone.localdate()
    for n, title in enumerate(titles):
        policy, _ = Policy.objects.get_or_create(
            organization=org,
            title=title,
            version=str(n + 2),
            defaults={"effective_on": today - dt.timedelta(days=90 - 30 * n)},
        )
        for person in staff:
            if n == 1 and person.pk == missing.pk:
                continue
            PolicyAcknowledgement.objects.get_or_create(
                policy=policy,
                staff=person,
                defaults={"acknowledged_at": timezone.now() - dt.timedelta(days=80 - 30 * n)},
            )


def _fridge_log(location: Location, pharmacist: Any, seed: str) -> None:
    """Twice a day for 30 days, 3.4 to 5.6 °C, with two excursions: one 12 days ago that
    was followed up, and one 4 days ago that was not."""
    if TemperatureDevice.objects.filter(location=location, name=FRIDGE).exists():
        return
    device = services.device_save(
        organization=location.organization,
        user=None,
        location=location,
        name=FRIDGE,
        kind="refrigerator",
    )
    rng = random.Random(seed)
    today = timezone.localdate()
    odd = {(12, 16): "8.9", (4, 8): "9.3"}
    for days_ago in range(30, -1, -1):
        day = today - dt.timedelta(days=days_ago)
        for hour in (8, 16):
            at = dt.datetime.combine(day, dt.time(hour), tzinfo=location.tz)
            if at > timezone.now():
                continue
            celsius = odd.get((days_ago, hour)) or f"{rng.uniform(3.4, 5.6):.1f}"
            services.reading_record(device=device, user=None, at=at, celsius=Decimal(celsius))
    first = device.excursions.order_by("started_at").first()
    if first is not None:
        services.excursion_follow_up(
            excursion=first,
            user=pharmacist,
            action_taken="Door found not fully closed after a delivery; closed, gasket checked, "
            "reading back to 4.6 °C within the hour (demo).",
            product_impact="Manufacturers' stability data reviewed: every product stored tolerates "
            "this excursion; nothing quarantined (demo).",
        )


def _incident(location: Location, user: User | None, owner: StaffMember, description: str) -> None:

    if Incident.objects.filter(location=location).exists():
        return
    today = timezone.localdate()
    incident = services.incident_report(
        organization=location.organization,
        user=user,
        location=location,
        kind="medication_error",
        occurred_on=today - dt.timedelta(days=9),
        description=description,
        severity="no_harm",
    )
    done = services.incident_action_add(
        incident=incident,
        user=user,
        action="Review the event with the nurses at the next huddle (demo)",
        owner=owner,
        due_on=today - dt.timedelta(days=5),
    )
    services.incident_action_done(item=done, user=user, done_on=today - dt.timedelta(days=6))
    services.incident_action_add(
        incident=incident,
        user=user,
        action="Update the pump drug library limits and re-educate staff (demo)",
        owner=owner,
        due_on=today + dt.timedelta(days=10),
    )


def _staff(org: Any, location: Location) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(organization=org, is_active=True, home_location=location)
        .prefetch_related("competencies")
        .order_by("last_name")
    )


def _center(ctx: DemoContext) -> None:
    org = ctx.organizations["riverside"]
    main = ctx.locations["main"]
    staff = _staff(org, main) + _staff(org, ctx.locations["eastgate"])
    people = {f"{s.first_name} {s.last_name}": s for s in staff}
    nurses = [ctx.users[u] for u in ("nurse", "msantos", "bcarter") if u in ctx.users]
    _licences(org, staff, ctx.users["admin"], soon=people["Maria Santos"])
    _checkoffs(org, staff, nurses, overdue=people["Ben Carter"])
    _policies(
        org,
        staff,
        ["Hand hygiene and aseptic technique (demo)", "Medication storage and cold chain (demo)"],
        missing=people["Rosa Delgado"],
    )
    _fridge_log(main, ctx.users["pharmacist"], "riverside-fridge")
    _incident(
        main,
        ctx.users["admin"],
        people["Maria Santos"],
        "Infusion pump programmed at 150 mL/h instead of the ordered 125 mL/h; caught at the "
        "independent double check before the infusion started (demo).",
    )


def _home_pharmacy(ctx: DemoContext) -> None:
    org = ctx.organizations["homecare"]
    location = ctx.locations["homecare"]
    staff = _staff(org, location)
    people = {f"{s.first_name} {s.last_name}": s for s in staff}
    today = timezone.localdate()
    for person in staff:
        if person.credential in {"RN", "LPN"} and not person.competencies.exists():
            for skill in ("central_line", "piv_insertion"):
                Competency.objects.create(
                    staff=person,
                    skill=skill,
                    verified_on=today - dt.timedelta(days=100),
                    expires_on=today + dt.timedelta(days=265),
                )
    staff = _staff(org, location)
    nurses = [ctx.users[u] for u in ("cwhitman", "jmoreno") if u in ctx.users]
    _licences(org, staff, None, soon=people["Jamal Moreno"])
    _checkoffs(org, staff, nurses, overdue=people["Ines Ferreira"])
    _policies(
        org,
        staff,
        ["Home infusion aseptic technique (demo)", "Delivery cold chain (demo)"],
        missing=people["Ines Ferreira"],
    )
    _fridge_log(location, ctx.users.get("jmoreno"), "homecare-fridge")
    _incident(
        location,
        None,
        people["Clara Whitman"],
        "Elastomeric pump delivered with the wrong patient's label on the outer bag; caught "
        "by the nurse at the home before use (demo).",
    )


def seed_compliance(ctx: DemoContext) -> None:
    _center(ctx)
    _home_pharmacy(ctx)
    ctx.summary.append("accreditation evidence for both demo organizations")
