"""API tokens: made once with the password re-entered, stored as a hash, scoped to their
organization and role, audited, refused with 401 once revoked or expired."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from chairside.api import tokens
from chairside.api.models import ApiToken
from chairside.audit.models import AuditEvent
from chairside.patients.models import Patient
from chairside.tenancy.models import Membership
from tests import factories as f

NEW = {
    "mrn": "TOK-1",
    "first_name": "Ada",
    "last_name": "King",
    "date_of_birth": "1985-12-10",
    "sex": "F",
}


def bearer(text: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def personal(org: Any, user: Any) -> tuple[ApiToken, str]:
    return tokens.token_create_personal(
        organization=org, user=user, name="script", expires_in_days=30, password=f.TEST_PASSWORD
    )


@pytest.mark.django_db
class TestMakingTokens:
    def test_the_token_is_shown_once_and_only_its_hash_is_kept(self, org: Any) -> None:
        user = f.make_user(org, "coordinator")
        token, text = personal(org, user)
        assert text.startswith(f"cs_{token.prefix}_")
        secret = text[12:]  # after "cs_" + 8 prefix characters + "_"
        stored = ApiToken.objects.filter(pk=token.pk).values_list("digest", "prefix").get()
        assert secret not in "".join(stored)
        event = AuditEvent.objects.get(object_id=token.public_id, action="create")
        assert event.user == user and event.changes["kind"] == [None, "personal"]

    def test_a_wrong_password_or_an_admin_service_role_makes_nothing(self, org: Any) -> None:
        user = f.make_user(org, "admin")
        with pytest.raises(ValidationError, match="password"):
            tokens.token_create_personal(
                organization=org, user=user, name="x", expires_in_days=30, password="nope"
            )
        with pytest.raises(ValidationError, match="other than administrator"):
            tokens.token_create_service(
                organization=org,
                user=user,
                name="EHR",
                role="admin",
                expires_in_days=30,
                password=f.TEST_PASSWORD,
            )
        assert not ApiToken.objects.exists()


@pytest.mark.django_db
class TestCallingWithAToken:
    def test_it_reads_only_its_organization_and_the_read_is_audited(
        self, org: Any, patient: Any, foreign_patient: Any
    ) -> None:
        user = f.make_user(org, "nurse")
        _, text = personal(org, user)
        body = bearer(text).get("/api/v1/patients", {"q": ""}).json()
        ids = {row["public_id"] for row in body["results"]}
        assert str(patient.public_id) in ids and str(foreign_patient.public_id) not in ids
        assert bearer(text).get(f"/api/v1/patients/{foreign_patient.public_id}").status_code == 404
        assert AuditEvent.objects.filter(
            action="view", patients__patient_id=patient.public_id, user=user
        ).exists()

    def test_a_service_token_writes_without_csrf_within_its_role(self, org: Any) -> None:
        admin = f.make_user(org, "admin")
        token, text = tokens.token_create_service(
            organization=org,
            user=admin,
            name="EHR feed",
            role="coordinator",
            expires_in_days=90,
            password=f.TEST_PASSWORD,
        )
        client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {text}")
        response = client.post("/api/v1/patients", NEW, content_type="application/json")
        assert response.status_code == 201
        created = Patient.objects.get(organization=org, mrn="TOK-1")
        event = AuditEvent.objects.get(object_id=created.public_id, action="create")
        assert event.user == token.user and event.user != admin
        assert not Membership.objects.filter(user=token.user).exists()
        nurse_token, nurse_text = tokens.token_create_service(
            organization=org,
            user=admin,
            name="Vitals device",
            role="nurse",
            expires_in_days=30,
            password=f.TEST_PASSWORD,
        )
        refused = bearer(nurse_text).post(
            "/api/v1/patients", {**NEW, "mrn": "TOK-2"}, content_type="application/json"
        )
        assert refused.status_code == 403
        assert not Patient.objects.filter(mrn="TOK-2").exists()

    def test_revoked_expired_unknown_and_orphaned_tokens_answer_401(self, org: Any) -> None:
        user = f.make_user(org, "coordinator")
        token, text = personal(org, user)
        assert bearer(text).get("/api/v1/patients").status_code == 200
        assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
        Membership.objects.filter(user=user).update(is_active=False)
        left = bearer(text).get("/api/v1/patients")
        assert left.status_code == 401 and "no longer a member" in left.json()["detail"]
        Membership.objects.filter(user=user).update(is_active=True)
        with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=31)):
            assert "expired" in bearer(text).get("/api/v1/patients").json()["detail"]
        tokens.token_revoke(token=token, user=user)
        revoked = bearer(text).get("/api/v1/patients")
        assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
        assert revoked["WWW-Authenticate"].startswith("Bearer")
        assert (
            bearer(text[:-1] + ("A" if text[-1] != "A" else "B"))
            .get("/api/v1/patients")
            .status_code
            == 401
        )
        assert bearer("not-a-token").get("/api/v1/patients").status_code == 401


@pytest.mark.django_db
class TestTokenPage:
    def test_a_person_makes_sees_once_and_revokes_a_personal_token(self, org: Any) -> None:
        user = f.make_user(org, "coordinator")
        client = f.login(user)
        url = reverse("api_tokens:list")
        bad = client.post(
            url,
            {
                "kind": "personal",
                "personal-name": "export",
                "personal-expires_in_days": "90",
                "personal-password": "wrong",
            },
        )
        assert bad.status_code == 400 and "password is not right" in bad.content.decode()
        assert not ApiToken.objects.exists()
        made = client.post(
            url,
            {
                "kind": "personal",
                "personal-name": "export",
                "personal-expires_in_days": "90",
                "personal-password": f.TEST_PASSWORD,
            },
        )
        page = made.content.decode()
        token = ApiToken.objects.get(user=user)
        assert made.status_code == 200 and f"cs_{token.prefix}_" in page
        assert "no-store" in made["Cache-Control"] or "no-cache" in made["Cache-Control"]
        again = client.get(url).content.decode()
        assert f"cs_{token.prefix}_…" in again and "Copy it now" not in again
        assert "Service tokens" not in again  # administrators only
        refused = client.post(url, {"kind": "service", "service-name": "x"})
        assert refused.status_code == 403
        assert list(ApiToken.objects.all()) == [token]
        client.post(reverse("api_tokens:revoke", args=[token.public_id]))
        assert ApiToken.objects.get(pk=token.pk).revoked_at is not None

    def test_one_cannot_revoke_another_persons_token(self, org: Any) -> None:
        owner = f.make_user(org, "nurse")
        token, _ = personal(org, owner)
        other = f.login(f.make_user(org, "nurse"))
        assert other.post(reverse("api_tokens:revoke", args=[token.public_id])).status_code == 403
        assert ApiToken.objects.get(pk=token.pk).revoked_at is None
