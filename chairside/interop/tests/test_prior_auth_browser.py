"""Issue 19: a coordinator prepares the X12 278, reads the payer's response and confirms
the approval it proposes — in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.interop.models import PriorAuthExchange
from chairside.interop.tests.test_prior_auth_278 import CERTIFIED, answer, scene
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": (1366, 900), "1024": (1024, 768)}


def shots(page: Any, shot: Any, name: str) -> None:
    for size, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        shot(page, f"{name}-{size}")


def test_prepare_read_and_confirm_a_278(page: Any, live_server: Any, shot: Any) -> None:
    org = f.make_org("Prior Auth 278 Browser Test")
    s = scene(org)
    f.make_user(org, "coordinator", username="hannah")
    log_in(page, live_server, "hannah", f.TEST_PASSWORD)

    page.goto(f"{live_server.url}/access/authorizations/{s.auth.public_id}/")
    card = page.locator("#electronic-pa")
    card.get_by_role("link", name="Prepare X12 278").click()
    expect(page.locator("h1")).to_have_text("Prepare the X12 278 request")
    page.fill("input[name=units]", "40")
    page.fill("input[name=visits]", "5")
    page.get_by_role("button", name="Prepare the 278").click()
    expect(page.locator(".messages")).to_contain_text("prepared: download it below")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").first.click()
    assert download.value.suggested_filename.startswith("278-PA")
    shots(page, shot, "prior-auth-278-prepared")

    exchange = PriorAuthExchange.objects.get()
    assert "SV1*HC:" in exchange.content
    page.get_by_role("link", name="Read 278 response").click()
    page.fill("textarea[name=text]", "this is not an X12 file")
    page.get_by_role("button", name="Read the response").click()
    expect(page.locator(".alert.bad")).to_contain_text("does not start with an ISA segment")
    page.fill("textarea[name=text]", answer(s, CERTIFIED))
    page.get_by_role("button", name="Read the response").click()
    expect(page.locator("#payer-answer")).to_contain_text("Certified in total")
    expect(page.locator("#proposed-change")).to_contain_text("AUTH-778899")
    expect(page.locator("#proposed-change")).to_contain_text("Submitted")
    shots(page, shot, "prior-auth-278-confirm")
    s.auth.refresh_from_db()
    assert s.auth.status == "to_submit"  # nothing changed before the confirmation

    page.get_by_role("button", name="Confirm and record").click()
    expect(page.locator(".badge-lg")).to_have_text("Approved")
    expect(page.locator(".banner-facts")).to_contain_text("AUTH-778899")
    shots(page, shot, "prior-auth-278-approved")
    s.auth.refresh_from_db()
    assert s.auth.status == "approved" and s.auth.decided_on == timezone.localdate()
