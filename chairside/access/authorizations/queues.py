"""The patient-access work queues: what must happen next so no patient waits unnoticed.

Each queue is a read (scoped to one organization) that returns rows; each row names the
patient, what is wrong, since when, who has it, and the action that clears it. The Today
page shows their counts; each queue has its own page, filterable by location and assignee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chairside.access.authorizations.events import (
    QUEUE_COUNTS,
    benefits_flags,
    booked_order_ids,
    booking_rows,
)
from chairside.access.authorizations.models import (
    AuthorizationUsage,
    BenefitsInvestigation,
    PriorAuthorization,
)
from chairside.access.authorizations.selectors import doses_documented_by_order
from chairside.access.referrals.models import OrderLab, Referral, TreatmentOrder
from chairside.access.referrals.selectors import labs_due_for_orders, next_dose_on
from chairside.core.fingerprint import Rows, fingerprint
from chairside.patients.models import LabResult
from chairside.rules.access import authorization_states as states
from chairside.rules.access import referral_states as rs

PENDING_DAYS = 5
EXPIRY_WINDOW_DAYS = 30
URGENT_DAYS = 7
LABS_WINDOW_DAYS = 30
DUE_WINDOW_DAYS = 14


_KINDS = {
    "Referral": "referral",
    "TreatmentOrder": "order",
    "BenefitsInvestigation": "benefits",
    "PriorAuthorization": "authorization",
}


@dataclass(frozen=True)
class QueueRow:
    item: Any  # the Referral, TreatmentOrder, BenefitsInvestigation or PriorAuthorization
    patient: str
    patient_url: str
    what: str
    detail: str
    since: dt.date | None
    action_label: str
    action_url: str
    location: Any
    tone: str = "neutral"

    @property
    def kind(self) -> str:
        """The item's kind in the assignment URL."""
        return _KINDS[type(self.item).__name__]

    @property
    def assigned_to(self) -> Any:
        return self.item.assigned_to


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    description: str
    rows: Callable[[Any, dt.date], list[QueueRow]]
    order: int
    # The number of rows, without building them (same filters): what the Today page shows.
    count: Callable[[Any, dt.date], int]


def _chart(patient: Any) -> str:
    return reverse("patients:chart", args=[patient.public_id]) if patient else ""


def _days(since: dt.date | None, today: dt.date) -> str:
    if since is None:
        return ""
    days = (today - since).days
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


def _order_row(order: TreatmentOrder, detail: str, label: str, url: str, **kw: Any) -> QueueRow:
    return QueueRow(
        item=order,
        patient=str(order.patient),
        patient_url=_chart(order.patient),
        what=f"{order.drug.generic_name} · {order.regimen_name}",
        detail=detail,
        action_label=label,
        action_url=url,
        location=order.location,
        **kw,
    )


def _intake(organization: Any) -> Any:
    return Referral.objects.filter(organization=organization, state=rs.RECEIVED)


def referrals_awaiting_intake(organization: Any, today: dt.date) -> list[QueueRow]:
    found = _intake(organization).select_related(
        "patient", "referring_provider", "requested_drug", "location", "assigned_to"
    )
    return [
        QueueRow(
            item=r,
            patient=r.patient_display,
            patient_url=_chart(r.patient),
            what=r.drug_display,
            detail=f"From {r.referring_provider}, received {_days(r.received_on, today)}",
            since=r.received_on,
            action_label="Complete intake",
            action_url=reverse("referrals:detail", args=[r.public_id]),
            location=r.location,
            tone="bad" if r.is_urgent else ("warn" if (today - r.received_on).days > 2 else ""),
        )
        for r in found
    ]


def _open_orders() -> list[str]:
    return [TreatmentOrder.Status.ACTIVE, TreatmentOrder.Status.ON_HOLD]


def _benefits(organization: Any) -> Any:
    return BenefitsInvestigation.objects.filter(
        organization=organization,
        status=BenefitsInvestigation.Status.PENDING,
        order__status__in=_open_orders(),
    )


