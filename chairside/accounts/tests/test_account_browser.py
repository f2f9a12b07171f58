"""The log-in flows staff walk, in Chromium: setting up two-factor, the code at log-in,
a forced password change, and the idle warning. Screenshots at 1366×900 and 1024×768."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from chairside.accounts.models import AccountSecurity
from chairside.audit.models import AuditEvent
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ((1366, 900), (1024, 768))


def _shots(page: Any, shot: Any, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})


def _password(page: Any, live_server: Any, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button:has-text('Log in')")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_an_administrator_sets_up_two_factor_then_logs_in_with_a_code(
    page: Any, live_server: Any, shot: Any
) -> None:
    org = f.make_org("Riverside Browser Test")
    f.make_location(org, chairs=2)
    user = f.make_user(org, "admin", username="ada", two_factor=False)
    page.set_viewport_size({"width": 1366, "height": 900})
    _password(page, live_server, "ada", f.TEST_PASSWORD)
    assert "/account/two-factor/set-up/" in page.url
    expect(page.locator(".qr svg")).to_be_visible()
    assert page.locator("nav.mainnav").count() == 0  # nothing else until it is set up
    _shots(page, shot, "account-01-two-factor-set-up")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.fill("#id_code", f"{totp(device.bin_key):06d}")
    page.click("main button:has-text('Turn on two-factor')")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    codes = page.locator(".recovery-codes code").all_inner_texts()
    _shots(page, shot, "account-02-recovery-codes")
    page.click("text=I have saved them")
    page.wait_for_url(f"{live_server.url}/")
    page.click("header button:has-text('Log out')")
    page.wait_for_url(re.compile(r".*/login/"))

    _password(page, live_server, "ada", f.TEST_PASSWORD)
    assert "/account/two-factor/" in page.url
    _shots(page, shot, "account-03-two-factor-code")
    page.fill("#id_code", "000000")
    page.click("main button:has-text('Verify')")
    expect(page.locator(".field.has-error")).to_contain_text("not right")
    _shots(page, shot, "account-04-two-factor-wrong-code")
    page.wait_for_timeout(2500)  # django-otp pauses a moment after a wrong code
    page.fill("#id_code", codes[0])  # the app's code was just used: a recovery code works
    page.click("main button:has-text('Verify')")
    page.wait_for_url(f"{live_server.url}/")
    page.click("header a.account")
    expect(page.locator("h1")).to_contain_text("Your account")
    _shots(page, shot, "account-05-account-page")


def test_a_nurse_with_a_temporary_password_must_choose_her_own(
    page: Any, live_server: Any, shot: Any
) -> None:
    org = f.make_org("Riverside Browser Test")
    nurse = f.make_user(org, "nurse", username="nina")
    AccountSecurity.objects.create(user=nurse, must_change_password=True)
    _password(page, live_server, "nina", f.TEST_PASSWORD)
    assert "/account/password/" in page.url
    page.fill("#id_old_password", f.TEST_PASSWORD)
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    page.click("main button:has-text('Change password')")
    expect(page.locator(".field.has-error").first).to_be_visible()
    _shots(page, shot, "account-06-forced-password-change")
    page.fill("#id_old_password", f.TEST_PASSWORD)
    page.fill("#id_new_password1", "a-long-new-password-7")
    page.fill("#id_new_password2", "a-long-new-password-7")
    page.click("main button:has-text('Change password')")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".messages")).to_contain_text("Your password is changed")


def test_the_idle_warning_counts_down_and_logs_off(
    page: Any, live_server: Any, shot: Any, settings: Any
) -> None:
    settings.SESSION_IDLE_SECONDS = 64
    settings.SESSION_IDLE_WARNING_SECONDS = 60
    org = f.make_org("Riverside Browser Test")
    f.make_user(org, "nurse", username="nina")
    _password(page, live_server, "nina", f.TEST_PASSWORD)
    dialog = page.locator("#idle-warning")
    expect(dialog).to_be_visible(timeout=20000)
    expect(dialog).to_contain_text("You will be logged off in")
    _shots(page, shot, "account-07-idle-warning")
    page.click("#idle-stay")
    expect(dialog).to_be_hidden()
    # Untouched, the warning comes back and the session ends.
    expect(dialog).to_be_visible(timeout=20000)
    page.wait_for_url(re.compile(r".*/login/\?.*ended=idle"), timeout=90000)
    expect(page.locator(".login")).to_contain_text("without activity")
    _shots(page, shot, "account-08-logged-off")
    assert AuditEvent.objects.filter(action="logout", reason__contains="automatic").exists()
