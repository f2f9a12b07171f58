"""Reminders: which one is due, by which channel, and what it says (rules.reminders)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chairside.rules.scheduling.reminders import (
    EMAIL,
    NONE,
    SMS,
    Contact,
    Message,
    channel_for,
    due_reminder,
    message_text,
    us_e164,
)

TZ = ZoneInfo("America/New_York")
START = dt.datetime(2026, 12, 10, 9, 30, tzinfo=TZ)


def _due(hours_before: float, sent: tuple[str, ...] = ()) -> str | None:
    return due_reminder(now=START - dt.timedelta(hours=hours_before), start=START, sent=sent)


class TestDueReminder:
    def test_it_sends_nothing_before_the_72_hour_mark(self) -> None:
        assert _due(72.5) is None

    def test_it_sends_the_72_hour_reminder_from_its_mark(self) -> None:
        assert _due(72) == "72h"
        assert _due(30) == "72h"

    def test_it_sends_the_24_hour_reminder_from_its_mark(self) -> None:
        assert _due(24, sent=("72h",)) == "24h"
        assert _due(1, sent=("72h",)) == "24h"

    def test_it_sends_each_reminder_once(self) -> None:
        assert _due(50, sent=("72h",)) is None
        assert _due(10, sent=("72h", "24h")) is None

    def test_it_never_sends_an_older_reminder_after_a_newer_one(self) -> None:
        # Booked 20 h ahead: only the 24-hour reminder, never the 72-hour one afterwards.
        assert _due(20) == "24h"
        assert _due(20, sent=("24h",)) is None

    def test_it_sends_nothing_once_the_appointment_started(self) -> None:
        assert _due(0) is None
        assert _due(-1) is None

    def test_it_refuses_naive_times(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            due_reminder(now=dt.datetime(2026, 12, 9, 9, 0), start=START)  # noqa: DTZ001

    def test_it_takes_other_leads(self) -> None:
        assert due_reminder(now=START - dt.timedelta(hours=47), start=START, leads=(48,)) == "48h"

    @given(st.lists(st.integers(min_value=0, max_value=100 * 60), max_size=30))
    def test_an_hourly_run_sends_each_kind_at_most_once(self, minutes: list[int]) -> None:
        sent: list[str] = []
        for m in sorted(minutes, reverse=True):
            kind = due_reminder(now=START - dt.timedelta(minutes=m), start=START, sent=sent)
            if kind:
                sent.append(kind)
        assert len(sent) == len(set(sent))
        assert sent in ([], ["72h"], ["24h"], ["72h", "24h"])


def _contact(**kw: object) -> Contact:
    base: dict[str, object] = {
        "preferred": EMAIL,
        "email": "ada@example.org",
        "phone": "555-201-0101",
        "sms_consent": False,
        "opted_out": False,
    }
    base.update(kw)
    return Contact(**base)  # type: ignore[arg-type]


class TestChannel:
    def test_it_sends_email_when_preferred(self) -> None:
        assert channel_for(_contact()) == (EMAIL, "")

    def test_it_texts_only_with_consent(self) -> None:
        assert channel_for(_contact(preferred=SMS, sms_consent=True)) == (SMS, "")
        assert channel_for(_contact(preferred=SMS)) == (EMAIL, "")
        channel, why = channel_for(_contact(preferred=SMS, email=""))
        assert channel == NONE
        assert "consent" in why

    def test_it_sends_nothing_to_a_patient_who_opted_out(self) -> None:
        channel, why = channel_for(_contact(preferred=SMS, sms_consent=True, opted_out=True))
        assert channel == NONE
        assert "opted out" in why

    def test_it_sends_nothing_when_the_patient_chose_none(self) -> None:
        assert channel_for(_contact(preferred=NONE))[0] == NONE

    def test_it_sends_nothing_without_an_address(self) -> None:
        assert channel_for(_contact(email=""))[0] == NONE


class TestMessage:
    def _message(self, channel: str, confirmed: bool = False) -> Message:
        return message_text(
            channel=channel,
            first_name="Ada",
            local_start=dt.datetime(2026, 12, 10, 14, 5, tzinfo=TZ),
            site_name="Northside Infusion",
            link="https://c.example/r/TOKEN/",
            confirmed=confirmed,
        )

    def test_the_text_says_who_when_where_and_how_to_answer(self) -> None:
        message = self._message(SMS)
        assert message.body == (
            "Hi Ada, a reminder of your appointment at Northside Infusion on Thursday "
            "12/10/2026 at 2:05 PM. Please confirm or ask to reschedule: "
            "https://c.example/r/TOKEN/ Reply STOP to stop texts."
        )

    def test_the_email_has_a_subject_and_the_link(self) -> None:
        message = self._message(EMAIL, confirmed=True)
        assert message.subject == "Your appointment at Northside Infusion on 12/10/2026"
        assert "You have confirmed" in message.body
        assert "https://c.example/r/TOKEN/" in message.body

    def test_there_is_no_message_for_no_channel(self) -> None:
        with pytest.raises(ValueError, match="No message"):
            self._message(NONE)


class TestPhone:
    def test_it_writes_us_numbers_in_e164(self) -> None:
        assert us_e164("(555) 201-0101") == "+15552010101"
        assert us_e164("1-555-201-0101") == "+15552010101"

    def test_it_refuses_what_is_no_us_number(self) -> None:
        assert us_e164("201-0101") == ""
        assert us_e164("055-201-0101") == ""
        assert us_e164("555-101-0101") == ""
