"""How 270 eligibility inquiries reach a clearinghouse and 271 answers come back.

The backend is chosen by ``CHAIRSIDE_ELIGIBILITY_TRANSPORT`` (a dotted path, like Django's
``EMAIL_BACKEND``). A backend implements :class:`EligibilityTransport`:

* ``send(name=..., request=...)`` hands over one 270 (the whole interchange as text) and
  returns the 271 when the clearinghouse answers at once (real-time, e.g. a CAQH CORE
  connectivity POST that answers in the same call), else ``None`` (batch: the answer comes
  later);
* ``receive(name=...)`` returns the 271 answering the 270 sent under ``name`` once it has
  come, else ``None``; it is asked again until it answers.

``name`` is the inquiry's trace number (TRN02), unique per exchange. A backend raises
:class:`TransportError` when the clearinghouse cannot be reached or refuses the file; the
exchange is then kept as failed, and nothing in the benefits changes.

:class:`FileDropTransport` (the default, for development and tests) writes each 270 to
``CHAIRSIDE_ELIGIBILITY_OUTBOX/<name>.270`` and reads the answer from
``CHAIRSIDE_ELIGIBILITY_INBOX/<name>.271`` (an SFTP mailbox synchronised into those folders
works the same way); a 271 read is moved to ``processed/`` beside it.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,50}$")


class TransportError(Exception):
    """The clearinghouse could not be reached or refused the inquiry."""


class EligibilityTransport(Protocol):
    def send(self, *, name: str, request: str) -> str | None:
        """Send one 270; return the 271 when it comes back at once, else None."""

    def receive(self, *, name: str) -> str | None:
        """The 271 answering the 270 sent as ``name``, once it has come; else None."""


class FileDropTransport:
    def __init__(self, outbox: str | Path | None = None, inbox: str | Path | None = None) -> None:
        self.outbox = Path(outbox or settings.CHAIRSIDE_ELIGIBILITY_OUTBOX)
        self.inbox = Path(inbox or settings.CHAIRSIDE_ELIGIBILITY_INBOX)

    def send(self, *, name: str, request: str) -> str | None:
        _check(name)
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            # Written whole, then renamed: a clearinghouse agent never picks up half a file.
            handle, temporary = tempfile.mkstemp(dir=self.outbox, suffix=".part")
            with os.fdopen(handle, "w", encoding="ascii", newline="") as out:
                out.write(request)
            os.replace(temporary, self.outbox / f"{name}.270")
        except (OSError, UnicodeEncodeError) as exc:
            raise TransportError(f"The 270 could not be written to the outbox ({exc}).") from None
        return self.receive(name=name)

    def receive(self, *, name: str) -> str | None:
        _check(name)
        answer = self.inbox / f"{name}.271"
        try:
            text = answer.read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TransportError(f"The 271 could not be read from the inbox ({exc}).") from None
        done = self.inbox / "processed"
        done.mkdir(parents=True, exist_ok=True)
        os.replace(answer, done / answer.name)
        return text


def _check(name: str) -> None:
    if not _SAFE_NAME.match(name):
        raise TransportError(f"{name!r} is not a trace number a file may be named after.")


def get_transport() -> EligibilityTransport:
    transport: EligibilityTransport = import_string(settings.CHAIRSIDE_ELIGIBILITY_TRANSPORT)()
    return transport
