"""Allergies typed at check-in reach the chart (issue 13 item 2)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from chairside.treatments import selectors, services


class TestCheckInAllergies:
    def test_a_new_allergy_goes_on_the_chart_coded_to_the_formulary(
        self, visit: Any, nurse_user: Any
    ) -> None:
        # The fixture's drug is infliximab (Remicade); the patient names the brand.
        allergy = services.visit_allergy_add(
            visit=visit, user=nurse_user, substance="remicade", reaction="hives", severity="severe"
        )
        assert allergy.substance == "infliximab"
        assert (allergy.reaction, allergy.severity) == ("hives", "severe")
        visit.refresh_from_db()
        assert visit.allergies_reviewed_at is not None
        assert list(visit.patient.allergies.values_list("substance", flat=True)) == ["infliximab"]

    def test_an_allergy_to_todays_drug_blocks_the_visit_until_held_or_cleared(
        self, visit: Any, nurse_user: Any
    ) -> None:
        services.visit_allergy_add(visit=visit, user=nurse_user, substance="Infliximab")
        missing = " ".join(m for _, m in selectors.visit_missing(visit))
        assert "Today's drug is infliximab: do not give it" in missing
        visit = services.visit_update(
            visit=visit, user=nurse_user, allergy_cleared_by="Dr. Marsh (desensitization)"
        )
        assert "do not give it" not in " ".join(m for _, m in selectors.visit_missing(visit))

    def test_an_allergy_to_a_premedication_warns_without_blocking(
        self, visit: Any, nurse_user: Any, order: Any
    ) -> None:
        order.premedications = "Diphenhydramine 25 mg PO"
        order.save()
        visit.refresh_from_db()
        services.visit_allergy_add(visit=visit, user=nurse_user, substance="diphenhydramine")
        (conflict,) = selectors.visit_allergy_conflicts(visit)
        assert not conflict.refuse
        assert "Diphenhydramine" not in " ".join(m for _, m in selectors.visit_missing(visit))

    def test_the_banner_shows_it_at_once(self, nurse_client: Any, visit: Any, nurse: Any) -> None:
        url = reverse("treatments:allergy_new", args=[visit.public_id])
        response = nurse_client.post(
            url, {"substance": "Penicillin", "reaction": "rash", "severity": "moderate"}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="allergy-line"' in page and "Penicillin (rash)" in page
        assert visit.patient.allergies.filter(substance="Penicillin").exists()
