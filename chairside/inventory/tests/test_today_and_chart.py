from __future__ import annotations

from typing import Any

from django.urls import reverse

from chairside.inventory import services
from chairside.inventory.tests import factories as inv
from tests import factories as f
from tests.factories import someone


class TestTodayCards:
    def test_it_counts_lots_expiring_within_60_days(
        self, pharmacist_client: Any, fridge: Any, pkg: Any
    ) -> None:
        inv.make_lot(fridge, pkg, vials=2, expires_in=30)
        inv.make_lot(fridge, pkg, vials=2, expires_in=200)
        response = pharmacist_client.get(reverse("today"))
        cards = {c.title: c for c in response.context["cards"]}
        assert cards["Lots expiring within 60 days"].count == 1
        assert "Drugs short for appointments in the next 14 days" in cards

    def test_it_counts_lots_already_expired_on_the_shelf(
        self, pharmacist_client: Any, fridge: Any, pkg: Any
    ) -> None:
        import datetime as dt

        from django.utils import timezone

        from chairside.inventory.models import Lot

        old = inv.make_lot(fridge, pkg, vials=2, expires_in=10)
        inv.make_lot(fridge, pkg, vials=2, expires_in=20)
        # Received in date, expired since (stock cannot be received already expired).
        Lot.objects.filter(pk=old.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=3))
        response = pharmacist_client.get(reverse("today"))
        card = {c.title: c for c in response.context["cards"]}["Lots expiring within 60 days"]
        assert (card.count, card.hint, card.tone) == (2, "1 already expired on the shelf", "bad")

    def test_a_biller_does_not_see_inventory_cards(self, org: Any) -> None:
        biller = f.login(f.make_user(org, "biller"))
        titles = [c.title for c in biller.get(reverse("today")).context["cards"]]
        assert "Lots expiring within 60 days" not in titles


class TestChartSection:
    def test_the_chart_shows_white_bag_stock_and_what_was_dispensed(
        self, admin_client: Any, fridge: Any, pkg: Any, lot: Any, patient: Any
    ) -> None:
        inv.make_lot(fridge, pkg, vials=2, patient=patient, lot_number="WB7")
        services.stock_dispense(lot=lot, vials=3, patient=patient, user=someone(), visit_ref="V-3")
        response = admin_client.get(reverse("patients:chart", args=[patient.public_id]))
        assert b"Drug from inventory" in response.content
        assert b"WB7" in response.content and b"V-3" in response.content

    def test_the_chart_has_no_inventory_section_when_there_is_nothing(
        self, admin_client: Any, patient: Any
    ) -> None:
        response = admin_client.get(reverse("patients:chart", args=[patient.public_id]))
        assert b"Drug from inventory" not in response.content