def benefits_pending(organization: Any, today: dt.date) -> list[QueueRow]:
    found = _benefits(organization).select_related(
        "patient", "order__drug", "order__location", "coverage__payer", "assigned_to"
    )
    return [
        QueueRow(
            item=b,
            patient=str(b.patient),
            patient_url=_chart(b.patient),
            what=f"{b.order.drug.generic_name} · {b.coverage.payer} "
            f"({b.coverage.get_order_display().lower()})",
            detail=f"Opened {_days(timezone.localdate(b.created_at), today)}",
            since=timezone.localdate(b.created_at),
            action_label="Verify benefits",
            action_url=reverse("authorizations:benefits", args=[b.public_id]),
            location=b.order.location,
            tone="warn" if (today - timezone.localdate(b.created_at)).days > 3 else "",
        )
        for b in found
    ]


def benefits_changed(organization: Any, today: dt.date) -> list[QueueRow]:
    """Verified benefits that an eligibility re-check (X12 271) found different, not yet
    reviewed: the payer's answer beside the record, to confirm or dismiss."""
    flags = benefits_flags(organization)
    found = BenefitsInvestigation.objects.filter(
        organization=organization, pk__in=list(flags), order__status__in=_open_orders()
    ).select_related("patient", "order__drug", "order__location", "coverage__payer", "assigned_to")
    return [
        QueueRow(
            item=b,
            patient=str(b.patient),
            patient_url=_chart(b.patient),
            what=f"{b.order.drug.generic_name} · {b.coverage.payer}",
            detail=" ".join(f.message for f in flags[b.pk]),
            since=b.verified_on,
            action_label="Review the payer's answer",
            action_url=next((f.url for f in flags[b.pk] if f.url), "")
            or reverse("authorizations:benefits", args=[b.public_id]),
            location=b.order.location,
            tone="bad" if any(f.blocking for f in flags[b.pk]) else "warn",
        )
        for b in found
    ]


def _auth_rows(
    found: Any, today: dt.date, detail: Callable[[PriorAuthorization], str]
) -> list[QueueRow]:
    return [
        QueueRow(
            item=a,
            patient=str(a.patient),
            patient_url=_chart(a.patient),
            what=f"{a.order.drug.generic_name} · {a.coverage.payer}",
            detail=detail(a),
            since=a.submitted_on or a.status_changed_on,
            action_label="Open authorization",
            action_url=reverse("authorizations:detail", args=[a.public_id]),
            location=a.order.location,
            tone="bad" if a.status in (states.MORE_INFO, states.DENIED) else "",
        )
        for a in found
    ]


def _auths(organization: Any, *, related: bool = True) -> Any:
    found = PriorAuthorization.objects.filter(
        organization=organization, order__status__in=_open_orders()
    )
    if not related:
        return found
    return found.select_related(
        "patient", "order__drug", "order__location", "coverage__payer", "assigned_to"
    )


def _to_submit(organization: Any, *, related: bool = True) -> Any:
    found = _auths(organization, related=related).filter(
        status__in=[states.TO_SUBMIT, states.MORE_INFO, states.DENIED]
    )
    newer = PriorAuthorization.objects.filter(order_id=OuterRef("order_id"), pk__gt=OuterRef("pk"))
    return found.exclude(Q(status=states.DENIED) & Exists(newer))


def authorizations_to_submit(organization: Any, today: dt.date) -> list[QueueRow]:
    """To submit, more information asked, or denied with nothing newer for the order: a
    denial is work (appeal, or resubmit) until the order is discontinued."""
    found = _to_submit(organization)

    def detail(a: PriorAuthorization) -> str:
        if a.status == states.MORE_INFO:
            return f"Payer asked for more information {_days(a.status_changed_on, today)}"
        if a.status == states.DENIED:
            text = f"Denied {a.status_changed_on:%m/%d/%Y}"
            if a.appeal_deadline:
                left = (a.appeal_deadline - today).days
                when = f"{left} days left" if left >= 0 else "deadline passed"
                text += f": appeal by {a.appeal_deadline:%m/%d/%Y} ({when})"
            return text + (f" — {a.denial_reason}" if a.denial_reason else "")
        return f"To submit since {a.status_changed_on:%m/%d/%Y}"

    return _auth_rows(found.order_by("status_changed_on"), today, detail)


