"""The role matrix as the README states it, and that views enforce it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from chairside.tenancy.roles import MATRIX, Perm, Role, has_perm
from tests import factories as f


class TestRoleMatrix:
    def test_it_gives_the_administrator_everything(self) -> None:
        assert MATRIX[Role.ADMIN] == frozenset(Perm)

    def test_it_keeps_the_auditor_read_only(self) -> None:
        writes = {p for p in Perm if p.value.endswith((".edit", ".sign", ".auth_override"))}
        assert not MATRIX[Role.AUDITOR] & writes
        assert Perm.AUDIT_VIEW in MATRIX[Role.AUDITOR]

    @pytest.mark.parametrize(
        ("role", "perm", "allowed"),
        [
            ("coordinator", Perm.ACCESS_EDIT, True),
            ("coordinator", Perm.BILLING_EDIT, False),
            ("nurse", Perm.CLINICAL_EDIT, True),
            ("nurse", Perm.PATIENT_EDIT, False),
            ("nurse", Perm.SCHEDULE_EDIT, False),
            ("pharmacist", Perm.INVENTORY_EDIT, True),
            ("pharmacist", Perm.CLINICAL_EDIT, False),
            ("biller", Perm.BILLING_EDIT, True),
            ("biller", Perm.AUDIT_VIEW, False),
            ("provider", Perm.ORDER_SIGN, True),
            ("provider", Perm.INVENTORY_EDIT, False),
            ("auditor", Perm.PATIENT_EDIT, False),
        ],
    )
    def test_it_grants_what_the_readme_says(self, role: str, perm: Perm, allowed: bool) -> None:
        assert has_perm(role, perm) is allowed

    def test_it_grants_nothing_to_an_unknown_role(self) -> None:
        assert not has_perm("janitor", Perm.PATIENT_VIEW)
        assert not has_perm(None, Perm.PATIENT_VIEW)


class TestRoleEnforcement:
    @pytest.mark.parametrize(
        ("role", "url_name", "status"),
        [
            ("nurse", "patients:create", 403),
            ("biller", "patients:create", 403),
            ("auditor", "patients:create", 403),
            ("coordinator", "patients:create", 200),
            ("nurse", "tenancy:location_create", 403),
            ("coordinator", "tenancy:location_create", 403),
            ("admin", "tenancy:location_create", 200),
            ("coordinator", "tenancy:audit", 403),
            ("auditor", "tenancy:audit", 200),
            ("nurse", "tenancy:staff", 200),
            ("nurse", "tenancy:staff_create", 403),
        ],
    )
    def test_it_answers_each_role_as_the_matrix_says(
        self, org: Any, role: str, url_name: str, status: int
    ) -> None:
        client = f.login(f.make_user(org, role))
        assert client.get(reverse(url_name)).status_code == status

    def test_it_sends_anonymous_users_to_log_in(self, db: Any) -> None:
        from django.test import Client

        response = Client().get(reverse("patients:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_refuses_a_user_without_membership(self, db: Any) -> None:
        from django.contrib.auth import get_user_model

        loner = get_user_model().objects.create_user("loner", password="pw-x-12345")
        client = f.login(loner)
        assert client.get(reverse("patients:list")).status_code == 403
        assert client.get(reverse("today")).status_code == 403

    def test_it_shows_only_the_navigation_the_role_may_use(self, org: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        html = nurse.get(reverse("today")).content.decode()
        assert 'href="/patients/"' in html
        biller = f.login(f.make_user(org, "biller"))
        admin = f.login(f.make_user(org, "admin"))
        assert 'href="/admin/settings/"' in admin.get(reverse("today")).content.decode()
        assert biller.get(reverse("today")).status_code == 200


class TestReadmeMatrix:
    def test_the_readme_shows_the_matrix_the_code_enforces(self) -> None:
        from pathlib import Path

        from chairside.tenancy.roles import markdown_matrix

        readme = Path(__file__).resolve().parents[3] / "README.md"
        assert markdown_matrix() in readme.read_text(encoding="utf-8")
