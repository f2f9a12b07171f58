"""Text messages through a pluggable backend (``SMS_BACKEND``), like Django's e-mail backends.

- ``ConsoleBackend`` (the default) writes each text to standard output;
- ``FileBackend`` appends each text to ``SMS_FILE_PATH`` (one line of JSON per text);
- ``TwilioBackend`` posts to a Twilio-compatible provider: ``POST {SMS_API_BASE_URL}
  /2010-04-01/Accounts/{account}/Messages.json`` with the form fields ``To``, ``From`` and
  ``Body``, HTTP Basic authentication with the account and its token; 201 answers the
  message's ``sid`` (Twilio, "Messages resource: Create a Message",
  https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The provider refused the text or could not be reached; the reminder is tried again."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> str:
        """Send one text; return the provider's id of the message ("" when none)."""


class ConsoleBackend:
    def send(self, *, to: str, body: str) -> str:
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()
        return ""


class FileBackend:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, *, to: str, body: str) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"to": to, "from": settings.SMS_FROM_NUMBER, "body": body}) + "\n")
        return ""


class TwilioBackend:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        account: str | None = None,
        token: str | None = None,
        from_number: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = (base_url or settings.SMS_API_BASE_URL).rstrip("/")
        self.account = account or settings.SMS_ACCOUNT_SID
        self.token = token or settings.SMS_AUTH_TOKEN
        self.from_number = from_number or settings.SMS_FROM_NUMBER
        self.timeout = timeout
        if not (self.account and self.token and self.from_number):
            raise SmsError("SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM_NUMBER must be set.")

    def send(self, *, to: str, body: str) -> str:
        account = urllib.parse.quote(self.account, safe="")
        url = f"{self.base_url}/2010-04-01/Accounts/{account}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.from_number, "Body": body})
        credentials = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310  (the URL is the configured provider's)
            url,
            data=data.encode(),
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer: dict[str, Any] = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SmsError(f"The SMS provider answered {exc.code}: {_reason(exc)}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"The SMS provider could not be reached ({exc}).") from None
        return str(answer.get("sid", ""))[:64]


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read()).get("message", exc.reason))[:200]
    except (ValueError, AttributeError, OSError):
        return str(exc.reason)[:200]


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