def _pending(organization: Any, today: dt.date, *, related: bool = True) -> Any:
    cutoff = today - dt.timedelta(days=PENDING_DAYS)
    return _auths(organization, related=related).filter(
        status__in=[states.SUBMITTED, states.APPEAL_SUBMITTED], submitted_on__lt=cutoff
    )


def authorizations_pending(organization: Any, today: dt.date) -> list[QueueRow]:
    found = _pending(organization, today)

    def detail(a: PriorAuthorization) -> str:
        what = "Appeal submitted" if a.status == states.APPEAL_SUBMITTED else "Submitted"
        return f"{what} {a.submitted_on:%m/%d/%Y}, {(today - a.submitted_on).days} days waiting"  # type: ignore[operator]

    return _auth_rows(found.order_by("submitted_on"), today, detail)


def _running_out(
    organization: Any, today: dt.date, *, related: bool = True
) -> list[tuple[Any, int | None, bool]]:
    """(approval, visits left or None, ending within the window) for each approval in the
    queue, in end-date order.

    Three queries whatever the number of approvals: the approvals, the renewals already
    started, and the visits used per approval.
    """
    found = list(
        _auths(organization, related=related)
        .filter(status=states.APPROVED, end_on__gte=today)
        .order_by("end_on")
    )
    renewing = set(
        PriorAuthorization.objects.filter(
            organization=organization,
            status__in=[
                states.TO_SUBMIT,
                states.SUBMITTED,
                states.MORE_INFO,
                states.APPEAL_SUBMITTED,
            ],
        ).values_list("order_id", flat=True)
    )
    last_end: dict[int, dt.date] = {}
    for auth in found:  # a later approval of the same order already covers what follows
        last_end[auth.order_id] = max(last_end.get(auth.order_id, auth.end_on), auth.end_on)
    used = dict(
        AuthorizationUsage.objects.filter(authorization__in=found, released_at__isnull=True)
        .values("authorization_id")
        .annotate(n=Count("id"))
        .values_list("authorization_id", "n")
    )
    horizon = today + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
    kept = []
    for auth in found:
        if auth.order_id in renewing or auth.end_on != last_end[auth.order_id]:
            continue
        left = (
            None
            if auth.visits_authorized is None
            else auth.visits_authorized - used.get(auth.pk, 0)
        )
        ending = auth.end_on is not None and auth.end_on <= horizon
        if not ending and (left is None or left >= 2):
            continue
        kept.append((auth, left, ending))
    return kept


def authorizations_running_out(organization: Any, today: dt.date) -> list[QueueRow]:
    """Approved, and ending within 30 days or with fewer than 2 visits left; no renewal yet."""
    urgent = today + dt.timedelta(days=URGENT_DAYS)
    ranked = []
    for auth, left, ending in _running_out(organization, today):
        parts = [f"ends {auth.end_on:%m/%d/%Y}"] if ending else []
        if left is not None and left < 2:
            parts.append(f"{max(left, 0)} visit{'s' if left != 1 else ''} left")
        # No visit left, or ending within a week: the next booking is refused or soon will be.
        blocked = (left is not None and left <= 0) or auth.end_on <= urgent
        (row,) = _auth_rows(
            [auth], today, _fixed(f"{auth.authorization_number}: " + ", ".join(parts))
        )
        ranked.append(((not blocked, auth.end_on), replace(row, tone="bad" if blocked else "warn")))
    # Most urgent first: what already blocks booking, then by end date.
    return [row for _key, row in sorted(ranked, key=lambda pair: pair[0])]


def _fixed(text: str) -> Callable[[PriorAuthorization], str]:
    return lambda _auth: text


def _orders_expiring(organization: Any, today: dt.date) -> Any:
    return TreatmentOrder.objects.filter(
        organization=organization,
        status=TreatmentOrder.Status.ACTIVE,
        expires_on__lte=today + dt.timedelta(days=EXPIRY_WINDOW_DAYS),
    )


