"""Infusion reactions (CTCAE v5.0 grades). Grade 2 ("interruption indicated") interrupts
the running infusion, grade 3 or more stops it; both alert the supervising provider (an
alert record on the Today page until a physician or NP acknowledges it). Choosing "Infusion
paused" for a grade 1 reaction pauses it too: one action, not two. Resuming records the
new rate (labels: e.g. half the previous rate, ``rules.clinical.infusion.restart_rate``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import diff, snapshot
from chairside.core.actors import acting_user
from chairside.rules.clinical.infusion import (
    CTCAE_GRADES,
    interrupts_infusion,
    restart_rate,
    stops_infusion,
)
from chairside.tenancy.models import StaffMember
from chairside.treatments.models import (
    Administration,
    Interruption,
    RateStep,
    Reaction,
    ReactionRecord,
    Visit,
    VisitAlert,
)
from chairside.treatments.services._common import (
    audit,
    locked_visit,
    on_visit_day,
    same_organization,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

AUDITED = (
    "onset_at",
    "signs",
    "signs_other",
    "grade",
    "actions",
    "actions_other",
    "provider_notified",
    "notified_at",
    "outcome",
    "outcome_at",
    "notes",
)


def _choices(values: list[str], allowed: list[tuple[str, str]], field: str) -> list[str]:
    known = {key for key, _ in allowed}
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValidationError({field: f"Unknown choice(s): {', '.join(unknown)}."})
    return sorted(set(values), key=[k for k, _ in allowed].index)


def checked_reaction(
    *, grade: int, signs: list[str], signs_other: str, actions: list[str]
) -> tuple[list[str], list[str]]:
    """The reaction's signs and actions in the list's order, or a ValidationError: a grade
    outside CTCAE 1-5, an unknown choice, no sign at all. Shared by the chair and the home."""
    if isinstance(grade, bool) or grade not in CTCAE_GRADES:
        raise ValidationError({"grade": "Choose the CTCAE grade (1 to 5)."})
    chosen = _choices(signs, ReactionRecord.SIGNS, "signs")
    if not chosen and not signs_other.strip():
        raise ValidationError({"signs": "Record at least one sign or symptom."})
    return chosen, _choices(actions, ReactionRecord.ACTIONS, "actions")


def actions_taken(grade: int, actions: list[str]) -> list[str]:
    """Grade 3 or more stops the infusion and grade 2 interrupts it (CTCAE: "interruption
    indicated"): the record says so even when the nurse did not tick it."""
    if stops_infusion(grade) and "stopped" not in actions:
        return _choices([*actions, "stopped"], ReactionRecord.ACTIONS, "actions")
    if not stops_infusion(grade) and interrupts_infusion(grade) and "paused" not in actions:
        return _choices([*actions, "paused"], ReactionRecord.ACTIONS, "actions")
    return actions


def _stop_running(visit: Visit, onset: dt.datetime, user: User) -> Administration | None:
    """Stop the running ordered drug at the reaction's onset (grade 3 or more)."""
    running = (
        visit.administrations.select_for_update()
        .filter(is_primary=True, stopped_at=None, started_at__lt=onset)
        .first()
    )
    if running is None:
        return None
    Interruption.objects.filter(administration=running, ended_at=None).update(ended_at=onset)
    running.stopped_at = onset
    running.stop_reason = Administration.StopReason.REACTION
    running.full_clean()
    running.save()
    audit(
        AuditEvent.Action.STATE,
        user=user,
        visit=visit,
        obj=running,
        changes={"stopped_at": [None, onset.isoformat()], "stop_reason": [None, "reaction"]},
    )
    return running


def _running_primary(visit: Visit, moment: dt.datetime) -> Administration | None:
    return (
        visit.administrations.select_for_update()
        .filter(is_primary=True, stopped_at=None, started_at__lt=moment)
        .first()
    )


def _pause_running(visit: Visit, reaction: Reaction, user: User) -> Interruption | None:
    """Interrupt the running ordered drug at the reaction's onset (unless already paused)."""
    running = _running_primary(visit, reaction.onset_at)
    if running is None or running.interruptions.filter(ended_at=None).exists():
        return None
    pause = Interruption(
        administration=running,
        started_at=reaction.onset_at,
        reason=f"Grade {reaction.grade} infusion reaction",
    )
    pause.full_clean()
    pause.save()
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=visit,
        obj=running,
        changes={"interrupted": [None, f"{pause.started_at.isoformat()} {pause.reason}"]},
    )
    return pause


def _alert(visit: Visit, reaction: Reaction, user: User) -> VisitAlert:
    provider = visit.supervising_provider or reaction.provider_notified
    local = reaction.onset_at.astimezone(visit.location.tz)
    alert = VisitAlert.objects.create(
        organization=visit.organization,
        visit=visit,
        reaction=reaction,
        message=(
            f"Grade {reaction.grade} infusion reaction at {local:%H:%M}: "
            f"{visit.patient.full_name}, chair {visit.chair.name if visit.chair else '—'} "
            f"({', '.join(reaction.sign_labels) or 'see visit'}). "
            + (
                "Infusion stopped."
                if stops_infusion(reaction.grade)
                else "Infusion interrupted (CTCAE: interruption indicated)."
            )
        )[:255],
        to_provider=provider,
    )
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        visit=visit,
        obj=alert,
        changes={"alert": [None, alert.message]},
    )
    return alert


