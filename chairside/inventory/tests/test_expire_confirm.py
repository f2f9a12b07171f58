"""Taking expired vials off the shelf: the list of what goes, then the confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.inventory import services
from chairside.inventory.models import Movement
from chairside.inventory.tests import factories as inv
from tests.factories import someone


@pytest.fixture
def expired(fridge: Any, pkg: Any, vendor: Any) -> Any:
    """Two lots: A100 (4 vials at $330) expires in 5 days, B200 (10) in 200 days."""
    soon = inv.make_lot(fridge, pkg, vials=4, expires_in=5, vendor=vendor, lot_number="A100")
    inv.make_lot(fridge, pkg, vials=10, expires_in=200, vendor=vendor, lot_number="B200")
    return soon


@pytest.fixture
def later(expired: Any) -> Any:
    with time_machine.travel(inv.noon(expired, expired.expires_on + dt.timedelta(days=2))):
        yield


@pytest.mark.usefixtures("later")
class TestConfirmation:
    def test_the_page_lists_the_lots_vials_and_value_and_writes_nothing(
        self, pharmacist_client: Any, expired: Any
    ) -> None:
        page = pharmacist_client.get(reverse("inventory:expired_remove")).content.decode()
        assert "A100" in page and "B200" not in page
        assert "$1,320.00" in page  # 4 vials x $330
        assert "Remove 4 vials from stock" in page
        assert not Movement.objects.filter(kind="expire").exists()

    def test_confirming_takes_the_listed_vials_off(
        self, pharmacist_client: Any, expired: Any
    ) -> None:
        response = pharmacist_client.post(
            reverse("inventory:expired_remove"), {"lot": [f"{expired.public_id}:4"]}
        )
        assert response.status_code == 302
        expired.refresh_from_db()
        assert expired.on_hand == 0
        assert Movement.objects.get(kind="expire").vials == -4

    def test_a_lot_that_changed_since_it_was_shown_refuses_the_whole_removal(
        self, pharmacist_client: Any, expired: Any
    ) -> None:
        pharmacist_client.post(
            reverse("inventory:expired_remove"), {"lot": [f"{expired.public_id}:3"]}
        )
        expired.refresh_from_db()
        assert expired.on_hand == 4
        assert not Movement.objects.filter(kind="expire").exists()

    def test_a_post_without_the_list_removes_nothing(
        self, pharmacist_client: Any, expired: Any
    ) -> None:
        response = pharmacist_client.post(reverse("inventory:expired_remove"), {})
        assert response.status_code == 200
        assert not Movement.objects.filter(kind="expire").exists()

    def test_one_lot_is_confirmed_from_its_own_page(
        self, pharmacist_client: Any, expired: Any
    ) -> None:
        url = reverse("inventory:lot_expire", args=[expired.public_id])
        assert "Remove 4 vials" in pharmacist_client.get(url).content.decode()
        assert not Movement.objects.filter(kind="expire").exists()
        pharmacist_client.post(url, {"lot": [f"{expired.public_id}:4"]})
        assert Movement.objects.get(kind="expire").lot == expired


def test_an_unexpired_lot_is_not_offered(pharmacist_client: Any, expired: Any) -> None:
    url = reverse("inventory:lot_expire", args=[expired.public_id])
    assert "is not expired" in pharmacist_client.get(url).content.decode()
    pharmacist_client.post(url, {"lot": [f"{expired.public_id}:4"]})
    assert not Movement.objects.filter(kind="expire").exists()


def test_the_service_refuses_an_empty_list(db: Any) -> None:
    with pytest.raises(ValidationError, match="No expired lots"):
        services.stock_expire_lots(lots=[], user=someone())
