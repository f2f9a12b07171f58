"""Giving the drug: start, rate steps, interruptions, stop — and other administrations
(hydration, an IV premedication) that the claim's administration codes also count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.audit.models import AuditEvent
from chairside.audit.services import diff, snapshot
from chairside.formulary.models import Drug
from chairside.rules.clinical import infusion
from chairside.rules.clinical.infusion import (
    running_minutes,
    running_spans,
    volume_delivered_ml,
    volume_problem,
)
from chairside.rules.scheduling import appointment_states
from chairside.scheduling.services import appointment_seat
from chairside.treatments.models import Administration, Interruption, RateStep, Visit
from chairside.treatments.services._common import (
    audit,
    locked_visit,
    on_visit_day,
    require_signed_order,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

AUDITED = (
    "substance",
    "category",
    "method",
    "site",
    "started_at",
    "stopped_at",
    "stop_reason",
    "volume_infused_ml",
    "dose_given_mg",
    "drug",
    "from_center_stock",
    "separate_access_site",
    "notes",
)
CATEGORY_OF_DRUG = {
    # formulary admin_category → the administration category of rules.admin_codes
    "chemo": "chemo",
    "therapeutic": "therapeutic",
    "hydration": "hydration",
    "injection": "therapeutic",
}
INJECTIONS = frozenset({"subcutaneous", "intramuscular"})


def _pauses(admin: Administration) -> list[tuple[dt.datetime, dt.datetime | None]]:
    return [(p.started_at, p.ended_at) for p in admin.interruptions.all()]


def _check_running(
    visit: Visit,
    admin: Administration,
    pauses: list[tuple[dt.datetime, dt.datetime | None]],
    field: str,
) -> None:
    """``rules.clinical.infusion.check_running`` in the location's time (its messages name
    times)."""
    tz = visit.location.tz

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.astimezone(tz) if moment is not None else None

    start = admin.started_at.astimezone(tz)
    try:
        infusion.check_running(
            start, local(admin.stopped_at), [(b.astimezone(tz), local(e)) for b, e in pauses]
        )
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None


def _seat(visit: Visit, user: User) -> None:
    """The patient is in the chair once the drug runs (the day board shows it)."""

    if visit.appointment.status == appointment_states.CHECKED_IN:
        appointment_seat(appointment=visit.appointment, user=user)


def _check_preparation(visit: Visit, started_at: dt.datetime) -> None:
    prep = getattr(visit, "preparation", None)
    if prep is None or not prep.is_prepared or prep.checked_by_id is None:
        raise ValidationError(
            {"started_at": "The dose must be prepared and checked by a second person first."}
        )
    if prep.prepared_at and started_at < prep.prepared_at:
        prepared = prep.prepared_at.astimezone(visit.location.tz)
        raise ValidationError(
            {"started_at": f"The dose was prepared at {prepared:%H:%M}: it cannot start before."}
        )
    if prep.beyond_use_at and started_at > prep.beyond_use_at:
        raise ValidationError(
            {
                "started_at": f"The preparation's beyond-use time was "
                f"{prep.beyond_use_at.astimezone(visit.location.tz):%H:%M}: do not give it; "
                "prepare a new dose."
            }
        )


@transaction.atomic
def administration_start(
    *,
    visit: Visit,
    user: User,
    started_at: dt.datetime,
    method: str = Administration.Method.INFUSION,
    site: str = "",
    rate_ml_h: Decimal | None = None,
    substance: str = "",
    category: str = "",
    premedication: str = "",
    dose_given_mg: Decimal | None = None,
    from_center_stock: bool = True,
    separate_access_site: bool = False,
    stopped_at: dt.datetime | None = None,
) -> Administration:
    """Start giving the ordered drug (no ``substance``) or another one (hydration, a premed).

    The ordered drug must be prepared and checked, within its beyond-use time; its category
    comes from the formulary. An injection (SC/IM) needs its site. ``premedication`` is the
    formulary key of a premedication given from the center's stock: it needs the dose given
    and is billed with its own HCPCS code (an oral premedication is recorded at check-in,
    not here). ``separate_access_site`` documents a second IV site the protocol required.
    ``stopped_at`` records a push, an injection or a short infusion of another substance
    in one action: it ends there (completed) and never stays "running" (issue 21 item 6).
    """
    current = locked_visit(visit)
    on_visit_day(current, started_at, "started_at", "start time")
    if method not in Administration.Method.values:
        raise ValidationError({"method": "Choose how the drug is given."})
    if method in INJECTIONS and not site.strip():
        raise ValidationError({"site": "Record the injection site (e.g. left abdomen)."})
    premed = _premedication(current, premedication, dose_given_mg)
    if premed is not None:
        substance, category = premed.generic_name, CATEGORY_OF_DRUG[premed.admin_category]
    elif dose_given_mg is not None:
        dose_given_mg = None  # the ordered drug's dose is recorded when it stops
    primary = not substance.strip()
    if primary:
        if current.dose_held:
            raise ValidationError({"started_at": "The dose is held today."})
        if current.administrations.filter(is_primary=True).exists():
            raise ValidationError({"started_at": "The ordered drug was already started."})
        require_signed_order(current)
        _check_preparation(current, started_at)
        substance = current.order.drug.generic_name
        category = CATEGORY_OF_DRUG[current.order.drug.admin_category]
    elif category not in Administration.Category.values:
        raise ValidationError({"category": "Choose what kind of substance it is."})
    _check_stopped_at(current, primary, started_at, stopped_at)
    admin = Administration(
        visit=current,
        is_primary=primary,
        substance=substance.strip()[:120],
        category=category,
        method=method,
        site=site.strip()[:80],
        started_at=started_at,
        drug=premed,
        dose_given_mg=dose_given_mg,
        from_center_stock=from_center_stock,
        separate_access_site=separate_access_site,
        stopped_at=stopped_at,
        stop_reason=Administration.StopReason.COMPLETED if stopped_at else "",
    )
    admin.full_clean()
    admin.save()
    if rate_ml_h:
        _add_rate(admin, started_at, rate_ml_h)
    if primary:
        _seat(current, user)
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        visit=current,
        obj=admin,
        changes=diff({}, snapshot(admin, AUDITED)),
    )
    return admin


def _check_stopped_at(
    visit: Visit, primary: bool, started_at: dt.datetime, stopped_at: dt.datetime | None
) -> None:
    """A stop recorded with the start: only for another substance, after the start."""
    if stopped_at is None:
        return
    if primary:
        raise ValidationError(
            {"stopped_at": "Record the ordered drug's stop with its own stop form."}
        )
    on_visit_day(visit, stopped_at, "stopped_at", "stop time")
    if stopped_at <= started_at:
        raise ValidationError({"stopped_at": "The stop time must be after the start."})


def _premedication(visit: Visit, key: str, dose_mg: Decimal | None) -> Any:
    """The formulary premedication named by ``key`` (None when none is named)."""

    if not key.strip():
        return None
    drug = Drug.objects.filter(
        organization=visit.organization, key=key.strip(), premedication=True, is_active=True
    ).first()
    if drug is None:
        raise ValidationError({"premedication": "Choose a premedication from the list."})
    if dose_mg is None or dose_mg <= 0:
        raise ValidationError({"dose_given_mg": f"Enter the dose of {drug.generic_name} given."})
    return drug


def _add_rate(admin: Administration, at: dt.datetime, rate_ml_h: Decimal) -> RateStep:
    if at < admin.started_at or (admin.stopped_at and at > admin.stopped_at):
        raise ValidationError({"at": "A rate change must fall while the drug runs."})
    step = RateStep(administration=admin, at=at, rate_ml_h=rate_ml_h)
    step.full_clean()
    step.save()
    return step


def _locked_admin(admin: Administration) -> tuple[Visit, Administration]:
    visit = locked_visit(admin.visit)
    return visit, Administration.objects.select_for_update().get(pk=admin.pk)


@transaction.atomic
def administration_rate(
    *, administration: Administration, user: User, at: dt.datetime, rate_ml_h: Decimal
) -> RateStep:
    """A new rate from ``at`` (titration steps, slowing for a reaction)."""
    visit, admin = _locked_admin(administration)
    on_visit_day(visit, at, "at", "time of the rate change")
    step = _add_rate(admin, at, rate_ml_h)
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=visit,
        obj=admin,
        changes={"rate": [None, f"{rate_ml_h} mL/h at {at.astimezone(visit.location.tz):%H:%M}"]},
    )
    return step


@transaction.atomic
def administration_pause(
    *, administration: Administration, user: User, started_at: dt.datetime, reason: str
) -> Interruption:
    """The infusion is interrupted (a reaction, a line problem, the patient's break)."""
    visit, admin = _locked_admin(administration)
    on_visit_day(visit, started_at, "started_at", "time of the interruption")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the infusion was interrupted."})
    if admin.interruptions.filter(ended_at=None).exists():
        raise ValidationError({"started_at": "The infusion is already interrupted."})
    pause = Interruption(administration=admin, started_at=started_at, reason=reason.strip()[:160])
    _check_running(visit, admin, [*_pauses(admin), (started_at, None)], "started_at")
    pause.full_clean()
    pause.save()
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=visit,
        obj=admin,
        changes={
            "interrupted": [
                None,
                f"{started_at.astimezone(visit.location.tz):%H:%M} {pause.reason}",
            ]
        },
    )
    return pause


