"""The Twilio-compatible HTTP backend, against a fake provider on loopback (no network)."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from chairside.reminders.sms import SmsError, TwilioBackend


class FakeProvider(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    answer_status = 201

    def do_POST(self) -> None:  # noqa: N802  (http.server's name)
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        FakeProvider.received.append(
            {"path": self.path, "auth": self.headers["Authorization"], "form": form}
        )
        body: dict[str, Any]
        if FakeProvider.answer_status == 201:
            body = {"sid": "SM0123456789abcdef", "status": "queued"}
        else:
            body = {"code": 21211, "message": "The 'To' number is not a valid phone number."}
        payload = json.dumps(body).encode()
        self.send_response(FakeProvider.answer_status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def provider() -> Iterator[str]:
    FakeProvider.received, FakeProvider.answer_status = [], 201
    server = HTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _backend(base_url: str) -> TwilioBackend:
    return TwilioBackend(
        base_url=base_url,
        account="AC0000test",
        token="tok3n",  # noqa: S106
        from_number="+15550001111",
        timeout=5,
    )


class TestTwilioBackend:
    def test_it_posts_the_message_and_returns_the_provider_id(self, provider: str) -> None:
        sid = _backend(provider).send(to="+15552010101", body="Hi Ada")
        assert sid == "SM0123456789abcdef"
        [request] = FakeProvider.received
        assert request["path"] == "/2010-04-01/Accounts/AC0000test/Messages.json"
        assert request["form"] == {
            "To": ["+15552010101"],
            "From": ["+15550001111"],
            "Body": ["Hi Ada"],
        }
        assert request["auth"] == "Basic " + base64.b64encode(b"AC0000test:tok3n").decode()

    def test_it_reports_a_refusal_with_the_providers_reason(self, provider: str) -> None:
        FakeProvider.answer_status = 400
        with pytest.raises(SmsError, match="400: The 'To' number is not a valid phone number"):
            _backend(provider).send(to="+15552010101", body="Hi Ada")

    def test_it_reports_a_provider_that_does_not_answer(self) -> None:
        with pytest.raises(SmsError, match="could not be reached"):
            _backend("http://127.0.0.1:9").send(to="+15552010101", body="Hi Ada")

    def test_it_needs_its_credentials(self) -> None:
        with pytest.raises(SmsError, match="must be set"):
            TwilioBackend(base_url="http://127.0.0.1:9", account="", token="", from_number="")
