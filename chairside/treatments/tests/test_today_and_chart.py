"""Today cards (my patients, reaction alerts, late reports) and the chart's Visits section."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from chairside.treatments import services
from chairside.treatments.models import Visit, VisitAlert
from tests import factories as f


def card(page: str, title: str) -> str:
    """The text of the Today card with this title (count and hint)."""
    start = page.index(title)
    return page[page.rindex('<a class="stat', 0, start) : page.index("</a>", start)]


class TestTodayCards:
    def test_a_nurse_sees_her_patients_today(self, nurse_client: Any, visit: Visit) -> None:
        page = nurse_client.get(reverse("today")).content.decode()
        text = card(page, "My patients today")
        assert '<span class="count">1</span>' in text
        assert "1 visit in progress" in text

    def test_late_reports_are_counted_for_the_front_desk(
        self, coordinator_client: Any, ready_visit: Visit, nurse_user: Any, clock: Any
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        clock.shift(dt.timedelta(hours=25))
        page = coordinator_client.get(reverse("today")).content.decode()
        text = card(page, "Treatment reports not sent within 24 h")
        assert '<span class="count">1</span>' in text and "stat bad" in text

    def test_an_open_reaction_alert_shows_on_today(self, org: Any, visit: Visit) -> None:
        VisitAlert.objects.create(organization=org, visit=visit, message="Grade 3 at 10:05")
        doctor = f.login(f.make_user(org, "provider"))
        page = doctor.get(reverse("today")).content.decode()
        assert '<span class="count">1</span>' in card(page, "Infusion reactions: provider needed")
        alerts = doctor.get(reverse("treatments:alerts")).content.decode()
        assert "Grade 3 at 10:05" in alerts and "acknowledge" in alerts

    def test_a_biller_sees_no_visit_cards(self, org: Any, visit: Visit) -> None:
        page = f.login(f.make_user(org, "biller")).get(reverse("today")).content.decode()
        assert "My patients today" not in page and "Treatment reports" not in page


class TestChartSection:
    def test_the_chart_lists_visits_reports_and_consents(
        self, nurse_client: Any, ready_visit: Visit, nurse_user: Any
    ) -> None:
        services.visit_sign(visit=ready_visit, user=nurse_user)
        chart = reverse("patients:chart", args=[ready_visit.patient.public_id])
        page = nurse_client.get(chart).content.decode()
        assert "<h2>Visits</h2>" in page
        assert reverse("treatments:visit", args=[ready_visit.public_id]) in page
        assert "Consent on file:" in page and "infliximab" in page

    def test_a_patient_without_visits_has_no_section(self, nurse_client: Any, patient: Any) -> None:
        page = nurse_client.get(reverse("patients:chart", args=[patient.public_id]))
        assert "<h2>Visits</h2>" not in page.content.decode()
