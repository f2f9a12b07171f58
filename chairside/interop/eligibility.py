"""Electronic eligibility (X12 270/271, 005010X279A1) for a benefits check's coverage.

An adapter at the end of the flow: it reads the benefits check (access), the billing
provider (billing: the NPI the payer knows the center by) and the patient's coverage, writes
the 270 with ``rules.billing.x12.x12_270``, sends it through the configured clearinghouse transport
(``eligibility_transport``), reads the 271 with ``rules.billing.x12.x12_271`` into a proposal, and
keeps each exchange (``EligibilityExchange``). Nothing in the benefits changes until a coordinator
confirms the proposal (``eligibility_confirm``, which verifies the benefits through
``benefits_verify``, audited); a 271 that cannot be read leaves the benefits untouched.

The differences a 271 shows against the verified benefits (coverage inactive, plan changed,
prior authorization now required, cost sharing changed) reach the readiness board and the
access queue through ``authorizations.events.on_benefits_flags`` until they are reviewed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chairside.access.authorizations.events import BenefitsFlag, on_benefits_flags
from chairside.access.authorizations.models import BenefitsInvestigation
from chairside.access.authorizations.services import benefits_verify
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.documents import receiver, sender
from chairside.billing.pricing import billing_profile
from chairside.core.actors import acting_user
from chairside.interop.eligibility_transport import TransportError, get_transport
from chairside.interop.models import EligibilityExchange
from chairside.patients.selectors import claim_coverages, claim_person
from chairside.rules.billing.charges import Person
from chairside.rules.billing.x12 import x12_270, x12_271
from chairside.rules.scheduling import appointment_states
from chairside.scheduling.models import Appointment

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Status = EligibilityExchange.Status
# Chairside's site types → the setting the service type code is chosen by (rules.x12_270).
SETTINGS = {
    "office": "office",
    "independent_clinic": "office",
    "hospital_on_campus": "hospital_outpatient",
    "hospital_off_campus": "hospital_outpatient",
    "home": "home",
}
# Proposal fields the benefits record holds (plan name and group are the coverage's: shown,
# not written).
BENEFITS_FIELDS = (
    "coverage_active",
    "plan_year",
    "pa_required",
    "deductible",
    "deductible_met",
    "out_of_pocket_max",
    "out_of_pocket_met",
    "coinsurance_percent",
    "copay",
)
DECIMALS = frozenset(
    {
        "deductible",
        "deductible_met",
        "out_of_pocket_max",
        "out_of_pocket_met",
        "coinsurance_percent",
        "copay",
    }
)


def _inquiry(
    check: BenefitsInvestigation, *, control_number: int, trace: str, on: dt.date, now: Any
) -> x12_270.Inquiry:
    """The 270's facts; ValueError (from the rules) when one cannot be asked."""
    profile = billing_profile(check.organization)
    coverage = check.coverage
    patient = claim_person(check.patient)
    relation = coverage.subscriber_relation
    dependent = relation in x12_270.DEPENDENT_RELATIONS
    subscriber = patient
    if dependent:
        facts = next(
            (c for c in claim_coverages(check.patient, on) if c.member_id == coverage.member_id),
            None,
        )
        subscriber = (facts.subscriber if facts else None) or Person(
            coverage.subscriber_name or patient.last_name, "", None, "U"
        )
    location = check.order.location
    setting = SETTINGS.get(location.site_type, "") if location is not None else ""
    return x12_270.Inquiry(
        sender=sender(profile),
        receiver=receiver(profile),
        control_number=control_number,
        created_at=now,
        payer_name=coverage.payer.name,
        payer_id=coverage.payer.payer_id,
        provider_name=profile.billing_name,
        provider_npi=profile.npi,
        subscriber=subscriber,
        member_id=coverage.member_id,
        on_date=on,
        trace_number=trace,
        originator=x12_270.trace_originator(profile.tax_id or profile.npi),
        service_types=x12_270.service_types_for(
            setting, chemotherapy=check.order.drug.admin_category == "chemo"
        ),
        relationship=relation if dependent else "self",
        dependent=patient if dependent else None,
        production=profile.production,
    )


