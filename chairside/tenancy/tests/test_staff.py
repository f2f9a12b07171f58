from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from chairside.demo.foundation import demo_npi
from chairside.tenancy.models import Competency, StaffMember
from chairside.tenancy.selectors import credential_flags

NURSE = {
    "first_name": "Jordan",
    "last_name": "Blake",
    "credential": "RN",
    "license_state": "PA",
    "license_number": "RN123",
    "license_expires": "2027-06-30",
    "is_active": "on",
}


class TestStaffSave:
    def test_it_adds_a_nurse(self, admin_client: Any, org: Any) -> None:
        assert admin_client.post(reverse("tenancy:staff_create"), NURSE).status_code == 302
        assert StaffMember.objects.get(organization=org).credential == "RN"

    def test_it_refuses_an_npi_with_a_wrong_check_digit(self, admin_client: Any, org: Any) -> None:
        response = admin_client.post(
            reverse("tenancy:staff_create"), {**NURSE, "npi": "1234567890"}
        )
        assert response.status_code == 400
        assert b"not a valid NPI" in response.content
        assert not StaffMember.objects.exists()

    def test_it_requires_an_npi_for_a_physician(self, admin_client: Any) -> None:
        response = admin_client.post(reverse("tenancy:staff_create"), {**NURSE, "credential": "MD"})
        assert response.status_code == 400
        assert b"need an NPI" in response.content
        assert not StaffMember.objects.filter(credential="MD").exists()
        ok = admin_client.post(
            reverse("tenancy:staff_create"), {**NURSE, "credential": "MD", "npi": demo_npi(5)}
        )
        assert ok.status_code == 302

    def test_it_requires_a_licence_for_a_licensed_credential(self, admin_client: Any) -> None:
        response = admin_client.post(
            reverse("tenancy:staff_create"), {**NURSE, "license_number": ""}
        )
        assert response.status_code == 400
        assert not StaffMember.objects.exists()

    def test_it_records_a_competency(self, admin_client: Any, org: Any) -> None:
        staff = StaffMember.objects.create(organization=org, first_name="A", last_name="B")
        url = reverse("tenancy:staff_edit", args=[staff.public_id])
        data = {
            "first_name": "A",
            "last_name": "B",
            "is_active": "on",
            "c-skill": "piv_insertion",
            "c-verified_on": "2026-01-10",
            "c-expires_on": "2027-01-10",
        }
        assert admin_client.post(url, data).status_code == 302
        assert Competency.objects.get(staff=staff).expires_on == dt.date(2027, 1, 10)


class TestCredentialFlags:
    def test_it_flags_expired_and_soon_expiring_items_only(self, org: Any) -> None:
        today = dt.date(2026, 11, 23)
        staff = StaffMember.objects.create(
            organization=org,
            first_name="A",
            last_name="B",
            license_state="PA",
            license_expires=today + dt.timedelta(days=59),
        )
        Competency.objects.create(staff=staff, skill="bls", expires_on=today - dt.timedelta(days=1))
        Competency.objects.create(
            staff=staff, skill="acls", expires_on=today + dt.timedelta(days=61)
        )
        flags = credential_flags(staff, today)
        assert [(f.what, f.expired) for f in flags] == [
            ("PA licence", False),
            ("Basic life support (BLS)", True),
        ]

    def test_the_staff_page_shows_the_flags(self, admin_client: Any, org: Any) -> None:
        StaffMember.objects.create(
            organization=org,
            first_name="Exp",
            last_name="Ired",
            license_state="PA",
            license_expires=timezone.localdate() - dt.timedelta(days=3),
        )
        html = admin_client.get(reverse("tenancy:staff")).content.decode()
        assert "PA licence expired" in html


class TestMembershipGrant:
    def test_it_creates_a_log_in_with_a_role(self, admin_client: Any, org: Any) -> None:
        from django.contrib.auth import authenticate

        data = {"username": "New.Nurse", "role": "nurse", "password": "infusion-chair-42"}
        assert admin_client.post(reverse("tenancy:membership_grant"), data).status_code == 302
        user = authenticate(username="new.nurse", password="infusion-chair-42")
        assert user is not None
        assert user.memberships.get(organization=org).role == "nurse"

    def test_it_refuses_a_weak_temporary_password(self, admin_client: Any) -> None:
        data = {"username": "weak", "role": "nurse", "password": "123"}
        response = admin_client.post(reverse("tenancy:membership_grant"), data)
        assert response.status_code == 400
        assert b"too short" in response.content
        assert not get_user_model().objects.filter(username="weak").exists()

    def test_a_coordinator_cannot_grant_roles(self, coordinator_client: Any) -> None:
        data = {"username": "sneaky", "role": "admin", "password": "infusion-chair-42"}
        assert coordinator_client.post(reverse("tenancy:membership_grant"), data).status_code == 403
        assert not get_user_model().objects.filter(username="sneaky").exists()
