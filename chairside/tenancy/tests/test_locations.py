from __future__ import annotations

from typing import Any

from django.urls import reverse

from chairside.tenancy.models import Chair, Location

SITE = {
    "name": "Eastgate",
    "site_type": "independent_clinic",
    "time_zone": "America/Chicago",
    "nurse_patient_ratio": "3",
    "is_active": "on",
    "opens_0": "08:00",
    "closes_0": "17:00",
}


class TestLocationSave:
    def test_it_defaults_the_place_of_service_from_the_site_type(
        self, admin_client: Any, org: Any
    ) -> None:
        assert admin_client.post(reverse("tenancy:location_create"), SITE).status_code == 302
        location = Location.objects.get(organization=org)
        assert location.place_of_service == "49"
        assert [(h.weekday, str(h.opens)) for h in location.hours.all()] == [(0, "08:00:00")]

    def test_it_keeps_an_explicit_place_of_service(self, admin_client: Any, org: Any) -> None:
        admin_client.post(
            reverse("tenancy:location_create"),
            {**SITE, "site_type": "hospital_on_campus", "place_of_service": "19"},
        )
        assert Location.objects.get(organization=org).place_of_service == "19"

    def test_it_refuses_closing_before_opening(self, admin_client: Any, org: Any) -> None:
        response = admin_client.post(
            reverse("tenancy:location_create"), {**SITE, "closes_0": "07:00"}
        )
        assert response.status_code == 400
        assert not Location.objects.filter(organization=org).exists()

    def test_it_refuses_an_unknown_time_zone(self, admin_client: Any, org: Any) -> None:
        response = admin_client.post(
            reverse("tenancy:location_create"), {**SITE, "time_zone": "Mars/Olympus"}
        )
        assert response.status_code == 400
        assert b"not a time zone" in response.content
        assert not Location.objects.filter(time_zone="Mars/Olympus").exists()
        assert Location.objects.filter(organization=org).count() == 0


class TestChairSave:
    def test_it_adds_a_bed_and_refuses_a_duplicate_name(
        self, admin_client: Any, location: Any
    ) -> None:
        url = reverse("tenancy:chair_create", args=[location.public_id])
        assert (
            admin_client.post(
                url, {"name": "B01", "kind": "bed", "sort_order": 9, "is_active": "on"}
            ).status_code
            == 302
        )
        again = admin_client.post(url, {"name": "b01", "kind": "chair", "sort_order": 9})
        assert again.status_code == 400
        assert Chair.objects.filter(location=location, kind="bed").count() == 1


class TestOffCampusDepartment:
    def test_it_asks_an_off_campus_department_for_po_or_pn(
        self, admin_client: Any, org: Any
    ) -> None:
        site = {**SITE, "site_type": "hospital_off_campus"}
        response = admin_client.post(reverse("tenancy:location_create"), site)
        assert response.status_code == 400
        assert b"excepted" in response.content
        assert not Location.objects.filter(organization=org).exists()
        admin_client.post(
            reverse("tenancy:location_create"), {**site, "off_campus_status": "non_excepted"}
        )
        location = Location.objects.get(organization=org)
        assert (location.place_of_service, location.off_campus_status) == ("19", "non_excepted")
        assert location.claim_form == "837I"

    def test_it_clears_the_flag_on_other_site_types(self, admin_client: Any, org: Any) -> None:
        admin_client.post(
            reverse("tenancy:location_create"), {**SITE, "off_campus_status": "excepted"}
        )
        location = Location.objects.get(organization=org)
        assert location.off_campus_status == "" and location.claim_form == "837P"
