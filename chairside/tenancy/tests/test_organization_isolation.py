"""A user of one organization gets 404 for any object of another — for every view."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from chairside.patients.models import Allergy, Coverage, Diagnosis
from chairside.tenancy.middleware import SESSION_KEY
from chairside.tenancy.models import Chair, StaffMember
from tests import factories as f


@pytest.fixture
def foreign(other_org: Any) -> dict[str, Any]:
    """One of everything, belonging to the other organization."""
    patient = f.make_patient(other_org, last_name="Foreign")
    payer = f.make_payer(other_org)
    location = f.make_location(other_org, chairs=1)
    staff = StaffMember.objects.create(organization=other_org, first_name="Far", last_name="Away")
    return {
        "patient": patient,
        "coverage": f.make_coverage(patient, payer),
        "allergy": Allergy.objects.create(patient=patient, substance="Penicillin"),
        "diagnosis": Diagnosis.objects.create(
            patient=patient, icd10_code="K50.90", description="x"
        ),
        "location": location,
        "chair": Chair.objects.get(location=location),
        "staff": staff,
    }


def _urls(o: dict[str, Any]) -> list[tuple[str, str]]:
    p = o["patient"].public_id
    return [
        ("get", reverse("patients:chart", args=[p])),
        ("get", reverse("patients:edit", args=[p])),
        ("get", reverse("patients:audit", args=[p])),
        ("get", reverse("patients:allergy_add", args=[p])),
        ("get", reverse("patients:diagnosis_add", args=[p])),
        ("get", reverse("patients:measurement_add", args=[p])),
        ("get", reverse("patients:coverage_add", args=[p])),
        ("get", reverse("patients:coverage_edit", args=[p, o["coverage"].public_id])),
        ("post", reverse("patients:allergy_remove", args=[p, o["allergy"].public_id])),
        ("post", reverse("patients:diagnosis_remove", args=[p, o["diagnosis"].public_id])),
        ("get", reverse("tenancy:location_edit", args=[o["location"].public_id])),
        ("get", reverse("tenancy:chair_create", args=[o["location"].public_id])),
        (
            "get",
            reverse("tenancy:chair_edit", args=[o["location"].public_id, o["chair"].public_id]),
        ),
        ("get", reverse("tenancy:staff_edit", args=[o["staff"].public_id])),
    ]


class TestOrganizationIsolation:
    def test_it_answers_404_for_every_object_of_another_organization(
        self, admin_client: Any, foreign: dict[str, Any]
    ) -> None:
        for method, url in _urls(foreign):
            response = getattr(admin_client, method)(url, {"reason": "probe"})
            assert response.status_code == 404, (
                f"{method.upper()} {url} gave {response.status_code}"
            )
        assert Allergy.objects.filter(pk=foreign["allergy"].pk).exists()
        assert Coverage.objects.filter(pk=foreign["coverage"].pk).exists()

    def test_it_never_lists_another_organizations_patients(
        self, admin_client: Any, patient: Any, foreign: dict[str, Any]
    ) -> None:
        html = admin_client.get(reverse("patients:list")).content.decode()
        assert "Hopper" in html
        assert "Foreign" not in html
        searched = admin_client.get(reverse("patients:list"), {"q": "Foreign"})
        assert searched.context["page"].paginator.count == 0
        assert str(foreign["patient"].public_id) not in searched.content.decode()

    def test_it_keeps_the_settings_and_staff_pages_to_the_active_organization(
        self, admin_client: Any, location: Any, foreign: dict[str, Any]
    ) -> None:
        assert (
            foreign["location"].name
            not in admin_client.get(reverse("tenancy:settings")).content.decode()
        )
        assert "Away" not in admin_client.get(reverse("tenancy:staff")).content.decode()

    def test_it_switches_organization_only_to_one_the_user_belongs_to(
        self, admin_user: Any, admin_client: Any, other_org: Any
    ) -> None:
        response = admin_client.post(
            reverse("switch_organization"), {"organization": other_org.public_id}
        )
        assert response.status_code == 403
        assert admin_client.session.get(SESSION_KEY) != str(other_org.public_id)

    def test_it_works_in_the_organization_the_user_switched_to(
        self, admin_user: Any, admin_client: Any, other_org: Any, foreign: dict[str, Any]
    ) -> None:
        from chairside.tenancy.models import Membership

        Membership.objects.create(user=admin_user, organization=other_org, role="coordinator")
        admin_client.post(reverse("switch_organization"), {"organization": other_org.public_id})
        chart = admin_client.get(reverse("patients:chart", args=[foreign["patient"].public_id]))
        assert chart.status_code == 200
        # …and now the first organization's settings page is closed to a coordinator.
        assert admin_client.get(reverse("tenancy:location_create")).status_code == 403


def _uuid_routes() -> list[str]:
    """Every page route whose only parameters are public ids (UUIDs), as a template."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.converters import UUIDConverter

    found: list[str] = []

    def walk(patterns: list[Any], prefix: str, converters: dict[str, Any]) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            seen = {**converters, **getattr(p.pattern, "converters", {})}
            if isinstance(p, URLResolver):
                if route.startswith(("django-admin/", "api/")):
                    continue
                walk(p.url_patterns, route, seen)
            elif (
                isinstance(p, URLPattern)
                and seen
                and all(isinstance(c, UUIDConverter) for c in seen.values())
            ):
                found.append(route)

    walk(get_resolver().url_patterns, "", {})
    return found


class TestEveryObjectRoute:
    def test_an_unknown_public_id_is_a_404_not_a_crash_on_every_page(
        self, admin_client: Any
    ) -> None:
        import re
        import uuid

        routes = _uuid_routes()
        assert len(routes) > 50, routes  # every module's object pages are walked
        for route in routes:
            url = "/" + re.sub(r"<uuid:\w+>", lambda _m: str(uuid.uuid4()), route)
            status = admin_client.get(url).status_code
            assert status in (404, 405), f"GET {url} gave {status}"
