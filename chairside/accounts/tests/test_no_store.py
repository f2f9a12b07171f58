"""Issue 11.4: nothing a logged-in user receives may be kept by a browser or proxy cache."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from chairside.analytics.tests.factories import make_scenario
from tests import factories as f


def _no_store(response: Any) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


class TestNoStore:
    def test_every_kind_of_authenticated_response_says_no_store(
        self, admin_client: Any, org: Any, patient: Any
    ) -> None:
        scenario = make_scenario(org)
        samples = {
            "page": admin_client.get(reverse("today")),
            "chart": admin_client.get(reverse("patients:chart", args=[patient.public_id])),
            "htmx partial": admin_client.get(
                reverse("patients:list"), {"q": "hop"}, HTTP_HX_REQUEST="true"
            ),
            "PDF": admin_client.get(reverse("analytics:scenario_pdf", args=[scenario.public_id])),
            "CSV export": admin_client.get(
                reverse("analytics:scenario_csv", args=[scenario.public_id])
            ),
            "calendar export": admin_client.get(
                reverse("scheduling:ics", args=[patient.public_id])
            ),
            "API": admin_client.get("/api/v1/patients", {"q": "hop"}),
            "API chart": admin_client.get(f"/api/v1/patients/{patient.public_id}"),
            "refused (403)": f.login(f.make_user(org, "nurse")).get(
                reverse("analytics:scenario_csv", args=[scenario.public_id])
            ),
            "not found (404)": admin_client.get("/patients/00000000-0000-0000-0000-000000000000/"),
        }
        assert {k: r.status_code for k, r in samples.items()} == {
            **{k: 200 for k in samples},
            "refused (403)": 403,
            "not found (404)": 404,
        }
        assert [k for k, r in samples.items() if not _no_store(r)] == []

    def test_the_log_out_answer_says_no_store_too(self, admin_client: Any) -> None:
        assert _no_store(admin_client.post(reverse("logout")))

    def test_static_files_and_anonymous_pages_are_left_cacheable(self, db: Any) -> None:
        assert not _no_store(Client().get(reverse("healthz")))
