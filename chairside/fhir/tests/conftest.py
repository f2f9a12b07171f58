"""A treated patient with something of every kind the facade serves: coverage, a lab, a
weight, a referral and its order, an appointment, a signed visit with vital signs, an
infusion given from a stocked lot, a reaction and the treatment report (the visit fixtures
of chairside.treatments: Tuesday 12/08/2026 in New York)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from chairside.access.referrals import services as referral_services
from chairside.api import tokens
from chairside.patients import services as patient_services
from chairside.treatments import services
from chairside.treatments.models import Administration
from chairside.treatments.tests import conftest as visit_fixtures
from chairside.treatments.tests import factories as tf
from tests import factories as f

# The visit fixtures (clock, nurse, drug, order, appointment, lot, visit, ready_visit …).
appointment = visit_fixtures.appointment
clock = visit_fixtures.clock
drug = visit_fixtures.drug
lot = visit_fixtures.lot
nurse = visit_fixtures.nurse
nurse_client = visit_fixtures.nurse_client
nurse_user = visit_fixtures.nurse_user
order = visit_fixtures.order
physician = visit_fixtures.physician
ready_visit = visit_fixtures.ready_visit
second_nurse = visit_fixtures.second_nurse
team = visit_fixtures.team
visit = visit_fixtures.visit

FHIR = "/fhir/r4/"


def bearer(text: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def token_client(org: Any, role: str) -> Client:
    user = f.make_user(org, role)
    _, text = tokens.token_create_personal(
        organization=org, user=user, name="EHR", expires_in_days=30, password=f.TEST_PASSWORD
    )
    return bearer(text)


@pytest.fixture
def world(org: Any, patient: Any, ready_visit: Any, nurse_user: Any) -> SimpleNamespace:
    payer = f.make_payer(org, name="Acme Health", payer_id="ACME1")
    coverage = f.make_coverage(patient, payer, group_number="G-77", plan_name="Gold PPO")
    lab = patient_services.lab_result_record(
        patient=patient,
        user=nurse_user,
        lab_name="Hepatitis B surface antigen (HBsAg)",
        result_on=dt.date(2026, 11, 20),
        value="non-reactive",
        interpretation="negative",
    )
    referral = referral_services.referral_create(
        organization=org,
        user=nurse_user,
        received_on=dt.date(2026, 11, 2),
        referring_provider=ready_visit.order.ordering_provider,
        patient=patient,
        requested_drug=ready_visit.order.drug,
        diagnosis_code="K50.90",
    )
    primary = Administration.objects.get(visit=ready_visit, is_primary=True)
    reaction = services.reaction_record(
        visit=ready_visit,
        user=nurse_user,
        onset_at=tf.at("10:00"),
        grade=2,
        signs=["rash", "itching"],
        actions=["antihistamine"],
    )
    reaction = services.reaction_outcome(
        reaction=reaction, user=nurse_user, outcome="resolved", outcome_at=tf.at("10:20")
    )
    services.visit_sign(visit=ready_visit, user=nurse_user)
    return SimpleNamespace(
        patient=patient,
        coverage=coverage,
        payer=payer,
        lab=lab,
        referral=referral,
        order=ready_visit.order,
        appointment=ready_visit.appointment,
        visit=ready_visit,
        administration=primary,
        reaction=reaction,
        report=ready_visit.reports.get(),
    )


@pytest.fixture
def coordinator(org: Any) -> Client:
    return token_client(org, "coordinator")
