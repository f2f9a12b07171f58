"""The demo center's weekly 837P: a file refused by pyx12 stops the seed, never skipped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.billing.services import charges_derive
from chairside.billing.tests import factories as bf
from chairside.demo import billing as demo_billing
from chairside.rules.billing import claim_states as states


@pytest.mark.django_db
def test_a_refused_837p_file_stops_the_demo_seed_with_the_reason(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bf.billable_org(org)
    patient = bf.billable_patient(org)
    facts = bf.facts_for(patient, bf.commercial(org))
    encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
    claim = encounter.claims.get()
    assert claim.state == states.READY

    def refuse(**_: Any) -> None:
        raise ValidationError(["The 837P file did not pass validation; nothing was sent.", "CLM"])

    monkeypatch.setattr(demo_billing, "claims_export", refuse)
    with pytest.raises(RuntimeError, match="was refused: The 837P file did not pass"):
        demo_billing._submit(org, bf.DAY + dt.timedelta(days=7), None)
    claim.refresh_from_db()
    assert claim.state == states.READY


@pytest.mark.django_db
def test_a_valid_week_is_sent(org: Any) -> None:
    bf.billable_org(org)
    patient = bf.billable_patient(org)
    facts = bf.facts_for(patient, bf.commercial(org))
    encounter = charges_derive(organization=org, patient=patient, location=None, facts=facts)
    assert demo_billing._submit(org, bf.DAY + dt.timedelta(days=7), None) == 1
    assert encounter.claims.get().state == states.SUBMITTED
