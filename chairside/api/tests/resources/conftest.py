"""The treated patient of the FHIR tests (coverage, referral, order, appointment, a signed
visit with vitals and an infusion from a stocked lot, its report) plus an approved prior
authorization, and token clients for each role (Tuesday 12/08/2026 in New York)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from chairside.fhir.tests import conftest as fhir
from chairside.scheduling.tests.factories import make_authorization

appointment = fhir.appointment
clock = fhir.clock
drug = fhir.drug
lot = fhir.lot
nurse = fhir.nurse
nurse_user = fhir.nurse_user
order = fhir.order
physician = fhir.physician
ready_visit = fhir.ready_visit
second_nurse = fhir.second_nurse
team = fhir.team
visit = fhir.visit
world = fhir.world

token_client = fhir.token_client


@pytest.fixture
def api_world(world: SimpleNamespace) -> SimpleNamespace:
    world.authorization = make_authorization(world.order)
    return world


@pytest.fixture
def coordinator(org: Any) -> Client:
    return token_client(org, "coordinator")


@pytest.fixture
def outsider(other_org: Any) -> Client:
    return token_client(other_org, "coordinator")
