"""One JSON line per request: ids, path, status, time; never patient data."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from chairside.core.logs import JsonFormatter
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_each_request_logs_one_json_line_with_ids_and_no_patient_data(
    org: Any, caplog: Any
) -> None:
    patient = f.make_patient(org)
    user = f.make_user(org, "coordinator")
    client = f.login(user)
    with caplog.at_level(logging.INFO, logger="chairside.requests"):
        response = client.get(
            f"/patients/?q={patient.last_name}", headers={"X-Request-ID": "proxy-abc-12345"}
        )
    records = [r for r in caplog.records if r.name == "chairside.requests"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "proxy-abc-12345" == response["X-Request-ID"]
    assert (line["user_id"], line["organization_id"]) == (user.pk, org.pk)
    assert (line["method"], line["path"], line["status"]) == ("GET", "/patients/", 200)
    assert line["ms"] > 0
    assert patient.last_name not in json.dumps(line)  # the search term stays out


def test_a_strange_request_id_is_replaced(client: Any, caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="chairside.requests"):
        response = client.get("/login/", headers={"X-Request-ID": "bad id\n{json}"})
    assert response["X-Request-ID"] != "bad id\n{json}"
    assert len(response["X-Request-ID"]) == 32
