"""Issue 11.1: a grant never pulls another organization's user in without their consent."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from chairside.audit.models import AuditEvent
from chairside.tenancy.models import Invitation, Membership
from tests import factories as f

GRANT = "tenancy:membership_grant"


def _log_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": f.TEST_PASSWORD})
    assert response.status_code == 302, response.content[:400]
    return client


def _page_without_tokens(response: Any, name: str) -> bytes:
    """The page with the CSRF tokens (different on every render) and the name taken out."""
    content = re.sub(
        rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', rb"\1", response.content
    )
    content = re.sub(rb'data-csrf="[^"]+"', b"", content)
    content = re.sub(rb'data-left="\d+"', b"", content)
    return content.replace(name.encode(), b"NAME")


class TestGrantToAUserOfAnotherOrganization:
    def test_it_does_not_pull_her_in(self, admin_client: Any, org: Any, other_org: Any) -> None:
        victim = f.make_user(other_org, "nurse", username="victim")
        response = admin_client.post(reverse(GRANT), {"username": "victim", "role": "nurse"})
        assert response.status_code == 302
        assert not Membership.objects.filter(user=victim, organization=org).exists()
        assert Invitation.objects.get(organization=org).username == "victim"

    def test_existing_and_unknown_user_names_get_the_same_answer(self, other_org: Any) -> None:
        f.make_user(other_org, "nurse", username="victim")
        # Two organizations alike in every way, each asking about one name.
        first, second = f.make_org("Same Practice"), f.make_org("Same Practice")
        f.make_user(first, "admin", username="boss")
        f.make_user(second, "admin", username="boss2")
        answers = []
        for username, client in (
            ("victim", f.login(first.memberships.get().user)),
            ("nobody", f.login(second.memberships.get().user)),
        ):
            response = client.post(
                reverse(GRANT), {"username": username, "role": "nurse"}, follow=True
            )
            assert response.status_code == 200
            assert b"invitation to work here" in response.content
            page = _page_without_tokens(response, username).replace(b"boss2", b"boss")
            answers.append(page)
        assert answers[0] == answers[1]

    def test_a_new_log_in_with_a_name_in_use_is_refused_and_audited(
        self, admin_client: Any, org: Any, other_org: Any
    ) -> None:
        victim = f.make_user(other_org, "nurse", username="victim")
        before = victim.password
        response = admin_client.post(
            reverse(GRANT),
            {"username": "victim", "role": "nurse", "password": "a-long-temporary-pass"},
        )
        assert response.status_code == 400
        victim.refresh_from_db()
        assert victim.password == before
        assert not Membership.objects.filter(user=victim, organization=org).exists()
        assert AuditEvent.objects.filter(organization=org, reason__contains="refused").exists()


class TestInvitationAnswer:
    def test_the_user_accepts_while_logged_in_and_both_organizations_see_it(
        self, admin_client: Any, org: Any, other_org: Any
    ) -> None:
        victim = f.make_user(other_org, "nurse", username="victim")
        admin_client.post(reverse(GRANT), {"username": "victim", "role": "coordinator"})
        client = _log_in("victim")
        assert b"You have 1 invitation to work" in client.get(reverse("today")).content
        page = client.get(reverse("accounts:home"))
        assert org.name.encode() in page.content
        invitation = Invitation.objects.get(organization=org)
        response = client.post(
            reverse("accounts:invitation", args=[invitation.public_id]), {"answer": "accept"}
        )
        assert response.status_code == 302
        assert Membership.objects.get(user=victim, organization=org).role == "coordinator"
        assert AuditEvent.objects.filter(organization=org, reason__contains="accepted").exists()
        assert AuditEvent.objects.filter(
            organization=other_org, reason__contains="accepted an invitation"
        ).exists()

    def test_someone_else_cannot_accept_it(
        self, admin_client: Any, org: Any, other_org: Any
    ) -> None:
        f.make_user(other_org, "nurse", username="victim")
        f.make_user(other_org, "nurse", username="bystander")
        admin_client.post(reverse(GRANT), {"username": "victim", "role": "nurse"})
        invitation = Invitation.objects.get(organization=org)
        client = _log_in("bystander")
        response = client.post(
            reverse("accounts:invitation", args=[invitation.public_id]), {"answer": "accept"}
        )
        assert response.status_code == 404
        assert Membership.objects.filter(organization=org).count() == 1  # the admin only


class TestActiveOrganization:
    def test_a_new_membership_never_becomes_active_silently(self, other_org: Any) -> None:
        # An organization whose name sorts first: the old middleware picked it.
        attacker_org = f.make_org("Aardvark Clinic")
        admin = f.login(f.make_user(attacker_org, "admin"))
        victim = f.make_user(other_org, "nurse", username="victim")
        admin.post(reverse(GRANT), {"username": "victim", "role": "nurse"})
        client = _log_in("victim")
        invitation = Invitation.objects.get(organization=attacker_org)
        client.post(
            reverse("accounts:invitation", args=[invitation.public_id]), {"answer": "accept"}
        )
        assert client.get(reverse("today")).context["active_organization"] == other_org
        fresh = _log_in("victim")
        assert fresh.get(reverse("today")).context["active_organization"] == other_org
        assert Membership.objects.filter(user=victim).count() == 2

    def test_the_next_log_in_starts_in_the_organization_chosen_last(self, other_org: Any) -> None:
        home = f.make_org("Zephyr Infusion")
        user = f.make_user(home, "nurse", username="pat")
        Membership.objects.create(user=user, organization=other_org, role="nurse")
        client = _log_in("pat")
        assert client.get(reverse("today")).context["active_organization"] == home
        client.post(reverse("switch_organization"), {"organization": str(other_org.public_id)})
        client.post(reverse("logout"))
        again = _log_in("pat")
        assert again.get(reverse("today")).context["active_organization"] == other_org
