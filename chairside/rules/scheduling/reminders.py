"""Appointment reminders: which are due, by which channel, and what they say.

Reminders go out ``leads`` hours before the start (72 h and 24 h by default). Each lead owns
the window from its own mark to the next shorter lead's mark, so an hourly run sends each
reminder once, and an appointment booked 30 hours ahead gets its 72-hour reminder at once
and its 24-hour one when that mark comes. A reminder is never sent after a shorter-lead one
(that would be old news), nor once the appointment has started.

The message carries no more protected health information than a reminder needs: the first
name, the date, the time and the site's name — no drug, diagnosis or last name (HHS, "Uses
and Disclosures for Treatment, Payment, and Health Care Operations", 45 CFR 164.506:
appointment reminders are treatment communications; the minimum-necessary standard of
45 CFR 164.502(b) keeps the clinical details out of an unencrypted text or e-mail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EMAIL = "email"
SMS = "sms"
NONE = "none"
CHANNELS = (EMAIL, SMS, NONE)

DEFAULT_LEADS = (72, 24)


def kind_for(lead_hours: int) -> str:
    """The record's name for a reminder of this lead: ``"72h"``."""
    return f"{lead_hours}h"


def due_reminder(
    *,
    now: dt.datetime,
    start: dt.datetime,
    leads: Sequence[int] = DEFAULT_LEADS,
    sent: Iterable[str] = (),
) -> str | None:
    """The kind of reminder due for an appointment at ``now``, or None.

    ``sent`` holds the kinds already sent (or skipped) for it. Times must be aware.
    """
    if now.tzinfo is None or start.tzinfo is None:
        raise ValueError("Reminder times must be timezone-aware.")
    ordered = sorted({int(h) for h in leads}, reverse=True)
    if not ordered or ordered[-1] <= 0:
        raise ValueError("Reminder leads must be positive hours.")
    if now >= start:
        return None
    done = set(sent)
    bounds = [*ordered, 0]
    for i, lead in enumerate(ordered):
        opens = start - dt.timedelta(hours=lead)
        closes = start - dt.timedelta(hours=bounds[i + 1])
        if opens <= now < closes:
            shorter_sent = any(kind_for(h) in done for h in ordered[i:])
            return None if shorter_sent else kind_for(lead)
    return None


def us_e164(phone: str) -> str:
    """A US phone number as E.164 (``+15552010101``), or "" when it is not one.

    Providers take numbers in E.164 (ITU-T E.164; the North American Numbering Plan's
    country code is 1 and its numbers have ten digits).
    """
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return ""
    return f"+1{digits}"


@dataclass(frozen=True)
class Contact:
    """What the patient told the center about being reminded."""

    preferred: str  # EMAIL, SMS or NONE
    email: str
    phone: str
    sms_consent: bool
    opted_out: bool


def channel_for(contact: Contact) -> tuple[str, str]:
    """The channel to use and, when it is NONE, why nothing is sent.

    A text goes only to a patient who consented to texts (TCPA, 47 U.S.C. 227(b): automated
    texts to a mobile number need the called party's prior express consent); a patient who
    prefers texts but has not consented, or has no mobile number, gets the e-mail instead
    when there is an address.
    """
    if contact.preferred not in CHANNELS:
        raise ValueError(f"Unknown reminder channel {contact.preferred!r}.")
    if contact.opted_out:
        return NONE, "The patient opted out of reminders."
    if contact.preferred == NONE:
        return NONE, "The patient asked for no reminders."
    can_text = contact.sms_consent and bool(contact.phone.strip())
    can_mail = bool(contact.email.strip())
    if contact.preferred == SMS and can_text:
        return SMS, ""
    if can_mail:
        return EMAIL, ""
    if contact.preferred == SMS and not contact.sms_consent:
        return NONE, "No consent to text messages and no e-mail address."
    return NONE, "No e-mail address or mobile number on file."


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def message_text(
    *,
    channel: str,
    first_name: str,
    local_start: dt.datetime,
    site_name: str,
    link: str,
    confirmed: bool,
) -> Message:
    """The reminder: first name, date, time, site and the link — nothing clinical."""
    when = f"{local_start:%A %m/%d/%Y} at {_clock(local_start)}"
    name = first_name.strip() or "there"
    ask = (
        "You have confirmed. If you need another time: "
        if confirmed
        else "Please confirm or ask to reschedule: "
    )
    if channel == SMS:
        body = (
            f"Hi {name}, a reminder of your appointment at {site_name} on {when}. "
            f"{ask}{link} Reply STOP to stop texts."
        )
        return Message(subject="", body=body)
    if channel != EMAIL:
        raise ValueError(f"No message for channel {channel!r}.")
    body = (
        f"Hello {name},\n\n"
        f"This is a reminder of your appointment at {site_name} on {when}.\n\n"
        f"{ask}\n{link}\n\n"
        "If you have questions, please call the center.\n"
    )
    return Message(subject=f"Your appointment at {site_name} on {local_start:%m/%d/%Y}", body=body)


def _clock(moment: dt.datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
