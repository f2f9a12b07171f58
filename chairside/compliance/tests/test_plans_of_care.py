"""The plans-of-care section reads home care's ``plan_of_care_gaps`` for the location's
home-infusion patients."""

from __future__ import annotations

from typing import Any

import pytest

from chairside.homecare.tests import factories as hf
from tests import factories as f

pytestmark = pytest.mark.django_db


class TestPlansOfCare:
    def test_it_flags_a_patient_with_an_order_but_no_plan_and_one_whose_plan_misses_items(
        self, org: Any, admin_client: Any
    ) -> None:
        home = hf.make_home_location(org)
        no_plan = hf.make_home_patient(org, home, last_name="Noplan")
        hf.make_home_order(no_plan)
        partial = hf.make_home_patient(org, home, last_name="Partial")
        hf.make_plan(partial, [hf.make_home_order(partial)], goals="")
        hf.make_home_patient(org, home, last_name="Deliveryonly")  # no order, no plan
        response = admin_client.get(f"/compliance/{home.public_id}/")
        section = {s.key: s for s in response.context["section_list"]}["plans"]
        assert {row.patient.last_name for row in section.rows} == {"Noplan", "Partial"}
        assert section.flagged == 2
        text = response.content.decode()
        assert "has no plan of care" in text

    def test_another_organizations_home_patients_are_not_read(
        self, org: Any, other_org: Any, admin_client: Any
    ) -> None:
        home = hf.make_home_location(org)
        theirs = hf.make_home_location(other_org)
        outsider = hf.make_home_patient(other_org, theirs, last_name="Outsider")
        hf.make_home_order(outsider)
        response = admin_client.get(f"/compliance/{home.public_id}/")
        assert "Outsider" not in response.content.decode()
        assert (
            f.login(f.make_user(other_org, "admin"))
            .get(f"/compliance/{home.public_id}/")
            .status_code
            == 404
        )
