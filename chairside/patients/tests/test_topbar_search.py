"""The top bar's patient search (issue 13.16): shown to roles that may see patients, one
match opens the chart, several show the list."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests import factories as f


@pytest.mark.django_db
class TestTopbarSearch:
    def test_it_is_in_the_top_bar_for_a_role_that_sees_patients(self, org: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        assert b'id="topbar-q"' in client.get(reverse("today")).content

    def test_it_is_not_offered_without_an_organization(self, db: Any) -> None:
        user = get_user_model().objects.create_user("loner", password=f.TEST_PASSWORD)
        client = Client()
        client.force_login(user)
        assert b'id="topbar-q"' not in client.get(reverse("today")).content

    def test_one_match_opens_the_chart(self, org: Any) -> None:
        patient = f.make_patient(org, mrn="RIP-1", last_name="Okafor")
        client = f.login(f.make_user(org, "coordinator"))
        response = client.get(reverse("patients:list"), {"q": "rip-1", "go": "1"})
        assert response.status_code == 302
        assert response["Location"] == reverse("patients:chart", args=[patient.public_id])

    def test_several_matches_show_the_list(self, org: Any) -> None:
        f.make_patient(org, last_name="Okafor", first_name="Lena")
        f.make_patient(org, last_name="Okafor", first_name="Ben")
        client = f.login(f.make_user(org, "coordinator"))
        response = client.get(reverse("patients:list"), {"q": "okafor", "go": "1"})
        assert response.status_code == 200 and response.content.count(b"Okafor") >= 2

    def test_it_never_opens_another_organizations_patient(self, org: Any, other_org: Any) -> None:
        f.make_patient(other_org, mrn="RIP-9")
        client = f.login(f.make_user(org, "coordinator"))
        response = client.get(reverse("patients:list"), {"q": "RIP-9", "go": "1"})
        assert response.status_code == 200