@transaction.atomic
def administration_resume(
    *, administration: Administration, user: User, ended_at: dt.datetime
) -> Interruption:
    visit, admin = _locked_admin(administration)
    on_visit_day(visit, ended_at, "ended_at", "time the infusion resumed")
    pause = admin.interruptions.select_for_update().filter(ended_at=None).first()
    if pause is None:
        raise ValidationError({"ended_at": "The infusion is not interrupted."})
    pause.ended_at = ended_at
    others = [(p.started_at, p.ended_at) for p in admin.interruptions.exclude(pk=pause.pk)]
    _check_running(visit, admin, [*others, (pause.started_at, ended_at)], "ended_at")
    pause.full_clean()
    pause.save()
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=visit,
        obj=admin,
        changes={"resumed": [None, f"{ended_at.astimezone(visit.location.tz):%H:%M}"]},
    )
    return pause


def _dose_given(
    visit: Visit, admin: Administration, reason: str, dose: Decimal | None
) -> Decimal | None:
    if not admin.is_primary:
        # A premedication keeps the dose recorded at its start unless a new one is given.
        return dose if dose is not None and admin.drug_id else admin.dose_given_mg
    prepared = visit.preparation.dose_mg
    if dose is None:
        if reason != Administration.StopReason.COMPLETED:
            raise ValidationError(
                {"dose_given_mg": "The infusion stopped early: enter the dose actually given."}
            )
        return prepared
    if dose < 0 or dose > prepared:
        raise ValidationError(
            {
                "dose_given_mg": "The dose given must be between 0 and the "
                f"{prepared.normalize():f} mg prepared."
            }
        )
    return dose


