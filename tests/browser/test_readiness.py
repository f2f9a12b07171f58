"""A coordinator opens the readiness board: each booked dose is ready, at risk or not ready,
each finding links to where it is cleared, and the table fits a 1024 px tablet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chairside.scheduling import services
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests import factories as sf
from chairside.tenancy.models import Competency
from tests import factories as f
from tests.browser.plugin import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_business_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def test_the_coordinator_sees_what_is_missing_for_each_dose(
    page: Any, live_server: Any, shot: Any
) -> None:
    org = f.make_org("Readiness Browser Test")
    location = f.make_location(org, name="Riverside Main", chairs=4)
    coordinator = f.make_user(org, "coordinator", username="hannah")
    day = next_business_day(timezone.localdate())
    nurse = sf.make_nurse(org)
    sf.make_shift(nurse, location, day=day)
    chairs = list(location.chairs.order_by("sort_order"))
    booked = []
    for n, (first, last) in enumerate((("Grace", "Hopper"), ("Ada", "Lovelace"))):
        patient = f.make_patient(org, first_name=first, last_name=last, weight_kg="70.0")
        order = sf.make_order(
            patient,
            location=location,
            first_dose_on=day,
            signed_on=timezone.localdate(),
            expires_on=timezone.localdate() + dt.timedelta(days=365),
        )
        booked.append(
            services.appointment_book(
                organization=org,
                user=coordinator,
                order=order,
                chair=chairs[n],
                start=sf.at(f"{9 + 2 * n:02d}:00", day),
            ).appointment
        )
    # Lovelace's nurse has let basic life support lapse: that dose cannot be given as is.
    lapsed = sf.make_nurse(org, "Robin", "Hale")
    Competency.objects.filter(staff=lapsed, skill="bls").update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    Appointment.objects.filter(pk=booked[1].pk).update(nurse=lapsed)

    log_in(page, live_server, "hannah", "pw-test-123")
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        # Two business days: the board starts today when today is a weekday, and the doses
        # are booked on the next business day.
        page.goto(f"{live_server.url}/schedule/readiness/?days=2")
        expect(page.locator("h1")).to_contain_text("Ready to treat?")
        card = page.locator("section.card", has_text="2 booked")
        expect(card.locator(".readiness-counts")).to_contain_text("1 at risk")
        expect(card.locator(".readiness-counts")).to_contain_text("1 not ready")
        hopper = card.locator("tr", has_text="Hopper, Grace")
        expect(hopper.locator("td .badge")).to_have_text("At risk")
        lovelace = card.locator("tr", has_text="Lovelace, Ada")
        expect(lovelace.locator("td .badge")).to_have_text("Not ready")
        expect(lovelace.locator(".finding.blocking")).to_contain_text("Robin Hale")
        shot(page, f"readiness-board-{width}")
        # Nothing wider than the window: no sideways scrolling on a tablet.
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"the page scrolls sideways at {width} px: {widths}"

    # The consent finding takes the coordinator to the patient's chart, where it is cleared.
    hopper.locator(".finding", has_text="onsent").locator("a").click()
    expect(page.locator("h1")).to_contain_text("Hopper")
