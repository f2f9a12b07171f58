"""Orders include a premedication set and the anaphylaxis protocol (issue 21 item 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.access.referrals import services
from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.tests import factories as rf
from tests import factories as f


class TestOrderSetsOnTheOrder:
    def test_the_standard_set_follows_the_drug(self, patient: Any) -> None:
        ocrelizumab = rf.make_order(patient, "ocrelizumab", premedication_set="auto")
        assert ocrelizumab.premedication_set == "ocrelizumab"
        infliximab = rf.make_order(patient, "infliximab", premedication_set="auto")
        assert infliximab.premedication_set == ""  # the label recommends none

    def test_a_set_for_another_drug_is_refused(self, patient: Any) -> None:
        with pytest.raises(ValidationError) as caught:
            rf.make_order(patient, "rituximab", premedication_set="ocrelizumab")
        assert "is for ocrelizumab" in str(caught.value.message_dict["premedication_set"])
        assert not TreatmentOrder.objects.exists()

    def test_changing_the_set_voids_the_signature(self, org: Any, patient: Any) -> None:
        order = rf.make_order(patient, "rituximab", premedication_set="rituximab")
        assert order.is_signed
        coordinator = f.make_user(org, "coordinator")
        changed = services.order_update(
            order=order, user=coordinator, premedication_set="rituximab-ra"
        )
        assert changed.premedication_set == "rituximab-ra"
        assert not changed.is_signed


class TestOrderSetPages:
    def test_a_new_order_preselects_the_standard_set_and_the_protocol(
        self, org: Any, patient: Any, coordinator_client: Any
    ) -> None:
        rf.formulary(org)
        page = coordinator_client.get(reverse("referrals:order_create", args=[patient.public_id]))
        form = page.context["form"]
        assert form["premedication_set"].value() == "auto"
        assert form["hypersensitivity_protocol"].value() is True

    def test_the_order_shows_its_premedications_and_protocol(
        self, patient: Any, coordinator_client: Any
    ) -> None:
        order = rf.make_order(
            patient, "ocrelizumab", premedication_set="auto", hypersensitivity_protocol=True
        )
        page = coordinator_client.get(reverse("referrals:order", args=[order.public_id]))
        assert b"Methylprednisolone 100 mg IV push" in page.content
        assert b"Epinephrine 1 mg/mL 0.3 mg IM" in page.content
