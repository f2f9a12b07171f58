"""Styled 403 and 404 pages that say what to do, for logged-in and anonymous users; the
favicon (issue 13.16)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories as f


@pytest.mark.django_db
class TestErrorPages:
    def test_it_explains_a_404_to_a_logged_in_user(self, org: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        response = client.get("/patients/00000000-0000-0000-0000-000000000000/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "We can't find that page" in html
        assert "switch organization in the top bar" in html
        assert 'class="mainnav"' in html  # the menu is there to carry on

    def test_it_explains_a_404_to_an_anonymous_user(self, db: Any) -> None:
        response = Client().get("/no-such-page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "We can't find that page" in html and "Log in" in html

    def test_it_explains_a_403_with_the_role(self, org: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        response = client.get("/billing/")
        assert response.status_code == 403
        html = response.content.decode()
        assert "You can't open this page" in html
        assert "Your role does not allow this." in html
        assert "<b>Nurse</b>" in html
        assert "ask an administrator" in html

    def test_it_explains_a_403_to_an_anonymous_user(self, db: Any) -> None:
        from django.core.exceptions import PermissionDenied
        from django.test import RequestFactory

        from chairside.core.views import error_403

        request = RequestFactory().get("/billing/")
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        response = error_403(request, PermissionDenied())
        assert response.status_code == 403
        assert b"You are not logged in" in response.content

    def test_the_pages_link_a_favicon(self, org: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        assert b'rel="icon"' in client.get("/").content
        response = client.get("/favicon.ico")
        assert response.status_code == 302 and response["Location"].endswith(".svg")
