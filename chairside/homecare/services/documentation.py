"""Documenting a home nursing visit: the chair visit's vitals, reactions and sign-off rules,
applied to a visit in the patient's home.

The chair-side services own the rules and are called here, not copied: the readings'
bounds and flags (``treatments.services.vitals.checked_readings``), the reaction's CTCAE
grade, signs and the actions a grade implies (``treatments.services.reactions``), the
visit-day time rule (``treatments.services._common.on_visit_day``), the infusion's time
check (``rules.clinical.infusion.check_running``). The rows are the chair's columns too
(``treatments.models.VitalReadings`` / ``ReactionRecord``), in home care's own tables:
a home visit has no chair, appointment, preparation or chair claim.

Every entry may carry ``client_id``, the tablet's id for it, and ``client_entered_at``, when
the nurse saved it by the tablet's clock (``created_at`` is when the server received it; the
page shows both when they are minutes apart). An entry sent again (the
offline queue retrying, a double tap) returns the row already recorded and records nothing.
Signing locks the visit (status completed); later corrections are addenda.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, audited_update, diff, snapshot
from chairside.core.actors import acting_user
from chairside.homecare.events import home_service_documented
from chairside.homecare.models import (
    NURSE_CREDENTIALS,
    DeliveryItem,
    DeliveryTicket,
    HomeAdministration,
    HomeInfusionOrder,
    HomeReaction,
    HomeVisit,
    HomeVisitAddendum,
    HomeVitals,
)
from chairside.inventory.models import Lot
from chairside.rules.clinical.home_visit import HomeVisitState, missing_for_signing
from chairside.rules.clinical.infusion import check_running, stops_infusion
from chairside.tenancy.models import StaffMember
from chairside.treatments.models import Administration, ReactionRecord, VitalReadings
from chairside.treatments.services._common import on_visit_day, person_name, staff_for
from chairside.treatments.services.reactions import actions_taken, checked_reaction
from chairside.treatments.services.vitals import READINGS, checked_readings, fill_readings

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Row = TypeVar("Row", HomeVitals, HomeAdministration, HomeReaction)
INJECTIONS = frozenset({Administration.Method.SUBCUTANEOUS, Administration.Method.INTRAMUSCULAR})
REACTION_AUDITED = (
    "onset_at",
    "grade",
    "signs",
    "signs_other",
    "actions",
    "actions_other",
    "provider_notified",
    "notified_at",
    "outcome",
    "outcome_at",
    "notes",
)


def _locked(home_visit: HomeVisit) -> HomeVisit:
    return (
        HomeVisit.objects.select_for_update(of=("self",))
        .select_related("patient", "location", "organization", "nurse")
        .get(pk=home_visit.pk)
    )


def _open(current: HomeVisit) -> HomeVisit:
    """Refuse a signed visit (addenda only), a cancelled or missed one, and one marked
    completed without this documentation (before it existed)."""
    if current.is_signed:
        raise ValidationError(
            "This visit is signed and locked; write an addendum to correct or add to it."
        )
    if current.status != HomeVisit.Status.SCHEDULED:
        raise ValidationError(
            f"This visit is {current.get_status_display().lower()}: nothing can be documented."
        )
    return current


def _nurse(current: HomeVisit, user: User) -> None:
    """Home visits are documented by nurses (an RN, LPN or NP on the organization's staff)."""
    staff = staff_for(user, current.organization)
    if staff is None or staff.credential not in NURSE_CREDENTIALS:
        raise ValidationError("Only a nurse (RN, LPN or NP) documents a home visit.")


def _replayed(model: type[Row], current: HomeVisit, client_id: uuid.UUID | None) -> Row | None:
    """The row an earlier send of the same entry recorded, if any."""
    if client_id is None:
        return None
    row = model.objects.filter(client_id=client_id).first()
    if row is not None and row.home_visit_id != current.pk:
        raise ValidationError("That entry id belongs to another visit; reload the page.")
    return row


def _audit(action: str, *, user: User, current: HomeVisit, obj: models.Model, changes: Any) -> None:
    audit_record(
        action=action,
        user=user,
        organization=current.organization,
        obj=obj,
        patient=current.patient,
        changes=changes,
    )


@transaction.atomic
def home_vitals_record(
    *,
    home_visit: HomeVisit,
    user: User,
    phase: str,
    taken_at: dt.datetime | None = None,
    client_id: uuid.UUID | None = None,
    client_entered_at: dt.datetime | None = None,
    systolic: int | None = None,
    diastolic: int | None = None,
    pulse: int | None = None,
    temperature_c: Decimal | None = None,
    spo2: int | None = None,
    respiratory_rate: int | None = None,
) -> HomeVitals:
    """One set of readings taken in the home, refused or flagged as at the chair."""
    current = _locked(home_visit)
    again = _replayed(HomeVitals, current, client_id)
    if again is not None:
        return again
    _open(current)
    _nurse(current, user)
    if phase not in VitalReadings.Phase.values:
        raise ValidationError({"phase": "Say when the vital signs were taken."})
    if taken_at is None:
        # "Empty: now" means when the nurse saved it: for an entry kept on the tablet while
        # offline that is its entered-at time (tablet clock) when on the visit day, not the
        # later moment the server received it.
        entered = client_entered_at
        local = entered.astimezone(current.location.tz).date() if entered else None
        taken_at = entered if entered is not None and local == current.date else timezone.now()
    on_visit_day(current, taken_at, "taken_at", "time of the readings")
    readings = checked_readings(
        systolic=systolic,
        diastolic=diastolic,
        pulse=pulse,
        temperature_c=temperature_c,
        spo2=spo2,
        respiratory_rate=respiratory_rate,
    )
    row = HomeVitals(
        home_visit=current,
        phase=phase,
        taken_at=taken_at,
        taken_by=acting_user(user),
        client_id=client_id,
        client_entered_at=client_entered_at,
    )
    fill_readings(row, readings)
    row.full_clean()
    row.save()
    changes = diff({}, snapshot(row, ("phase", "taken_at", *READINGS)))
    _audit(AuditEvent.Action.CREATE, user=user, current=current, obj=row, changes=changes)
    return row


def delivered_lots(home_visit: HomeVisit) -> list[Lot]:
    """The lots delivered to the patient's home up to the visit day (proof recorded)."""
    ids = DeliveryItem.objects.filter(
        ticket__organization_id=home_visit.organization_id,
        ticket__patient_id=home_visit.patient_id,
        ticket__status=DeliveryTicket.Status.DELIVERED,
        ticket__date__lte=home_visit.date,
        lot__isnull=False,
    ).values_list("lot_id", flat=True)
    return list(Lot.objects.filter(pk__in=ids).select_related("package__drug").order_by("pk"))


def visit_orders(home_visit: HomeVisit) -> list[HomeInfusionOrder]:
    """The patient's home orders in force on the visit day."""
    orders = HomeInfusionOrder.objects.filter(
        organization_id=home_visit.organization_id, patient_id=home_visit.patient_id
    ).select_related("drug")
    return [o for o in orders if o.is_active_on(home_visit.date)]


def _source(
    current: HomeVisit, home_order: HomeInfusionOrder | None, lot: Lot | None
) -> tuple[Any, str]:
    """The drug given (formulary drug or None, the name as written) from the order or lot."""
    if home_order is None and lot is None:
        raise ValidationError({"home_order": "Choose the home order or the delivered lot given."})
    if home_order is not None and home_order.pk not in {o.pk for o in visit_orders(current)}:
        raise ValidationError({"home_order": "That order is not in force for this patient today."})
    if lot is not None and lot.pk not in {x.pk for x in delivered_lots(current)}:
        raise ValidationError({"lot": "That lot was not delivered to this patient's home."})
    lot_drug = lot.package.drug if lot is not None else None
    if home_order is None:
        return lot_drug, ""
    if lot_drug is not None and home_order.drug_id and lot_drug.pk != home_order.drug_id:
        raise ValidationError(
            {"lot": f"That lot is {lot_drug.generic_name}, not the order's drug."}
        )
    return (home_order.drug if home_order.drug_id else lot_drug), home_order.drug_name


@transaction.atomic
def home_administration_record(
    *,
    home_visit: HomeVisit,
    user: User,
    started_at: dt.datetime,
    dose_amount: Decimal,
    dose_unit: str,
    method: str,
    home_order: HomeInfusionOrder | None = None,
    lot: Lot | None = None,
    lot_number: str = "",
    site: str = "",
    stopped_at: dt.datetime | None = None,
    notes: str = "",
    client_id: uuid.UUID | None = None,
    client_entered_at: dt.datetime | None = None,
) -> HomeAdministration:
    """A dose given in the home: the drug of the patient's home order in force (a
    formulary drug or, for home therapies the formulary does not carry, the drug as the
    order names it) or of a lot delivered to the home; dose, route, site, times, lot."""
    current = _locked(home_visit)
    again = _replayed(HomeAdministration, current, client_id)
    if again is not None:
        return again
    _open(current)
    _nurse(current, user)
    drug, drug_name = _source(current, home_order, lot)
    if method not in Administration.Method.values:
        raise ValidationError({"method": "Choose how the drug is given."})
    if method in INJECTIONS and not site.strip():
        raise ValidationError({"site": "Record the injection site."})
    if dose_unit not in HomeInfusionOrder.DoseUnit.values:
        raise ValidationError({"dose_unit": "Choose the unit of the dose."})
    if dose_amount is None or dose_amount <= 0:
        raise ValidationError({"dose_amount": "Enter the dose given."})
    on_visit_day(current, started_at, "started_at", "start time")
    on_visit_day(current, stopped_at, "stopped_at", "stop time")
    tz = current.location.tz
    try:
        check_running(started_at.astimezone(tz), stopped_at and stopped_at.astimezone(tz), [])
    except ValueError as exc:
        raise ValidationError({"stopped_at": str(exc)}) from None
    row = HomeAdministration(
        home_visit=current,
        home_order=home_order,
        drug=drug,
        drug_name=drug_name,
        dose_amount=dose_amount,
        dose_unit=dose_unit,
        method=method,
        site=site.strip(),
        started_at=started_at,
        stopped_at=stopped_at,
        lot=lot,
        lot_number=(lot.lot_number if lot is not None else lot_number.strip())[:40],
        notes=notes.strip()[:255],
        given_by=acting_user(user),
        client_id=client_id,
        client_entered_at=client_entered_at,
    )
    row.full_clean()
    row.save()
    changes = diff({}, snapshot(row))
    _audit(AuditEvent.Action.CREATE, user=user, current=current, obj=row, changes=changes)
    return row


@transaction.atomic
def home_administration_stop(
    *, administration: HomeAdministration, user: User, stopped_at: dt.datetime
) -> HomeAdministration:
    """The stop time of a dose still running when it was recorded."""
    current = _open(_locked(administration.home_visit))
    _nurse(current, user)
    row = HomeAdministration.objects.select_for_update().get(pk=administration.pk)
    if row.stopped_at is not None:
        return row
    on_visit_day(current, stopped_at, "stopped_at", "stop time")
    tz = current.location.tz
    try:
        check_running(row.started_at.astimezone(tz), stopped_at.astimezone(tz), [])
    except ValueError as exc:
        raise ValidationError({"stopped_at": str(exc)}) from None
    audited_update(
        instance=row,
        user=user,
        data={"stopped_at": stopped_at},
        fields=["stopped_at"],
        organization=current.organization,
        patient=current.patient,
    )
    return row


def _stop_running(current: HomeVisit, onset: dt.datetime, user: User) -> None:
    """Grade 3 or more stops the infusion running at the onset (as at the chair)."""
    for row in current.administrations.select_for_update().filter(
        stopped_at=None, started_at__lt=onset
    ):
        row.stopped_at = onset
        row.full_clean()
        row.save()
        changes = {"stopped_at": [None, onset.isoformat()], "reason": [None, "reaction"]}
        _audit(AuditEvent.Action.STATE, user=user, current=current, obj=row, changes=changes)


def _outcome(grade: int, outcome: str, onset_at: dt.datetime, outcome_at: Any) -> None:
    if not outcome:
        return
    if outcome not in ReactionRecord.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    if outcome_at is None or outcome_at < onset_at:
        raise ValidationError({"outcome_at": "Give the time of the outcome, after the onset."})
    if outcome == ReactionRecord.Outcome.RESOLVED_RESUMED and stops_infusion(grade):
        raise ValidationError(
            {"outcome": "A grade 3 or higher reaction stops the infusion for today."}
        )


@transaction.atomic
def home_reaction_record(
    *,
    home_visit: HomeVisit,
    user: User,
    onset_at: dt.datetime,
    grade: int,
    signs: list[str],
    signs_other: str = "",
    actions: list[str] | None = None,
    actions_other: str = "",
    provider_notified: StaffMember | None = None,
    notified_at: dt.datetime | None = None,
    outcome: str = "",
    outcome_at: dt.datetime | None = None,
    notes: str = "",
    client_id: uuid.UUID | None = None,
    client_entered_at: dt.datetime | None = None,
) -> HomeReaction:
    """An infusion reaction in the home, graded and checked as at the chair; grade 3 or
    more stops the running dose at the onset."""
    current = _locked(home_visit)
    again = _replayed(HomeReaction, current, client_id)
    if again is not None:
        return again
    _open(current)
    _nurse(current, user)
    on_visit_day(current, onset_at, "onset_at", "onset time")
    on_visit_day(current, notified_at, "notified_at", "time the provider was told")
    on_visit_day(current, outcome_at, "outcome_at", "time of the outcome")
    chosen, chosen_actions = checked_reaction(
        grade=grade, signs=signs, signs_other=signs_other, actions=actions or []
    )
    _outcome(grade, outcome, onset_at, outcome_at)
    foreign = provider_notified and provider_notified.organization_id != current.organization_id
    if foreign:
        raise ValidationError({"provider_notified": "Choose a provider of your organization."})
    row = HomeReaction(
        home_visit=current,
        administration=current.administrations.filter(started_at__lte=onset_at).last(),
        onset_at=onset_at,
        grade=grade,
        signs=chosen,
        signs_other=signs_other.strip()[:200],
        actions=actions_taken(grade, chosen_actions),
        actions_other=actions_other.strip()[:200],
        provider_notified=provider_notified,
        notified_at=notified_at,
        outcome=outcome,
        outcome_at=outcome_at if outcome else None,
        notes=notes.strip(),
        recorded_by=acting_user(user),
        client_id=client_id,
        client_entered_at=client_entered_at,
    )
    if stops_infusion(grade):
        _stop_running(current, onset_at, user)
    row.full_clean()
    row.save()
    changes = diff({}, snapshot(row, REACTION_AUDITED))
    _audit(AuditEvent.Action.CREATE, user=user, current=current, obj=row, changes=changes)
    return row


@transaction.atomic
def home_visit_times_and_notes(
    *,
    home_visit: HomeVisit,
    user: User,
    arrived_at: dt.datetime | None,
    departed_at: dt.datetime | None,
    notes: str,
) -> HomeVisit:
    """When the nurse arrived and left, and her notes (saving the same again changes
    nothing, so a resent form is harmless)."""
    current = _open(_locked(home_visit))
    _nurse(current, user)
    on_visit_day(current, arrived_at, "arrived_at", "arrival time")
    on_visit_day(current, departed_at, "departed_at", "departure time")
    if departed_at is not None and (arrived_at is None or departed_at <= arrived_at):
        raise ValidationError({"departed_at": "The departure must be after the arrival."})
    audited_update(
        instance=current,
        user=user,
        data={"arrived_at": arrived_at, "departed_at": departed_at, "notes": notes.strip()},
        fields=["arrived_at", "departed_at", "notes"],
        organization=current.organization,
        patient=current.patient,
    )
    return current


def home_visit_state(home_visit: HomeVisit) -> HomeVisitState:
    return HomeVisitState(
        arrived=home_visit.arrived_at is not None,
        departed=home_visit.departed_at is not None,
        vitals_sets=home_visit.vitals.count(),
        administrations=home_visit.administrations.count(),
        running_administrations=home_visit.administrations.filter(stopped_at=None).count(),
        open_reactions=home_visit.reactions.filter(outcome="").count(),
        notes=home_visit.notes,
        in_suite=home_visit.setting == HomeVisit.Setting.SUITE,
    )


def may_sign(home_visit: HomeVisit, user: User) -> bool:
    """Only the visit's assigned nurse (an RN, LPN or NP) signs it."""
    staff = staff_for(user, home_visit.organization)
    return (
        staff is not None
        and home_visit.nurse_id == staff.pk
        and staff.credential in NURSE_CREDENTIALS
    )


@transaction.atomic
def home_visit_sign(*, home_visit: HomeVisit, user: User) -> HomeVisit:
    """Sign and lock the visit (completed), or refuse with every missing item; billing
    derives the month's home nursing lines from it (``events.home_service_documented``)."""
    current = _locked(home_visit)
    if current.is_signed:
        return current  # signed already: a second tap changes nothing
    _open(current)
    if not may_sign(current, user):
        raise ValidationError("Only the nurse assigned to this visit can sign it.")
    missing = missing_for_signing(home_visit_state(current))
    if missing:
        raise ValidationError(["The visit cannot be signed yet:", *missing])
    current.status = HomeVisit.Status.COMPLETED
    current.signed_at = timezone.now()
    current.signed_by = acting_user(user)
    current.signed_by_name = person_name(user, current.organization)
    current.full_clean()
    current.save()
    changes = {"status": ["scheduled", "completed"], "signed_by": [None, current.signed_by_name]}
    _audit(AuditEvent.Action.STATE, user=user, current=current, obj=current, changes=changes)
    home_service_documented(current.organization, current.patient, current.date, user)
    return current


@transaction.atomic
def home_visit_addendum(*, home_visit: HomeVisit, user: User, text: str) -> HomeVisitAddendum:
    """A correction or late entry on a signed home visit (billing derives the month again)."""
    current = _locked(home_visit)
    if not current.is_signed:
        raise ValidationError("The visit is not signed yet: correct the entry itself.")
    if len(text.strip()) < 5:
        raise ValidationError({"text": "Write the correction or the late entry."})
    addendum = HomeVisitAddendum.objects.create(
        home_visit=current,
        text=text.strip(),
        author=acting_user(user),
        author_name=person_name(user, current.organization),
    )
    changes = {"addendum": [None, addendum.text]}
    _audit(AuditEvent.Action.CREATE, user=user, current=current, obj=addendum, changes=changes)
    home_service_documented(current.organization, current.patient, current.date, user)
    return addendum
