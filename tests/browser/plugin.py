"""Browser-test fixtures (a pytest plugin loaded by the root conftest, so that one Chromium
serves every browser test in the run): Playwright driving Debian's Chromium against
pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told that this (test-only) use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15000)
    # Every page runs under the production Content-Security-Policy: anything it refuses
    # (an inline script or handler, an eval, a CDN) is reported here and fails the test.
    refused: list[str] = []
    tab.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield tab
    context.close()
    assert not refused, f"The Content-Security-Policy refused: {refused}"


@pytest.fixture
def shot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(
    page: Any, live_server: Any, username: str, password: str, totp_key: str | None = None
) -> None:
    """Log in through the page; when the second-factor step comes, type the current code of
    ``totp_key`` (by default the test users' key, ``tests.factories.TEST_TOTP_KEY``),
    computed with django-otp's own TOTP."""
    from tests.factories import TEST_TOTP_KEY, totp_code

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/account/two-factor/" in page.url and "set-up" not in page.url:
        page.fill("#id_code", totp_code(totp_key or TEST_TOTP_KEY))
        page.click("main button:has-text('Verify')")
    page.wait_for_url(f"{live_server.url}/")
