"""The MLLP listener over loopback: a framed message in, its framed ACK out."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from chairside.interop.mllp_server import MllpServer, receiver_for
from chairside.interop.models import InterfaceMessage
from chairside.interop.tests import samples as s
from chairside.patients.models import Patient
from chairside.rules.interop.mllp import Deframer, frame
from tests import factories as f


def _exchange(port: int, messages: list[str]) -> list[str]:
    answers: list[str] = []
    deframer = Deframer()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        for text in messages:
            conn.sendall(frame(text))
            got: list[str] = []
            while not got:
                data = conn.recv(65536)
                assert data, "the listener closed the connection"
                got = deframer.feed(data)
            answers.extend(got)
    return answers


@pytest.mark.django_db(transaction=True)
class TestListener:
    def test_it_answers_each_message_with_its_ack_over_loopback(self) -> None:
        org = f.make_org("Loopback Infusion")
        f.make_payer(org, name="Blue Cross IL", payer_id="BCBSIL")
        server = MllpServer(("127.0.0.1", 0), receiver_for(org))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            port = server.server_address[1]
            bad = s.adt(control_id="MSG0002").replace("ADT^A04^ADT_A01", "ORU^R01^ORU_R01")
            first, second = _exchange(port, [s.adt(), bad])
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)
        assert "MSA|AA|MSG0001" in first
        assert "MSA|AR|MSG0002" in second and "ERR|" in second
        assert Patient.objects.filter(organization=org, mrn="E1001").exists()
        assert InterfaceMessage.objects.filter(organization=org).count() == 2


def test_it_ignores_noise_before_the_start_block(db: Any) -> None:
    assert Deframer().feed(b"\r\n\x0bMSH|x\x1c\x0d") == ["MSH|x"]
