"""The MLLP listener: HL7 v2 messages over TCP, each answered with its ACK.

A ``socketserver.ThreadingTCPServer``: one thread per connection (an EHR's interface engine
usually keeps one connection open and sends messages one after another, waiting for each
ACK). Each message is handled by ``hl7_receive`` in its own transaction; the thread's
database connection is closed when the connection ends.
"""

from __future__ import annotations

import logging
import socketserver
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection

from chairside.interop.services import hl7_receive
from chairside.rules.interop.mllp import Deframer, frame

log = logging.getLogger("chairside.interop.mllp")

Handler = Callable[[str], str]  # message text → ACK text
IDLE_SECONDS = 300  # a connection silent this long is closed


class _Connection(socketserver.BaseRequestHandler):
    server: MllpServer

    def handle(self) -> None:
        self.request.settimeout(IDLE_SECONDS)
        deframer = Deframer()
        try:
            while True:
                data = self.request.recv(65536)
                if not data:
                    return
                for text in deframer.feed(data):
                    close_old_connections()
                    self.request.sendall(frame(self.server.answer(text)))
        except (TimeoutError, ConnectionError, ValueError) as exc:
            log.warning("MLLP connection from %s closed: %s", self.client_address[0], exc)
        finally:
            connection.close()


class MllpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], answer: Handler) -> None:
        self.answer = answer
        super().__init__(address, _Connection)


def receiver_for(organization: Any) -> Handler:
    """The handler that stores and applies each message for ``organization``."""

    def answer(text: str) -> str:
        return hl7_receive(organization=organization, raw=text).ack

    return answer
