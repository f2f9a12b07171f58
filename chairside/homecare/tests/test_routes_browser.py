"""In Chromium: a coordinator proposes the day's routes, reads them, accepts; then records
a delivery with a signature drawn on the canvas (static JS, under the strict CSP)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from chairside.homecare.models import DeliveryTicket, HomeVisit, RoutePlan
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_proposes_then_accepts_the_days_routes(
    live_server: Any, page: Any, shot: Any, org: Any, day: Any
) -> None:
    f.make_user(org, "coordinator", username="hannah")
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, "hannah", f.TEST_PASSWORD)
    page.goto(
        f"{live_server.url}/homecare/?location={day.location.public_id}&date={day.date.isoformat()}"
    )
    expect(page.locator("#route-plan")).to_have_count(0)
    page.click("#propose-routes")
    expect(page.locator("#route-plan")).to_contain_text("Proposed routes")
    expect(page.locator("#route-plan")).to_contain_text("0 not placed")
    expect(page.locator("#route-plan svg circle")).to_have_count(6)
    assert not HomeVisit.objects.filter(nurse__isnull=False).exists()  # nothing applied yet
    shot(page, "homecare-proposed")
    page.click("#accept-routes")
    expect(page.locator("#route-plan")).to_contain_text("Accepted routes")
    assert RoutePlan.objects.get().status == RoutePlan.Status.ACCEPTED
    assert not HomeVisit.objects.filter(nurse__isnull=True).exists()
    assert not DeliveryTicket.objects.filter(assigned_to__isnull=True).exists()


def test_a_signature_drawn_on_the_screen_is_kept(
    live_server: Any, page: Any, shot: Any, org: Any, day: Any
) -> None:
    f.make_user(org, "coordinator", username="hannah")
    ticket = day.deliveries[0]
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, live_server, "hannah", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/homecare/deliveries/{ticket.public_id}/")
    page.fill("input[name=received_by]", "Sam Lee (son)")
    box = page.locator("canvas.signature-pad").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 20)
    page.mouse.up()
    shot(page, "homecare-signature")
    page.click("#proof-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Proof of delivery recorded")
    ticket.refresh_from_db()
    assert ticket.status == DeliveryTicket.Status.DELIVERED
    assert ticket.signature_kind == "drawn"
    assert ticket.signature_drawing.startswith("data:image/png;base64,")
    expect(page.locator("img.signature")).to_be_visible()