def _check_volume(admin: Administration) -> None:
    """The volume read off the pump must be what the recorded rates delivered over the
    running time (``rules.clinical.infusion.volume_problem``), unless the nurse says why."""
    if admin.volume_infused_ml is None or admin.stopped_at is None or admin.notes:
        return
    pauses = [(p.started_at, p.ended_at or admin.stopped_at) for p in admin.interruptions.all()]
    spans = running_spans(admin.started_at, admin.stopped_at, pauses)
    delivered = volume_delivered_ml(spans, [(r.at, r.rate_ml_h) for r in admin.rates.all()])
    if delivered is None:
        return
    minutes = running_minutes(admin.started_at, admin.stopped_at, pauses)
    problem = volume_problem(Decimal(admin.volume_infused_ml), delivered, minutes)
    if problem:
        raise ValidationError({"volume_infused_ml": problem})


@transaction.atomic
def administration_stop(
    *,
    administration: Administration,
    user: User,
    stopped_at: dt.datetime,
    stop_reason: str = Administration.StopReason.COMPLETED,
    volume_infused_ml: Decimal | None = None,
    dose_given_mg: Decimal | None = None,
    notes: str = "",
) -> Administration:
    """Stop: completed (the whole prepared dose given) or early (the dose actually given).

    Refuses a stop time not after the start, or with an interruption still open.
    """
    visit, admin = _locked_admin(administration)
    on_visit_day(visit, stopped_at, "stopped_at", "stop time")
    if stop_reason not in Administration.StopReason.values:
        raise ValidationError({"stop_reason": "Say why the infusion stopped."})
    before = snapshot(admin, AUDITED)
    open_pause = admin.interruptions.filter(ended_at=None).first()
    if open_pause is not None:
        open_pause.ended_at = stopped_at  # an interrupted infusion that is stopped ends there
        if stopped_at > open_pause.started_at:
            open_pause.save(update_fields=["ended_at", "updated_at"])
    admin.stopped_at = stopped_at
    _check_running(visit, admin, _pauses(admin), "stopped_at")
    admin.stop_reason = stop_reason
    admin.volume_infused_ml = volume_infused_ml
    admin.dose_given_mg = _dose_given(visit, admin, stop_reason, dose_given_mg)
    admin.notes = notes.strip()[:255]
    _check_volume(admin)
    admin.full_clean()
    admin.save()
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=visit,
        obj=admin,
        changes=diff(before, snapshot(admin, AUDITED)),
    )
    return admin


@transaction.atomic
def administration_remove(*, administration: Administration, user: User, reason: str) -> None:
    """Strike an administration entered in error (before signing), with the reason."""
    visit, admin = _locked_admin(administration)
    if not reason.strip():
        raise ValidationError({"reason": "Say why this entry is removed."})
    audit(
        AuditEvent.Action.DELETE,
        user=user,
        visit=visit,
        obj=admin,
        changes=diff(snapshot(admin, AUDITED), {}),
        reason=reason.strip(),
    )
    admin.delete()


@transaction.atomic
def administration_record_dose(
    *,
    administration: Administration,
    user: User,
    dose_given_mg: Decimal,
    volume_infused_ml: Decimal | None = None,
) -> Administration:
    """The dose actually given by an infusion that stopped early (a reaction stopped it)."""
    visit, admin = _locked_admin(administration)
    if admin.stopped_at is None:
        raise ValidationError({"dose_given_mg": "Stop the infusion first."})
    before = snapshot(admin, AUDITED)
    admin.dose_given_mg = _dose_given(visit, admin, admin.stop_reason, dose_given_mg)
    if volume_infused_ml is not None:
        admin.volume_infused_ml = volume_infused_ml
    admin.full_clean()
    admin.save()
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=visit,
        obj=admin,
        changes=diff(before, snapshot(admin, AUDITED)),
    )
    return admin
