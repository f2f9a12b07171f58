"""Send the due reminders; answer the reminder link (confirm, or ask to reschedule)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.reminders.models import RescheduleRequest, SentReminder
from chairside.reminders.sms import SmsError, get_backend
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling import reminders as rules
from chairside.scheduling.models import Appointment
from chairside.scheduling.services import appointment_confirm

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

TOKEN_SALT = "chairside.reminders.link"  # noqa: S105  (a signing namespace, no secret)
LINK_USER = "patient (reminder link)"
ANSWERABLE = frozenset({states.BOOKED, states.CONFIRMED})


class LinkError(Exception):
    """The link is not one we signed, or it expired; the message says which."""


def reminder_token(appointment: Appointment) -> str:
    """A signed, timestamped token naming the appointment (its public id, nothing else)."""
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(appointment.public_id.hex)


def reminder_link(appointment: Appointment) -> str:
    path = reverse("reminders:answer", args=[reminder_token(appointment)])
    return f"{settings.PUBLIC_BASE_URL}{path}"


def appointment_for_token(token: str) -> Appointment:
    """The appointment the link names; LinkError when expired, tampered with or gone."""
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    try:
        public_id = signer.unsign(token, max_age=dt.timedelta(hours=_max_age_hours()))
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("invalid") from None
    appointment = (
        Appointment.objects.select_related("patient", "location", "organization")
        .filter(public_id=public_id)
        .first()
    )
    if appointment is None:
        raise LinkError("invalid")
    return appointment


def _max_age_hours() -> int:
    return int(settings.REMINDER_LINK_MAX_AGE_HOURS)


def can_answer(appointment: Appointment, now: dt.datetime | None = None) -> bool:
    """Only a booking not yet started, booked or confirmed, can be answered online."""
    return appointment.status in ANSWERABLE and appointment.start > (now or timezone.now())


def reminder_link_opened(*, appointment: Appointment, ip_address: str | None = None) -> None:
    """Opening the link shows the appointment to whoever holds it: that read is audited."""
    audit_record(
        action=AuditEvent.Action.VIEW,
        organization=appointment.organization,
        obj=appointment,
        patient=appointment.patient,
        username=LINK_USER,
        reason="Opened the reminder link",
        ip_address=ip_address,
    )


@transaction.atomic
def reminder_confirm(*, appointment: Appointment, ip_address: str | None = None) -> Appointment:
    """The patient confirmed through the link (a confirmed one stays as it is); audited."""
    if appointment.status == states.BOOKED:
        appointment = appointment_confirm(appointment=appointment, user=None)
    _audit(appointment, "Confirmed through the reminder link", ip_address)
    return appointment


@transaction.atomic
def reschedule_request_create(
    *, appointment: Appointment, ip_address: str | None = None
) -> RescheduleRequest:
    """The patient asked to move the appointment: one open request in the coordinator's queue."""
    request, created = RescheduleRequest.objects.get_or_create(
        appointment=appointment,
        handled_at=None,
        defaults={"organization": appointment.organization, "requested_at": timezone.now()},
    )
    if created:
        _audit(appointment, "Asked to reschedule through the reminder link", ip_address)
    return request


@transaction.atomic
def reschedule_request_handle(*, request: RescheduleRequest, user: User) -> RescheduleRequest:
    """The coordinator dealt with the request (called the patient, moved the booking)."""
    locked = RescheduleRequest.objects.select_for_update().get(pk=request.pk)
    if locked.handled_at is None:
        locked.handled_at, locked.handled_by = timezone.now(), user
        locked.save(update_fields=["handled_at", "handled_by", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            user=user,
            organization=locked.organization,
            obj=locked,
            patient=locked.appointment.patient,
            changes={"handled": [False, True]},
        )
    return locked


def _audit(appointment: Appointment, reason: str, ip_address: str | None) -> None:
    audit_record(
        action=AuditEvent.Action.STATE,
        organization=appointment.organization,
        obj=appointment,
        patient=appointment.patient,
        username=LINK_USER,
        reason=reason,
        ip_address=ip_address,
    )


@dataclass
class SendSummary:
    sent: dict[str, int] = field(default_factory=lambda: {"email": 0, "sms": 0})
    skipped: int = 0
    failed: int = 0

    def line(self) -> str:
        return (
            f"Reminders: {self.sent['email']} e-mail, {self.sent['sms']} text, "
            f"{self.skipped} not sent (no channel), {self.failed} failed (tried again next run)."
        )


def reminders_send_due(*, now: dt.datetime | None = None) -> SendSummary:
    """Send every reminder due now, in every organization; each one once.

    A reminder that cannot go out (opted out, no address, no consent to texts) is recorded
    as not sent, with why; one whose delivery failed is not recorded, so the next run tries
    again while its window lasts.
    """
    now = now or timezone.now()
    leads = settings.REMINDER_LEAD_HOURS
    summary = SendSummary()
    upcoming = (
        Appointment.objects.filter(
            status__in=ANSWERABLE,
            start__gt=now,
            start__lte=now + dt.timedelta(hours=max(leads)),
            patient__is_active=True,
        )
        .select_related("patient", "location", "organization")
        .prefetch_related(
            Prefetch(
                "reminders",
                queryset=SentReminder.objects.only("kind", "appointment_id", "appointment_start"),
            )
        )
        .order_by("start")
    )
    for appointment in upcoming:
        sent = [
            r.kind
            for r in appointment.reminders.all()
            if r.appointment_start in (None, appointment.start)  # None: recorded before moves
        ]
        kind = rules.due_reminder(now=now, start=appointment.start, leads=leads, sent=sent)
        if kind is not None:
            _send_one(appointment, kind, now, summary)
    return summary


def _send_one(appointment: Appointment, kind: str, now: dt.datetime, summary: SendSummary) -> None:
    patient = appointment.patient
    phone = rules.us_e164(patient.phone)
    channel, why = rules.channel_for(
        rules.Contact(
            preferred=patient.reminder_channel,
            email=patient.email,
            phone=phone,
            sms_consent=patient.sms_consent_at is not None,
            opted_out=patient.reminders_opted_out_at is not None,
        )
    )
    try:
        with transaction.atomic():
            record = SentReminder.objects.create(
                organization=appointment.organization,
                appointment=appointment,
                kind=kind,
                appointment_start=appointment.start,
                channel=channel,
                sent_at=now,
                skipped_reason=why[:120],
            )
            if channel == rules.NONE:
                summary.skipped += 1
                return
            record.provider_id = _deliver(appointment, channel, phone)
            record.save(update_fields=["provider_id", "updated_at"])
    except IntegrityError:
        return  # another run recorded (and sent) it first
    except (SmsError, smtplib.SMTPException, OSError) as exc:
        logger.warning("Reminder %s for %s not sent: %s", kind, appointment.public_id, exc)
        summary.failed += 1
        return
    summary.sent[channel] += 1


def _deliver(appointment: Appointment, channel: str, phone: str) -> str:
    message = rules.message_text(
        channel=channel,
        first_name=appointment.patient.preferred_name or appointment.patient.first_name,
        local_start=appointment.local_start(),
        site_name=appointment.location.name,
        link=reminder_link(appointment),
        confirmed=appointment.status == states.CONFIRMED,
    )
    if channel == rules.SMS:
        return get_backend().send(to=phone, body=message.body)
    send_mail(message.subject, message.body, None, [appointment.patient.email])
    return ""