def orders_expiring(organization: Any, today: dt.date) -> list[QueueRow]:
    found = (
        _orders_expiring(organization, today)
        .select_related("patient", "drug", "location", "assigned_to", "ordering_provider")
        .order_by("expires_on")
    )
    rows = []
    for order in found:
        expired = order.expires_on < today
        word = "Expired" if expired else "Expires"
        rows.append(
            _order_row(
                order,
                f"{word} {order.expires_on:%m/%d/%Y}: ask {order.ordering_provider} to renew it",
                "Open order",
                reverse("referrals:order", args=[order.public_id]),
                since=order.expires_on,
                tone="bad" if expired else "warn",
            )
        )
    return rows


def _next_doses(
    organization: Any, *, related: bool = True
) -> list[tuple[TreatmentOrder, dt.date | None]]:
    """Each active order with its next dose by the regimen; ``related=False`` for counting
    (the Today page): the orders alone, without the rows a queue row names."""
    active = TreatmentOrder.objects.filter(
        organization=organization, status=TreatmentOrder.Status.ACTIVE
    )
    if related:
        orders_qs = active.select_related(
            "patient", "drug", "location", "assigned_to", "ordering_provider"
        )
    else:  # what the regimen, the labs and the booking checks read; nothing else is loaded
        orders_qs = active.only(*_SCHEDULE_FIELDS)
    orders = list(orders_qs.order_by("first_dose_on", "id"))
    given = doses_documented_by_order(active.values("pk"))
    return [(o, next_dose_on(o, given.get(o.pk, 0))) for o in orders]


NextDoses = list[tuple[TreatmentOrder, dt.date | None]]

# The order fields ``next_dose_on`` and the count-only reads use (``_next_doses`` without
# related rows): loading 2,000 whole orders is most of the Today page's cost otherwise.
_SCHEDULE_FIELDS = (
    "id",
    "organization_id",
    "patient_id",
    "location_id",
    "assigned_to_id",
    "status",
    "first_dose_on",
    "number_of_doses",
    "loading_days",
    "maintenance_interval_days",
    "end_on",
    "expires_on",
)


def _labs_due(
    organization: Any, today: dt.date, doses: NextDoses | None = None
) -> tuple[dict[int, TreatmentOrder], dict[int, dt.date], dict[int, Any]]:
    """(orders by id, the date each needs its labs by, the labs due per order id)."""
    horizon = today + dt.timedelta(days=LABS_WINDOW_DAYS)
    wanted: dict[int, dt.date] = {}
    orders = {}
    for order, upcoming in _next_doses(organization) if doses is None else doses:
        if order.first_dose_on is None:
            wanted[order.pk] = today  # before starting: labs are due now
        elif upcoming is not None and upcoming <= horizon:
            wanted[order.pk] = max(upcoming, today)
        else:
            continue
        orders[order.pk] = order
    return orders, wanted, labs_due_for_orders(list(orders.values()), wanted)


def labs_due_before_next_dose(organization: Any, today: dt.date) -> list[QueueRow]:
    orders, wanted, due = _labs_due(organization, today)
    rows = []
    for order_id, labs in due.items():
        order = orders[order_id]
        when = (
            "before the first dose"
            if order.first_dose_on is None
            else (f"before the dose of {wanted[order_id]:%m/%d/%Y}")
        )
        rows.append(
            _order_row(
                order,
                f"{'; '.join(d.message for d in labs)} — {when}",
                "Record result",
                reverse("referrals:lab_add", args=[order.patient.public_id])
                + f"?lab={labs[0].name}",
                since=wanted[order_id],
                tone="bad" if wanted[order_id] <= today + dt.timedelta(days=7) else "warn",
            )
        )
    return sorted(rows, key=lambda r: r.since or today)


def booking_url(order: TreatmentOrder) -> str:
    """Scheduling's page to find a slot for the order, or the order page without it."""
    try:
        return reverse("scheduling:find_slot", args=[order.public_id])
    except NoReverseMatch:
        return reverse("referrals:order", args=[order.public_id])