@transaction.atomic
def eligibility_check(
    *,
    benefits: BenefitsInvestigation,
    user: User | None,
    on_date: dt.date | None = None,
    trigger: str = EligibilityExchange.Trigger.MANUAL,
) -> EligibilityExchange:
    """Send a 270 about the benefits check's coverage and read the answer if it comes at once.

    Raises ValidationError (and writes nothing) when the inquiry cannot be written: no
    electronic payer ID, no member ID, no valid billing NPI. A transport failure is kept as
    a failed exchange; the benefits never change here.
    """
    now = timezone.now()
    on = on_date or timezone.localdate()
    try:
        x12_270.build_270(_inquiry(benefits, control_number=1, trace="CHECK", on=on, now=now))
    except ValueError as exc:
        raise ValidationError(f"The eligibility inquiry cannot be sent: {exc}.") from None
    exchange = EligibilityExchange.objects.create(
        organization=benefits.organization,
        benefits=benefits,
        patient=benefits.patient,
        coverage=benefits.coverage,
        trigger=trigger,
        trace_number="PENDING",
        asked_for=on,
        requested_by=acting_user(user),
    )
    exchange.trace_number = f"EL{exchange.pk:08d}"
    inquiry = _inquiry(
        benefits,
        control_number=exchange.pk % 1_000_000_000 or 1,
        trace=exchange.trace_number,
        on=on,
        now=now,
    )
    exchange.request_text = x12_270.build_270(inquiry)
    exchange.service_types = ",".join(inquiry.service_types)
    problems = x12_270.validate_270(exchange.request_text)
    if problems:  # our own writer broke the TR3: never send it
        raise ValidationError(f"The 270 failed its structural check: {problems[0]}")
    exchange.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=benefits.organization,
        obj=exchange,
        patient=benefits.patient,
        changes={"eligibility_270": [None, f"{benefits.coverage.payer} ({trigger})"]},
    )
    try:
        answer = get_transport().send(name=exchange.trace_number, request=exchange.request_text)
    except TransportError as exc:
        return _finish(exchange, user, status=Status.FAILED, error=str(exc))
    if answer is not None:
        _read(exchange, answer, user)
    return exchange


@transaction.atomic
def eligibility_collect(*, exchange: EligibilityExchange, user: User | None) -> EligibilityExchange:
    """Look for the 271 of an exchange still waiting; read it when it has come."""
    exchange = EligibilityExchange.objects.select_for_update().get(pk=exchange.pk)
    if exchange.status != Status.SENT:
        return exchange
    try:
        answer = get_transport().receive(name=exchange.trace_number)
    except TransportError as exc:
        return _finish(exchange, user, status=Status.FAILED, error=str(exc))
    if answer is not None:
        _read(exchange, answer, user)
    return exchange


def _read(exchange: EligibilityExchange, text: str, user: User | None) -> None:
    exchange.response_text = text
    exchange.answered_at = timezone.now()
    try:
        found = x12_271.parse_271(text)
    except x12_271.EligibilityError as exc:
        _finish(exchange, user, status=Status.FAILED, error=f"The 271 could not be read: {exc}")
        return
    if found.trace_number and found.trace_number != exchange.trace_number:
        error = f"The 271 answers inquiry {found.trace_number}, not {exchange.trace_number}."
        _finish(exchange, user, status=Status.FAILED, error=error)
        return
    exchange.summary = found.summary()
    if found.rejected:
        exchange.changes = [
            {
                "field": "rejection",
                "label": "Payer's answer",
                "current": "",
                "proposed": r.message,
                "kind": "rejected",
                "blocking": False,
                "sentence": r.message,
            }
            for r in found.rejections
        ]
        _finish(exchange, user, status=Status.REJECTED)
        return
    proposed = x12_271.proposed_benefits(found)
    exchange.proposed = {key: _json(value) for key, value in proposed.items()}
    changes = x12_271.benefit_changes(current_values(exchange.benefits), proposed)
    verified = exchange.benefits.status == BenefitsInvestigation.Status.VERIFIED
    exchange.changes = [
        {
            "field": c.field,
            "label": c.label,
            "current": _shown(c.current),
            "proposed": _shown(c.proposed),
            # Only verified benefits can change: a pending check's answers fill it in.
            "kind": c.kind if verified else "",
            "blocking": c.blocking and verified,
            "sentence": c.sentence,
        }
        for c in changes
    ]
    _finish(exchange, user, status=Status.ANSWERED)