@transaction.atomic
def reaction_record(
    *,
    visit: Visit,
    user: User,
    onset_at: dt.datetime,
    grade: int,
    signs: list[str],
    signs_other: str = "",
    actions: list[str] | None = None,
    actions_other: str = "",
    provider_notified: StaffMember | None = None,
    notified_at: dt.datetime | None = None,
    notes: str = "",
) -> Reaction:
    """Record a reaction: onset, signs, CTCAE grade, actions, the provider told.

    Grade 3 or more stops the running infusion at the onset and alerts the supervising
    provider (or the provider notified).
    """
    current = locked_visit(visit)
    on_visit_day(current, onset_at, "onset_at", "onset time")
    on_visit_day(current, notified_at, "notified_at", "time the provider was told")
    chosen, chosen_actions = checked_reaction(
        grade=grade, signs=signs, signs_other=signs_other, actions=actions or []
    )
    same_organization(current, provider_notified=provider_notified)
    reaction = Reaction(
        visit=current,
        administration=current.administrations.filter(is_primary=True).first(),
        onset_at=onset_at,
        grade=grade,
        signs=chosen,
        signs_other=signs_other.strip()[:200],
        actions=chosen_actions,
        actions_other=actions_other.strip()[:200],
        provider_notified=provider_notified,
        notified_at=notified_at,
        notes=notes.strip(),
        recorded_by=acting_user(user),
    )
    pause = not stops_infusion(grade) and (
        interrupts_infusion(grade) or "paused" in reaction.actions
    )
    if stops_infusion(grade):
        _stop_running(current, onset_at, user)
    reaction.actions = actions_taken(grade, reaction.actions)
    reaction.full_clean()
    reaction.save()
    if pause:
        _pause_running(current, reaction, user)
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        visit=current,
        obj=reaction,
        changes=diff({}, snapshot(reaction, AUDITED)),
    )
    if stops_infusion(grade) or interrupts_infusion(grade):
        _alert(current, reaction, user)
    return reaction


def _resume(
    visit: Visit, reaction: Reaction, at: dt.datetime, rate: Decimal | None, user: User
) -> None:
    running = _running_primary(visit, at)
    if running is None:
        return
    had_rate = running.rates.exists()
    if had_rate and rate is None:
        last = running.rates.filter(at__lte=reaction.onset_at).order_by("-at").first()
        half = restart_rate(last.rate_ml_h if last else None)
        hint = f" (half the previous rate: {half} mL/h)" if half else ""
        raise ValidationError(
            {"resume_rate_ml_h": f"Enter the rate the infusion restarts at{hint}."}
        )
    pause = running.interruptions.filter(ended_at=None).first()
    if pause is not None:
        if at <= pause.started_at:
            raise ValidationError({"outcome_at": "The infusion resumes after it was paused."})
        pause.ended_at = at
        pause.save(update_fields=["ended_at", "updated_at"])
    if rate is not None:
        step = RateStep(administration=running, at=at, rate_ml_h=rate)
        step.full_clean()
        step.save()
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=visit,
        obj=running,
        changes={"resumed": [None, f"{at.isoformat()} at {rate} mL/h" if rate else at.isoformat()]},
    )


@transaction.atomic
def reaction_outcome(
    *,
    reaction: Reaction,
    user: User,
    outcome: str,
    outcome_at: dt.datetime,
    notes: str = "",
    resume_rate_ml_h: Decimal | None = None,
) -> Reaction:
    """How the reaction ended (resolved, infusion resumed or not, transferred).

    "Resumed" ends the interruption at ``outcome_at`` and records the rate it restarts at
    (required for an infusion that runs at a rate)."""
    visit = locked_visit(reaction.visit)
    locked = Reaction.objects.select_for_update().get(pk=reaction.pk)
    on_visit_day(visit, outcome_at, "outcome_at", "time of the outcome")
    if outcome not in Reaction.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    if outcome_at < locked.onset_at:
        raise ValidationError({"outcome_at": "The outcome cannot be before the onset."})
    if outcome == Reaction.Outcome.RESOLVED_RESUMED and stops_infusion(locked.grade):
        raise ValidationError(
            {"outcome": "A grade 3 or higher reaction stops the infusion for today."}
        )
    if outcome == Reaction.Outcome.RESOLVED_RESUMED:
        _resume(visit, locked, outcome_at, resume_rate_ml_h, user)
    before = snapshot(locked, AUDITED)
    locked.outcome, locked.outcome_at = outcome, outcome_at
    if notes.strip():
        locked.notes = (locked.notes + "\n" + notes.strip()).strip()
    locked.full_clean()
    locked.save()
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=visit,
        obj=locked,
        changes=diff(before, snapshot(locked, AUDITED)),
    )
    return locked


@transaction.atomic
def alert_acknowledge(*, alert: VisitAlert, user: User) -> VisitAlert:
    """The supervising provider has seen the alert (and is with the patient)."""
    locked = (
        VisitAlert.objects.select_for_update().select_related("visit__patient").get(pk=alert.pk)
    )
    if locked.acknowledged_at is not None:
        return locked
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = user
    locked.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    audit(
        AuditEvent.Action.STATE,
        user=user,
        visit=locked.visit,
        obj=locked,
        changes={"acknowledged_at": [None, locked.acknowledged_at.isoformat()]},
    )
    return locked
