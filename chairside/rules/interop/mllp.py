"""Minimal Lower Layer Protocol (MLLP) framing for HL7 v2 over TCP.

Source: HL7 Version 2.5.1, Implementation Guide "Transport specification: MLLP, release 2"
(HL7 v2 chapter 2 appendix C): each message is sent as a start block <VT> (0x0B), the message
bytes, then an end block <FS> (0x1C) and a carriage return (0x0D). The receiver answers each
message with its acknowledgment framed the same way.
"""

from __future__ import annotations

START = b"\x0b"
END = b"\x1c\x0d"
MAX_MESSAGE_BYTES = 1_000_000  # an ADT or order is a few kB; refuse runaway input


def frame(message: str) -> bytes:
    """``message`` (HL7 text) as one MLLP block."""
    return START + message.encode("utf-8") + END


class Deframer:
    """Collects bytes from a stream and yields each complete message's text.

    Bytes before a start block are ignored (line noise, keep-alive newlines); a block longer
    than ``MAX_MESSAGE_BYTES`` raises ValueError so the connection is dropped.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[str]:
        self._buffer.extend(data)
        messages: list[str] = []
        while True:
            start = self._buffer.find(START)
            if start < 0:
                self._buffer.clear()
                break
            if start:
                del self._buffer[:start]
            end = self._buffer.find(END)
            if end < 0:
                if len(self._buffer) > MAX_MESSAGE_BYTES:
                    raise ValueError("An MLLP block ran past 1 MB without its end block.")
                break
            body = bytes(self._buffer[1:end])
            del self._buffer[: end + len(END)]
            messages.append(body.decode("utf-8", errors="replace"))
        return messages
