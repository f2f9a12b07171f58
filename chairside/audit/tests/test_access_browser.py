"""The "Who looked at this chart" page in Chromium, at the two widths nurses' and
coordinators' screens use (screenshots in test-output/)."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.browser.plugin import log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_administrator_reads_who_looked_at_a_chart(
    live_server: Any, page: Any, shot: Any
) -> None:
    org = f.make_org("Browser Audit Practice")
    f.make_location(org)
    patient = f.make_patient(org, first_name="Grace", last_name="Hopper")
    for role in ("coordinator", "nurse", "biller"):
        f.login(f.make_user(org, role)).get(f"/patients/{patient.public_id}/")
    admin = f.make_user(org, "admin", username="browseradmin")
    log_in(page, live_server, "browseradmin", f.TEST_PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.public_id}/")
    page.click("text=Who looked at this chart")
    page.wait_for_url(f"**/patients/{patient.public_id}/access/")
    assert page.locator("h1").inner_text().startswith("Who looked at this chart")
    assert page.locator("tbody tr").count() >= 4  # three members and the administrator
    assert "Biller" in page.locator("tbody").inner_text()
    for width, height in ((1366, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"audit_who_looked_{width}")
    assert admin.username == "browseradmin"
