"""Issue 11.5: TOTP two-factor (required for administrators, billers and management-company
staff), recovery codes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chairside.audit.models import AuditEvent
from chairside.tenancy.models import Organization
from tests import factories as f

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _password_step(username: str) -> tuple[Client, Any]:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": f.TEST_PASSWORD})
    assert response.status_code == 302
    return client, response


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


class TestRequiredRolesMustEnrol:
    def test_an_administrator_without_two_factor_is_sent_to_set_it_up(self, org: Any) -> None:
        f.make_user(org, "admin", username="ada", two_factor=False)
        client, response = _password_step("ada")
        assert response["Location"].startswith(reverse("accounts:two_factor_enrol"))
        for url in (reverse("today"), reverse("patients:list"), reverse("tenancy:settings")):
            blocked = client.get(url)
            assert blocked.status_code == 302
            assert blocked["Location"].startswith(reverse("accounts:two_factor_enrol"))
        assert client.get("/api/v1/patients").status_code == 403
        assert client.get("/django-admin/").status_code == 302
        assert not AuditEvent.objects.filter(action="login").exists()

    def test_billers_and_management_company_staff_must_enrol_too(self, org: Any) -> None:
        manager_org = f.make_org("Summit", kind=Organization.Kind.MANAGEMENT_COMPANY)
        f.make_user(org, "biller", username="bill", two_factor=False)
        f.make_user(manager_org, "coordinator", username="mona", two_factor=False)
        for name in ("bill", "mona"):
            _, response = _password_step(name)
            assert response["Location"].startswith(reverse("accounts:two_factor_enrol"))

    def test_a_nurse_logs_in_with_a_password_only(self, org: Any) -> None:
        f.make_user(org, "nurse", username="nina")
        client, response = _password_step("nina")
        assert response["Location"] == reverse("today")
        assert client.get(reverse("today")).status_code == 200

    def test_enrolment_shows_a_qr_code_then_recovery_codes_once(self, org: Any) -> None:
        user = f.make_user(org, "admin", username="ada", two_factor=False)
        with time_machine.travel(START, tick=False):
            client, _ = _password_step("ada")
            page = client.get(reverse("accounts:two_factor_enrol"))
            assert b"<svg" in page.content
            device = TOTPDevice.objects.get(user=user, confirmed=False)
            wrong = client.post(reverse("accounts:two_factor_enrol"), {"code": "000000"})
            assert wrong.status_code == 400
            device.refresh_from_db()
            assert not device.confirmed and not StaticToken.objects.exists()
            done = client.post(reverse("accounts:two_factor_enrol"), {"code": _code(device)})
            assert done.status_code == 200
            assert client.get(reverse("today")).status_code == 200
            account = client.get(reverse("accounts:home")).content.decode()
        codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
        assert len(codes) == 10
        assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)
        device.refresh_from_db()
        assert device.confirmed
        assert not any(code in account for code in codes)
        assert AuditEvent.objects.filter(action="login", username="ada").count() == 1
        assert AuditEvent.objects.filter(reason="two-factor authentication set up").exists()

    def test_a_password_alone_cannot_replace_an_existing_authenticator(self, org: Any) -> None:
        f.make_user(org, "admin", username="ada")
        client, _ = _password_step("ada")
        response = client.get(reverse("accounts:two_factor_enrol"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
        assert TOTPDevice.objects.filter(user__username="ada").count() == 1


class TestVerify:
    def test_the_code_completes_the_log_in(self, org: Any) -> None:
        f.make_user(org, "admin", username="ada")
        client, response = _password_step("ada")
        assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
        assert client.get(reverse("patients:list")).status_code == 302
        done = client.post(reverse("accounts:two_factor_verify"), {"code": f.totp_code()})
        assert done.status_code == 302
        assert client.get(reverse("patients:list")).status_code == 200
        assert AuditEvent.objects.get(action="login").changes == {
            "method": "password + authenticator app"
        }

    def test_a_wrong_code_is_refused_and_audited(self, org: Any) -> None:
        f.make_user(org, "admin", username="ada")
        client, _ = _password_step("ada")
        response = client.post(reverse("accounts:two_factor_verify"), {"code": "123456"})
        assert response.status_code == 400
        assert b"not right" in response.content
        assert client.get(reverse("today")).status_code == 302
        failed = AuditEvent.objects.get(action="login_failed")
        assert failed.changes == {"step": "two-factor code"}

    def test_a_recovery_code_works_once(self, org: Any) -> None:
        user = f.make_user(org, "admin", username="ada")
        client, _ = _password_step("ada")
        client.post(reverse("accounts:two_factor_verify"), {"code": f.totp_code()})
        page = client.post(reverse("accounts:recovery_codes"))
        code = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())[0]
        first, _ = _password_step("ada")
        assert first.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 302
        again, _ = _password_step("ada")
        assert again.post(reverse("accounts:two_factor_verify"), {"code": code}).status_code == 400
        assert StaticToken.objects.filter(device__user=user).count() == 9

    def test_wrong_codes_count_towards_the_lock(self, org: Any, settings: Any) -> None:
        settings.LOGIN_MAX_FAILURES = 3
        f.make_user(org, "admin", username="ada")
        client, _ = _password_step("ada")
        for _ in range(2):
            client.post(reverse("accounts:two_factor_verify"), {"code": "111111"})
        last = client.post(reverse("accounts:two_factor_verify"), {"code": "111111"})
        assert last.status_code == 302
        assert "ended=locked" in last["Location"]
        assert "_auth_user_id" not in client.session


class TestOptionalTwoFactor:
    def test_a_nurse_may_turn_it_on_and_off(self, org: Any) -> None:
        user = f.make_user(org, "nurse", username="nina")
        client, _ = _password_step("nina")
        client.get(reverse("accounts:two_factor_enrol"))
        device = TOTPDevice.objects.get(user=user)
        client.post(reverse("accounts:two_factor_enrol"), {"code": _code(device)})
        _, response = _password_step("nina")
        assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
        assert client.post(reverse("accounts:two_factor_off")).status_code == 302
        assert not TOTPDevice.objects.filter(user=user).exists()

    def test_an_administrator_cannot_turn_it_off(self, admin_client: Any, admin_user: Any) -> None:
        admin_client.post(reverse("accounts:two_factor_off"))
        assert TOTPDevice.objects.filter(user=admin_user).exists()