def _finish(
    exchange: EligibilityExchange, user: User | None, *, status: str, error: str = ""
) -> EligibilityExchange:
    before = exchange.status
    exchange.status = status
    exchange.error = error
    exchange.save()
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=exchange.organization,
        obj=exchange,
        patient=exchange.patient,
        changes={"status": [before, status], **({"error": [None, error]} if error else {})},
    )
    return exchange


def current_values(check: BenefitsInvestigation) -> dict[str, Any]:
    """The benefits on file (and the coverage's plan and group) in the proposal's terms."""
    values: dict[str, Any] = {name: getattr(check, name) for name in BENEFITS_FIELDS}
    values["pa_required"] = None if check.pa_required == "unknown" else check.pa_required
    values["plan_name"] = check.coverage.plan_name
    values["group_number"] = check.coverage.group_number
    return values


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _shown(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def proposed_fields(exchange: EligibilityExchange) -> dict[str, Any]:
    """The stored proposal as the benefits record's field values."""
    fields: dict[str, Any] = {}
    for name in BENEFITS_FIELDS:
        if name in exchange.proposed:
            value = exchange.proposed[name]
            fields[name] = Decimal(str(value)) if name in DECIMALS else value
    return fields


@transaction.atomic
def eligibility_confirm(*, exchange: EligibilityExchange, user: User) -> EligibilityExchange:
    """Write the 271's proposal into the benefits (verified today, by ``user``), audited.

    Raises ValidationError when the exchange has nothing to confirm or the benefits would not
    be complete (e.g. the payer did not say whether prior authorization is required).
    """
    exchange = EligibilityExchange.objects.select_for_update().get(pk=exchange.pk)
    if not exchange.can_confirm:
        raise ValidationError(f"This answer cannot be confirmed ({exchange.get_status_display()}).")
    fields = proposed_fields(exchange)
    benefits_verify(
        investigation=exchange.benefits,
        user=user,
        reference_number=f"X12 271 {exchange.trace_number}",
        **fields,
    )
    return _review(exchange, user, Status.CONFIRMED)


@transaction.atomic
def eligibility_dismiss(*, exchange: EligibilityExchange, user: User) -> EligibilityExchange:
    """Keep the benefits as they are: the answer was reviewed (clears its finding)."""
    exchange = EligibilityExchange.objects.select_for_update().get(pk=exchange.pk)
    if not exchange.can_dismiss:
        raise ValidationError(f"This answer cannot be dismissed ({exchange.get_status_display()}).")
    return _review(exchange, user, Status.DISMISSED)


def _review(exchange: EligibilityExchange, user: User, status: str) -> EligibilityExchange:
    actor = acting_user(user)
    if actor is None:
        raise PermissionDenied("A person reviews the payer's answer.")
    exchange.reviewed_by = actor
    exchange.reviewed_at = timezone.now()
    return _finish(exchange, user, status=status)


# --- the finding: unreviewed differences of the latest answer ---------------------------


def benefits_flags(organization: Any, ids: list[int] | None) -> dict[int, list[BenefitsFlag]]:
    """Each verified benefits check's latest answered or rejected exchange, when it still
    shows differences nobody has reviewed (a later confirmed or dismissed one clears it)."""
    exchanges = EligibilityExchange.objects.filter(
        organization=organization,
        benefits__status=BenefitsInvestigation.Status.VERIFIED,
    ).exclude(status__in=[Status.SENT, Status.FAILED])
    if ids is not None:
        exchanges = exchanges.filter(benefits_id__in=ids)
    latest: dict[int, EligibilityExchange] = {}
    for exchange in exchanges.only(
        "pk", "public_id", "benefits_id", "status", "changes", "coverage_id", "created_at"
    ).order_by("benefits_id", "-created_at", "-id"):
        latest.setdefault(exchange.benefits_id, exchange)
    found: dict[int, list[BenefitsFlag]] = {}
    for benefits_id, exchange in latest.items():
        changes = exchange.open_changes
        if not changes:
            continue
        url = reverse("interop:eligibility", args=[exchange.public_id])
        found[benefits_id] = [
            BenefitsFlag(f"Eligibility re-check: {c['sentence']}", bool(c.get("blocking")), url)
            for c in changes
        ]
    return found


def register() -> None:
    on_benefits_flags(benefits_flags)


# --- the re-check before appointments (interop.tasks.recheck_eligibility) -----------------


def eligibility_recheck(
    *,
    organization: Any,
    now: dt.datetime | None = None,
    days_ahead: int | None = None,
    recheck_after_days: int | None = None,
) -> dict[str, int]:
    """Send a 270 for each verified benefits check behind an appointment in the next
    ``days_ahead`` days whose coverage was not checked in the last ``recheck_after_days``
    days (a failed inquiry does not count), and look for the answers still awaited.

    Idempotent within the window: a second run finds every coverage checked. Returns the
    numbers sent, collected, flagged (answers differing from the verified benefits) and
    refused (inquiries that could not be written, e.g. no payer ID).
    """

    now = now or timezone.now()
    ahead = settings.CHAIRSIDE_ELIGIBILITY_DAYS_AHEAD if days_ahead is None else days_ahead
    after = (
        settings.CHAIRSIDE_ELIGIBILITY_RECHECK_AFTER_DAYS
        if recheck_after_days is None
        else recheck_after_days
    )
    counts = {"sent": 0, "collected": 0, "flagged": 0, "refused": 0}
    waiting = EligibilityExchange.objects.filter(organization=organization, status=Status.SENT)
    for exchange in waiting:
        if eligibility_collect(exchange=exchange, user=None).status != Status.SENT:
            counts["collected"] += 1
    appointments = Appointment.objects.filter(
        organization=organization,
        status__in=[appointment_states.BOOKED, appointment_states.CONFIRMED],
        start__gte=now,
        start__lt=now + dt.timedelta(days=ahead),
    ).order_by("start")
    recent = set(
        EligibilityExchange.objects.filter(
            organization=organization, created_at__gte=now - dt.timedelta(days=after)
        )
        .exclude(status=Status.FAILED)
        .values_list("benefits_id", flat=True)
    )
    checks = BenefitsInvestigation.objects.filter(
        organization=organization,
        status=BenefitsInvestigation.Status.VERIFIED,
        order_id__in=appointments.values("order_id"),
    ).select_related("patient", "coverage__payer", "order__drug", "order__location")
    first_day: dict[int, dt.date] = {}
    for appt in appointments.select_related("location"):
        first_day.setdefault(appt.order_id, appt.start.astimezone(appt.location.tz).date())
    for check in checks:
        day = first_day.get(check.order_id)
        if check.pk in recent or day is None or not check.coverage.is_active_on(day):
            continue
        try:
            exchange = eligibility_check(
                benefits=check,
                user=None,
                on_date=day,
                trigger=EligibilityExchange.Trigger.AUTOMATIC,
            )
        except ValidationError:
            counts["refused"] += 1
            continue
        counts["sent"] += 1
        counts["flagged"] += bool(exchange.open_changes)
    return counts
