"""Issue 11.5: passwords of at least 12 characters, a password change for everyone, and an
administrator's reset to a temporary password that must be changed at next log-in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from chairside.accounts.models import AccountSecurity
from chairside.audit.models import AuditEvent
from chairside.tenancy.forms import MembershipForm
from chairside.tenancy.models import Membership
from tests import factories as f

NEW = "a-long-new-password-7"


def _log_in(username: str, password: str = f.TEST_PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302
    return client


class TestPasswordRules:
    def test_eleven_characters_are_too_few_for_a_new_log_in(self, admin_client: Any) -> None:
        data = {"username": "newbie", "role": "nurse", "password": "elevenchars"}
        response = admin_client.post(reverse("tenancy:membership_grant"), data)
        assert response.status_code == 400
        assert b"at least 12 characters" in response.content
        assert not Membership.objects.filter(user__username="newbie").exists()

    def test_the_help_text_says_twelve(self) -> None:
        assert "at least 12 characters" in str(MembershipForm().fields["password"].help_text)

    def test_a_new_log_in_must_change_its_temporary_password(self, admin_client: Any) -> None:
        data = {"username": "newbie", "role": "nurse", "password": "temporary-pass-12"}
        assert admin_client.post(reverse("tenancy:membership_grant"), data).status_code == 302
        client = Client()
        response = client.post(
            reverse("login"), {"username": "newbie", "password": "temporary-pass-12"}
        )
        assert response["Location"].startswith(reverse("accounts:password_change"))


class TestPasswordChange:
    def test_a_nurse_changes_her_password_and_it_is_audited(self, org: Any) -> None:
        f.make_user(org, "nurse", username="nina")
        client = _log_in("nina")
        short = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": f.TEST_PASSWORD,
                "new_password1": "short-pw",
                "new_password2": "short-pw",
            },
        )
        assert short.status_code == 400
        assert authenticate(username="nina", password=f.TEST_PASSWORD) is not None
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": f.TEST_PASSWORD, "new_password1": NEW, "new_password2": NEW},
        )
        assert response.status_code == 302
        assert authenticate(username="nina", password=NEW) is not None
        assert client.get(reverse("today")).status_code == 200  # still logged in
        assert AuditEvent.objects.filter(reason="password changed", username="nina").exists()

    def test_the_current_password_is_required(self, org: Any) -> None:
        f.make_user(org, "nurse", username="nina")
        client = _log_in("nina")
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": "not-my-password", "new_password1": NEW, "new_password2": NEW},
        )
        assert response.status_code == 400
        assert authenticate(username="nina", password=NEW) is None


class TestAdministratorReset:
    def test_the_user_must_change_the_temporary_password_at_next_log_in(
        self, admin_client: Any, org: Any
    ) -> None:
        nurse = f.make_user(org, "nurse", username="nina")
        other_session = _log_in("nina")
        membership = nurse.memberships.get()
        url = reverse("tenancy:password_reset", args=[membership.public_id])
        data = {
            "temporary_password": "temporary-pass-12",
            "temporary_password_again": "temporary-pass-12",
        }
        assert admin_client.post(url, data).status_code == 302
        event = AuditEvent.objects.get(reason__contains="reset by an administrator")
        assert event.organization == org
        # Her open session ends (the password changed), and the temporary one must be replaced.
        assert other_session.get(reverse("today")).status_code == 302
        client = _log_in("nina", "temporary-pass-12")
        blocked = client.get(reverse("patients:list"))
        assert blocked["Location"].startswith(reverse("accounts:password_change"))
        changed = client.post(
            reverse("accounts:password_change"),
            {"old_password": "temporary-pass-12", "new_password1": NEW, "new_password2": NEW},
        )
        assert changed.status_code == 302
        assert client.get(reverse("patients:list")).status_code == 200
        assert not AccountSecurity.objects.get(user=nurse).must_change_password

    def test_it_can_remove_a_lost_authenticator(self, admin_client: Any, org: Any) -> None:
        biller = f.make_user(org, "biller", username="bill")
        url = reverse("tenancy:password_reset", args=[biller.memberships.get().public_id])
        data = {
            "temporary_password": "temporary-pass-12",
            "temporary_password_again": "temporary-pass-12",
            "reset_two_factor": "on",
        }
        assert admin_client.post(url, data).status_code == 302
        assert not TOTPDevice.objects.filter(user=biller).exists()
        client = Client()
        response = client.post(
            reverse("login"), {"username": "bill", "password": "temporary-pass-12"}
        )
        assert response["Location"].startswith(reverse("accounts:two_factor_enrol"))

    def test_it_is_refused_for_someone_who_also_works_elsewhere(
        self, admin_client: Any, org: Any, other_org: Any
    ) -> None:
        nurse = f.make_user(other_org, "nurse", username="nina")
        membership = Membership.objects.create(user=nurse, organization=org, role="nurse")
        before = nurse.password
        url = reverse("tenancy:password_reset", args=[membership.public_id])
        data = {
            "temporary_password": "temporary-pass-12",
            "temporary_password_again": "temporary-pass-12",
        }
        response = admin_client.post(url, data)
        assert response.status_code == 400
        assert b"also works in another organization" in response.content
        nurse.refresh_from_db()
        assert nurse.password == before

    def test_another_organizations_member_is_not_found(
        self, admin_client: Any, other_org: Any
    ) -> None:
        nurse = f.make_user(other_org, "nurse", username="nina")
        url = reverse("tenancy:password_reset", args=[nurse.memberships.get().public_id])
        data = {
            "temporary_password": "temporary-pass-12",
            "temporary_password_again": "temporary-pass-12",
        }
        assert admin_client.post(url, data).status_code == 404
        assert authenticate(username="nina", password=f.TEST_PASSWORD) is not None
        assert authenticate(username="nina", password="temporary-pass-12") is None

    def test_a_coordinator_cannot_reset_passwords(self, coordinator_client: Any, org: Any) -> None:
        nurse = f.make_user(org, "nurse", username="nina")
        url = reverse("tenancy:password_reset", args=[nurse.memberships.get().public_id])
        data = {
            "temporary_password": "temporary-pass-12",
            "temporary_password_again": "temporary-pass-12",
        }
        assert coordinator_client.post(url, data).status_code == 403
        assert authenticate(username="nina", password=f.TEST_PASSWORD) is not None
        assert authenticate(username="nina", password="temporary-pass-12") is None
