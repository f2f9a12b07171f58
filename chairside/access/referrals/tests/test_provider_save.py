from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.access.referrals import services
from chairside.access.referrals.models import ReferringProvider
from chairside.access.referrals.tests import factories as rf
from tests import factories as f
from tests.factories import someone

FIELDS: dict[str, Any] = {"first_name": "Nia", "last_name": "Okoro", "credential": "MD"}


class TestProviderSave:
    def test_it_saves_a_provider_with_a_valid_npi(self, org: Any) -> None:
        provider = services.provider_save(
            organization=org, user=someone(), npi="1234567893", **FIELDS
        )
        assert str(provider) == "Nia Okoro, MD"

    @pytest.mark.parametrize("npi", ["1234567890", "123456789", "12345678931", "abcdefghij"])
    def test_it_rejects_an_npi_with_a_wrong_check_digit_or_length(self, org: Any, npi: str) -> None:
        with pytest.raises(ValidationError, match="not a valid NPI"):
            services.provider_save(organization=org, user=someone(), npi=npi, **FIELDS)
        assert not ReferringProvider.objects.exists()

    def test_it_rejects_the_same_npi_twice_in_one_organization(
        self, org: Any, other_org: Any
    ) -> None:
        services.provider_save(organization=org, user=someone(), npi="1234567893", **FIELDS)
        services.provider_save(organization=other_org, user=someone(), npi="1234567893", **FIELDS)
        with pytest.raises(ValidationError, match="already has NPI"):
            services.provider_save(organization=org, user=someone(), npi="1234567893", **FIELDS)


class TestProviderPages:
    def test_a_coordinator_adds_a_provider(self, org: Any, coordinator_client: Any) -> None:
        data = {**FIELDS, "npi": "1234567893", "report_preference": "fax", "is_active": "on"}
        response = coordinator_client.post(reverse("referrals:provider_create"), data)
        assert response.status_code == 302
        assert ReferringProvider.objects.filter(organization=org, npi="1234567893").exists()

    def test_a_bad_npi_is_shown_and_nothing_saved(self, coordinator_client: Any) -> None:
        data = {**FIELDS, "npi": "1234567890", "report_preference": "fax"}
        response = coordinator_client.post(reverse("referrals:provider_create"), data)
        assert response.status_code == 400
        assert b"not a valid NPI" in response.content
        assert not ReferringProvider.objects.exists()

    def test_it_is_404_for_another_organizations_provider(
        self, other_org: Any, coordinator_client: Any
    ) -> None:
        foreign = rf.make_provider(other_org)
        url = reverse("referrals:provider_edit", args=[foreign.public_id])
        assert coordinator_client.get(url).status_code == 404

    def test_a_nurse_may_read_the_directory_but_not_edit_it(self, org: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        assert nurse.get(reverse("referrals:providers")).status_code == 200
        assert nurse.get(reverse("referrals:provider_create")).status_code == 403
