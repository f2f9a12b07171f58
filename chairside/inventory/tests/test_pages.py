"""Every inventory page: it renders, a role without the permission gets 403, and another
organization's records are 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from chairside.audit.models import AuditEvent
from chairside.inventory import services
from chairside.inventory.tests import factories as inv
from tests import factories as f
from tests.assertions import assert_no_db_changes


def unchanged() -> Any:
    """Every stock table and the audit trail, as a refused action must leave them."""
    return assert_no_db_changes(*apps.get_app_config("inventory").get_models(), AuditEvent)


@pytest.fixture
def world(org: Any, location: Any, lot: Any, patient: Any, pharmacist: Any) -> dict[str, Any]:
    """One of everything: a lot with history, an order, a count, an invoice."""
    services.stock_dispense(lot=lot, vials=2, patient=patient, user=pharmacist, visit_ref="V-1")
    order = services.purchase_order_create(
        organization=org,
        location=location,
        vendor=lot.vendor,
        user=pharmacist,
        lines=[(lot.package, 5, Decimal("330"))],
    )
    count = services.cycle_count_start(organization=org, location=location, user=pharmacist)
    return {"lot": lot, "order": order, "count": count, "invoice": None, "location": location}


def pages(world: dict[str, Any]) -> list[str]:
    lot, order, count = world["lot"], world["order"], world["count"]
    return [
        reverse("inventory:stock"),
        reverse("inventory:stock") + f"?location={world['location'].public_id}",
        reverse("inventory:expiring"),
        reverse("inventory:lot", args=[lot.public_id]),
        reverse("inventory:counts"),
        reverse("inventory:count", args=[count.public_id]),
        reverse("inventory:forecast"),
        reverse("inventory:orders"),
        reverse("inventory:order", args=[order.public_id]),
        reverse("inventory:reconciliation"),
        reverse("inventory:money"),
        reverse("inventory:setup"),
    ]


EDIT_PAGES = [
    "inventory:receive",
    "inventory:dispense",
    "inventory:package_add",
    "inventory:vendor_create",
    "inventory:place_create",
]


class TestPages:
    def test_every_page_renders_for_the_pharmacist(
        self, pharmacist_client: Any, world: Any
    ) -> None:
        for url in pages(world) + [reverse(name) for name in EDIT_PAGES]:
            response = pharmacist_client.get(url)
            assert response.status_code == 200, url

    def test_a_nurse_may_look_but_not_change_stock(self, nurse_client: Any, world: Any) -> None:
        for url in pages(world):
            assert nurse_client.get(url).status_code == 200, url
        stock_page = nurse_client.get(reverse("inventory:stock")).content
        assert reverse("inventory:receive").encode() not in stock_page  # no tab she can't use
        for name in EDIT_PAGES:
            assert nurse_client.get(reverse(name)).status_code == 403, name
        lot = world["lot"]
        for name in (
            "inventory:lot_transfer",
            "inventory:lot_waste",
            "inventory:lot_adjust",
            "inventory:lot_return",
        ):
            assert nurse_client.get(reverse(name, args=[lot.public_id])).status_code == 403
        with unchanged():
            assert (
                nurse_client.post(reverse("inventory:lot_expire", args=[lot.public_id])).status_code
                == 403
            )

    def test_a_biller_may_not_see_inventory(self, org: Any, world: Any) -> None:
        biller = f.login(f.make_user(org, "biller"))
        for url in pages(world):
            assert biller.get(url).status_code == 403, url

    def test_another_organizations_records_are_not_found(self, other_org: Any, world: Any) -> None:
        outsider = f.login(f.make_user(other_org, "pharmacist"))
        lot, order, count = world["lot"], world["order"], world["count"]
        for url in [
            reverse("inventory:lot", args=[lot.public_id]),
            reverse("inventory:lot_transfer", args=[lot.public_id]),
            reverse("inventory:lot_waste", args=[lot.public_id]),
            reverse("inventory:order", args=[order.public_id]),
            reverse("inventory:count", args=[count.public_id]),
            reverse("inventory:receive") + f"?po={order.public_id}",
        ]:
            assert outsider.get(url).status_code == 404, url
        with unchanged():
            for name, record in (
                ("inventory:order_send", order),
                ("inventory:lot_expire", lot),
                ("inventory:count_complete", count),
            ):
                assert outsider.post(reverse(name, args=[record.public_id])).status_code == 404

    def test_another_organizations_stock_is_not_listed(self, other_org: Any, world: Any) -> None:
        outsider = f.login(f.make_user(other_org, "pharmacist"))
        response = outsider.get(reverse("inventory:stock"))
        assert b"A100" not in response.content

    def test_a_malformed_id_is_not_a_server_error(self, pharmacist_client: Any, world: Any) -> None:
        assert (
            pharmacist_client.get(reverse("inventory:receive") + "?po=nonsense").status_code == 404
        )
        assert (
            pharmacist_client.get(reverse("inventory:stock") + "?location=nonsense").status_code
            == 200
        )

    def test_the_navigation_shows_inventory(self, pharmacist_client: Any) -> None:
        response = pharmacist_client.get(reverse("today"))
        assert reverse("inventory:stock").encode() in response.content

    def test_the_stock_page_values_center_stock_and_sets_white_bag_apart(
        self, pharmacist_client: Any, world: Any, patient: Any
    ) -> None:
        lot = world["lot"]
        inv.make_lot(lot.storage_place, lot.package, vials=3, patient=patient)
        response = pharmacist_client.get(reverse("inventory:stock"))
        assert b"$2,640.00" in response.content  # 8 vials x $330
        assert b"+3 white bag" in response.content


class TestEveryWrite:
    """Each change a page makes: refused to a role without inventory.edit, and 404 for
    another organization's record."""

    def targets(self, world: dict[str, Any], org: Any) -> list[str]:
        from chairside.inventory.models import StoragePlace, Vendor, VendorInvoice

        lot, order, count = world["lot"], world["order"], world["count"]
        invoice = VendorInvoice.objects.create(
            organization=org,
            vendor=lot.vendor,
            number="T-1",
            invoice_date=lot.received_on,
            due_on=lot.received_on,
        )
        return [
            reverse("inventory:lot_transfer", args=[lot.public_id]),
            reverse("inventory:lot_waste", args=[lot.public_id]),
            reverse("inventory:lot_adjust", args=[lot.public_id]),
            reverse("inventory:lot_return", args=[lot.public_id]),
            reverse("inventory:lot_expire", args=[lot.public_id]),
            reverse("inventory:order_send", args=[order.public_id]),
            reverse("inventory:order_cancel", args=[order.public_id]),
            reverse("inventory:count_complete", args=[count.public_id]),
            reverse("inventory:invoice_paid", args=[invoice.public_id]),
            reverse("inventory:vendor_edit", args=[Vendor.objects.get(pk=lot.vendor_id).public_id]),
            reverse(
                "inventory:place_edit",
                args=[StoragePlace.objects.get(pk=lot.storage_place_id).public_id],
            ),
            reverse("inventory:site_settings", args=[world["location"].public_id]),
        ]

    def test_a_coordinator_may_change_nothing(self, org: Any, world: Any) -> None:
        coordinator = f.login(f.make_user(org, "coordinator"))
        urls = self.targets(world, org) + [reverse("inventory:order_create")]
        with unchanged():
            for url in urls:
                assert coordinator.post(url, {}).status_code == 403, url

    def test_another_organization_finds_nothing(self, org: Any, other_org: Any, world: Any) -> None:
        outsider = f.login(f.make_user(other_org, "pharmacist"))
        for url in self.targets(world, org):
            assert outsider.post(url, {}).status_code == 404, url
        lot = world["lot"]
        lot.refresh_from_db()
        assert lot.on_hand == 8  # 10 received, 2 dispensed: untouched

    def test_the_count_sheet_ignores_a_nurses_counts(self, nurse_client: Any, world: Any) -> None:
        count = world["count"]
        line = count.lines.get()
        nurse_client.post(
            reverse("inventory:count", args=[count.public_id]), {f"line-{line.public_id}": "1"}
        )
        line.refresh_from_db()
        assert line.counted_vials is None