def _due_unbooked(
    organization: Any, today: dt.date, doses: NextDoses | None = None
) -> list[tuple[TreatmentOrder, dt.date]]:
    """(order, next dose) for active orders due within the window with nothing booked."""
    horizon = today + dt.timedelta(days=DUE_WINDOW_DAYS)
    doses = _next_doses(organization) if doses is None else doses
    due = [(o, d) for o, d in doses if d is not None and d <= horizon]
    booked = booked_order_ids(
        organization,
        [o.pk for o, _ in due],
        today - dt.timedelta(days=DUE_WINDOW_DAYS),
        horizon + dt.timedelta(days=DUE_WINDOW_DAYS),
    )
    return [(o, d) for o, d in due if booked is None or o.pk not in booked]


def due_without_appointment(organization: Any, today: dt.date) -> list[QueueRow]:
    """Active orders whose next dose (by the regimen) is due within 14 days, or overdue,
    with no appointment booked (once scheduling exists)."""
    rows = []
    for order, upcoming in _due_unbooked(organization, today):
        overdue = upcoming < today
        detail = f"{'Overdue since' if overdue else 'Due'} {upcoming:%m/%d/%Y}, no appointment"
        rows.append(
            _order_row(
                order,
                detail,
                "Book",
                booking_url(order),
                since=upcoming,
                tone="bad" if overdue else "warn",
            )
        )
    return sorted(rows, key=lambda r: r.since or today)


# Count-only reads for the Today page: the queue's filters, no rows built (no links, texts,
# related rows). Each equals ``len(queue.rows(...))`` on the same data (tests/test_queues).
def _count_intake(organization: Any, today: dt.date) -> int:
    return int(_intake(organization).count())


def _count_benefits(organization: Any, today: dt.date) -> int:
    return int(_benefits(organization).count())


def _count_benefits_changed(organization: Any, today: dt.date) -> int:
    return len(benefits_changed(organization, today))


def _count_to_submit(organization: Any, today: dt.date) -> int:
    return int(_to_submit(organization, related=False).count())


def _count_pending(organization: Any, today: dt.date) -> int:
    return int(_pending(organization, today, related=False).count())


def _count_running_out(organization: Any, today: dt.date) -> int:
    return len(_running_out(organization, today, related=False))


def _count_orders_expiring(organization: Any, today: dt.date) -> int:
    return int(_orders_expiring(organization, today).count())


def _count_labs_due(organization: Any, today: dt.date) -> int:
    return len(_labs_due(organization, today, _next_doses(organization, related=False))[2])


def _count_due_unbooked(organization: Any, today: dt.date) -> int:
    return len(_due_unbooked(organization, today, _next_doses(organization, related=False)))


QUEUES: tuple[Queue, ...] = (
    Queue(
        "intake",
        "New referrals awaiting intake",
        "Referrals received and not yet worked up: link the patient, enter the order, "
        "complete intake.",
        referrals_awaiting_intake,
        10,
        _count_intake,
    ),
    Queue(
        "benefits",
        "Benefits investigations pending",
        "Coverages to verify with the payer for an order.",
        benefits_pending,
        20,
        _count_benefits,
    ),
    Queue(
        "benefits-changed",
        "Benefits changed at the payer",
        "An eligibility re-check (X12 271) before an appointment found the coverage, plan, "
        "prior authorization or cost sharing different from the verified benefits.",
        benefits_changed,
        25,
        _count_benefits_changed,
    ),
    Queue(
        "to-submit",
        "Authorizations to submit",
        "Prior authorizations to send to the payer, where the payer asked for more "
        "information, or denied and awaiting an appeal or a new request.",
        authorizations_to_submit,
        30,
        _count_to_submit,
    ),
    Queue(
        "pending",
        f"Authorizations pending more than {PENDING_DAYS} days",
        "Submitted and still waiting on the payer: call for a status.",
        authorizations_pending,
        40,
        _count_pending,
    ),
    Queue(
        "expiring",
        "Authorizations expiring or running out",
        f"Approved authorizations ending within {EXPIRY_WINDOW_DAYS} days or with fewer than "
        "2 visits left, with no renewal started.",
        authorizations_running_out,
        50,
        _count_running_out,
    ),
    Queue(
        "orders-expiring",
        f"Orders expiring within {EXPIRY_WINDOW_DAYS} days",
        "Ask the prescriber for a new order before the old one lapses.",
        orders_expiring,
        60,
        _count_orders_expiring,
    ),
    Queue(
        "labs-due",
        "Labs due before the next dose",
        f"Required pre-infusion labs missing or out of date for a dose in the next "
        f"{LABS_WINDOW_DAYS} days (or before the first dose).",
        labs_due_before_next_dose,
        70,
        _count_labs_due,
    ),
    Queue(
        "due-unbooked",
        "Patients due for a dose with no appointment",
        f"By the regimen, a dose is due within {DUE_WINDOW_DAYS} days or overdue, "
        "and none is booked.",
        due_without_appointment,
        80,
        _count_due_unbooked,
    ),
)
QUEUES_BY_KEY = {q.key: q for q in QUEUES}


