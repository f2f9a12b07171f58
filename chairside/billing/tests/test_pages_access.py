"""Every billing page: 200 for a biller, 403 for a role that may not see or act, 404 for
another organization's record."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from chairside.audit.models import AuditEvent
from tests.assertions import assert_no_db_changes

# (url name, how to find the object in a World, method, needs BILLING_EDIT)
PAGES: list[tuple[str, str | None, str]] = [
    ("billing:home", None, "get"),
    ("billing:claims", None, "get"),
    ("billing:claim", "claim", "get"),
    ("billing:claim_cms1500", "claim", "get"),
    ("billing:export", "export", "get"),
    ("billing:encounter", "encounter", "get"),
    ("billing:remittances", None, "get"),
    ("billing:remittance", "remittance", "get"),
    ("billing:unmatched", None, "get"),
    ("billing:fees", None, "get"),
    ("billing:contracts", None, "get"),
    ("billing:contract", "contract", "get"),
    ("billing:margins", None, "get"),
    ("billing:settings", None, "get"),
]
ACTIONS: list[tuple[str, str | None, dict[str, str]]] = [
    ("billing:claim_check", "ready", {}),
    ("billing:claim_transition", "claim", {"to_state": "appealed"}),
    ("billing:claim_submit", "ready", {}),
    ("billing:export_ready", None, {}),
    ("billing:encounter_reviewed", "encounter", {}),
    ("billing:line_adjust", "line", {"amount": "-1.00", "reason": "test"}),
    ("billing:denial", "denial", {"status": "appealed"}),
    ("billing:contract_fee", "contract", {"cpt": "96413", "amount": "10"}),
    ("billing:contract_drug", "contract", {"hcpcs": "J1745", "basis": "asp", "percent": "100"}),
    ("billing:contract_new", None, {}),
    ("billing:claim_void", "claim", {"reason": "wrong payer"}),
    ("billing:claim_mue", "ready", {"note": "needed"}),
]


def unchanged() -> Any:
    """Every billing table and the audit trail, as a refused action must leave them."""
    return assert_no_db_changes(*apps.get_app_config("billing").get_models(), AuditEvent)


def url(name: str, world: Any, attr: str | None) -> str:
    if attr is None:
        return reverse(name)
    return reverse(name, kwargs={"public_id": getattr(world, attr).public_id})


@pytest.mark.django_db
class TestBillingPages:
    @pytest.mark.parametrize("page", PAGES)
    def test_it_shows_every_page_to_a_biller(
        self, biller_client: Any, world: Any, page: tuple[str, str | None, str]
    ) -> None:
        name, attr, _method = page
        assert biller_client.get(url(name, world, attr)).status_code == 200

    @pytest.mark.parametrize("page", PAGES)
    def test_it_refuses_a_nurse(
        self, nurse_client: Any, world: Any, page: tuple[str, str | None, str]
    ) -> None:
        name, attr, _method = page
        assert nurse_client.get(url(name, world, attr)).status_code == 403

    @pytest.mark.parametrize("page", [p for p in PAGES if p[1]])
    def test_it_hides_another_organizations_records(
        self, biller_client: Any, world: Any, other_world: Any, page: tuple[str, str, str]
    ) -> None:
        name, attr, _method = page
        assert biller_client.get(url(name, other_world, attr)).status_code == 404

    def test_it_sends_an_anonymous_visitor_to_log_in(self, client: Any, world: Any) -> None:
        response = client.get(reverse("billing:home"))
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
class TestBillingActions:
    @pytest.mark.parametrize("action", ACTIONS)
    def test_it_refuses_an_auditor(self, auditor_client: Any, world: Any, action: Any) -> None:
        name, attr, data = action
        with unchanged():
            assert auditor_client.post(url(name, world, attr), data).status_code == 403

    @pytest.mark.parametrize("action", [a for a in ACTIONS if a[1]])
    def test_it_hides_another_organizations_records(
        self, biller_client: Any, world: Any, other_world: Any, action: Any
    ) -> None:
        name, attr, data = action
        with unchanged():
            assert biller_client.post(url(name, other_world, attr), data).status_code == 404

    @pytest.mark.parametrize("name", ["billing:remittances", "billing:fees", "billing:settings"])
    def test_it_refuses_an_auditor_posting_a_form_page(
        self, auditor_client: Any, world: Any, name: str
    ) -> None:
        with unchanged():
            assert auditor_client.post(reverse(name), {}).status_code == 403

    def test_it_refuses_a_nurse_the_actions(self, nurse_client: Any, world: Any) -> None:
        with unchanged():
            for name, attr, data in ACTIONS:
                assert nurse_client.post(url(name, world, attr), data).status_code == 403, name
