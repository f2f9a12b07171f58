"""Issue 21 item 8 in the browser: the order form offers the premedication set and the
anaphylaxis protocol (pre-selected on a new order); at the chair the nurse gives the
ordered premedication with one click (drawn from stock) and the protocol's epinephrine
from the reaction card (floor stock), both billed. Screenshots:
test-output/screenshots/order-sets-*.png."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from chairside.access.referrals.models import TreatmentOrder
from chairside.formulary.models import Drug
from chairside.treatments.models import Administration
from chairside.treatments.tests import factories as tf
from chairside.treatments.tests.test_order_items import premed
from chairside.treatments.tests.test_visit_browser import (  # noqa: F401 (fixtures)
    center,
    check_in,
    clock,
    do_administration,
    do_checks,
    do_preparation,
    saved,
    tablet,
)
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_order_form_offers_the_sets(
    browser: Any,
    live_server: Any,
    shot: Any,
    center: dict[str, Any],  # noqa: F811 (the fixture imported above)
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, live_server, "front.desk", f.TEST_PASSWORD)
    url = reverse("referrals:order_create", args=[center["patient"].public_id])
    page.goto(f"{live_server.url}{url}")
    chosen = page.get_by_label("Premedication set")
    expect(chosen).to_have_value("auto")
    expect(page.get_by_label("Include the hypersensitivity (anaphylaxis) protocol")).to_be_checked()
    chosen.scroll_into_view_if_needed()
    shot(page, "order-sets-order-form-1366")
    page.set_viewport_size({"width": 1024, "height": 768})
    shot(page, "order-sets-order-form-1024")
    order = TreatmentOrder.objects.get()
    order.premedication_set, order.hypersensitivity_protocol = "infliximab-optional", True
    order.save(update_fields=["premedication_set", "hypersensitivity_protocol"])
    page.goto(f"{live_server.url}{reverse('referrals:order', args=[order.public_id])}")
    expect(page.locator("body")).to_contain_text("Diphenhydramine 25 mg IV push")
    expect(page.locator("body")).to_contain_text("Epinephrine 1 mg/mL 0.3 mg IM")
    shot(page, "order-sets-order-detail-1024")
    context.close()


def test_ordered_premedications_and_protocol_drugs_are_given_with_one_click(
    tablet: Any,  # noqa: F811
    live_server: Any,
    shot: Any,
    center: dict[str, Any],  # noqa: F811
) -> None:
    org = center["org"]
    for key in ("diphenhydramine-inj", "epinephrine-inj", "methylprednisolone-inj"):
        premed(org, key)
    location = center["lot"].storage_place.location
    tf.make_lot(location, Drug.objects.get(organization=org, key="diphenhydramine-inj"))
    TreatmentOrder.objects.update(
        premedication_set="infliximab-optional", hypersensitivity_protocol=True
    )
    page = tablet
    log_in(page, live_server, "nurse.blake", f.TEST_PASSWORD)
    check_in(page, live_server, shot)
    do_checks(page, shot)
    expect(page.locator("body")).to_contain_text("Give them with one click each")
    shot(page, "order-sets-checks-1024")
    do_preparation(page, shot)
    page.get_by_role("link", name="Next: administration →").click()

    card = page.locator("#premedications")
    item = card.locator("li", has_text="Diphenhydramine 25 mg IV push")
    item.locator("[name=given_at]").fill("09:50")
    item.get_by_role("button", name="Give").click()
    saved(page, "Given and recorded")
    expect(page.locator("#premedications")).to_contain_text("drawn from stock")
    shot(page, "order-sets-premed-given-1024")
    given = Administration.objects.get(order_item="premed:diphenhydramine-iv")
    assert (given.dose_given_mg, given.dispensed_from_stock) == (Decimal(25), True)

    page.get_by_role("link", name="← Preparation").click()
    do_administration(page, shot)
    page.locator("#reaction summary").click()
    protocol = page.locator("#protocol")
    expect(protocol).to_contain_text("Epinephrine IM first")
    epi = protocol.locator("li.order-item", has_text="Epinephrine 1 mg/mL 0.3 mg IM")
    epi.locator("[name=given_at]").fill("12:12")
    epi.get_by_role("button", name="Give").click()
    saved(page, "Given and recorded")
    page.locator("#reaction summary").click()
    expect(page.locator("#protocol")).to_contain_text("floor stock")
    shot(page, "order-sets-protocol-1024")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "order-sets-protocol-1366")
    epinephrine = Administration.objects.get(order_item="protocol:epinephrine-im")
    assert (epinephrine.method, epinephrine.dose_given_mg) == ("intramuscular", Decimal("0.3"))