# How long the Today page's counts are kept. They are keyed by the fingerprint of every row
# they read, so any change to those rows is counted at once; the expiry only frees memory.
COUNTS_CACHE_SECONDS = 15 * 60


def count_inputs() -> list[Rows]:
    """Every table the cached counts read (see ``queue_counts``): referrals, benefits,
    approvals and their use, orders and their labs, lab results, and the later steps'
    bookings (``events.booking_rows``)."""
    return [
        Rows(Referral),
        Rows(BenefitsInvestigation),
        Rows(PriorAuthorization),
        Rows(AuthorizationUsage, "order__organization"),
        Rows(TreatmentOrder),
        Rows(OrderLab, "order__organization"),
        Rows(LabResult, "patient__organization"),
        *booking_rows(),
    ]


def _compute_counts(organization: Any, today: dt.date, keys: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    wanted = {"labs-due", "due-unbooked"} & set(keys)
    doses = _next_doses(organization, related=False) if wanted else None
    for key in keys:
        if key == "labs-due":
            counts[key] = len(_labs_due(organization, today, doses)[2])
        elif key == "due-unbooked":
            counts[key] = len(_due_unbooked(organization, today, doses))
        else:
            counts[key] = QUEUES_BY_KEY[key].count(organization, today)
    return counts


# The benefits flags come from the eligibility re-checks (a later step's rows): counted live,
# which costs one small query.
_LIVE = {"benefits-changed"}


def queue_counts(organization: Any, today: dt.date, keys: list[str]) -> dict[str, int]:
    """The Today page's counts of the named queues, without building rows.

    The two queues that follow each order's next dose walk every active order (2,000 in the
    demo center), so all counts but the live ones are cached per organization and day under
    the fingerprint of the rows they read (``core.fingerprint``, watched from the app's
    ``ready()``): a booking, a lab result, a documented dose or a new approval changes the
    fingerprint and the next read recounts.
    """
    cached_keys = [q.key for q in QUEUES if q.key not in _LIVE]
    inputs = fingerprint(QUEUE_COUNTS, organization, count_inputs())
    key = f"access-queue-counts:{organization.pk}:{today.isoformat()}:{inputs}"
    counts = cache.get(key)
    if counts is None:
        counts = _compute_counts(organization, today, cached_keys)
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    live = _compute_counts(organization, today, [k for k in keys if k in _LIVE])
    return {k: live[k] if k in live else counts[k] for k in keys}


def queue_rows(
    queue: Queue,
    *,
    organization: Any,
    today: dt.date,
    location_id: int | None = None,
    assignee: str = "",
    me: Any = None,
) -> list[QueueRow]:
    """A queue's rows, filtered by location and assignee ("me", "none" or a staff public id)."""
    rows = queue.rows(organization, today)
    if location_id is not None:
        rows = [r for r in rows if r.location is not None and r.location.pk == location_id]
    if assignee == "none":
        rows = [r for r in rows if r.item.assigned_to_id is None]
    elif assignee == "me":
        rows = [r for r in rows if me is not None and r.item.assigned_to_id == me.pk]
    elif assignee:
        rows = [r for r in rows if r.assigned_to and str(r.assigned_to.public_id) == assignee]
    return rows
