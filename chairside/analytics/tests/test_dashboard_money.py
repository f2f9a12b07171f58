"""The dashboard's money and follow-through panels: margins (billing), cash in drug stock
(inventory) and treatment reports sent within 24 hours (treatments), each figure computed
here from the rows the test makes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from chairside.analytics import selectors
from tests import factories as f
from tests.factories import someone


def panels_of(client: Any, **params: str) -> dict[str, Any]:
    """The dashboard's panels, with each slow group fetched as the page does after loading."""
    response = client.get(reverse("analytics:home"), params)
    assert response.status_code == 200
    found = {}
    for p in response.context["panels"]:
        if not p.lazy:
            found[p.key] = p
            continue
        url = reverse("analytics:panel_group", args=[p.key])
        assert f'hx-get="{url}?' in response.content.decode()
        group = client.get(url, params)
        assert group.status_code == 200
        found.update({q.key: q for q in group.context["panels"]})
    return found


@pytest.mark.django_db
class TestMarginPanels:
    @pytest.fixture
    def billed(self, org: Any) -> Any:
        """Two infliximab visits on Mar 10 2026: Medicare at one site, commercial at another."""
        from chairside.billing.services import charges_derive
        from chairside.billing.tests import factories as bf

        bf.billable_org(org)
        medicare, keystone = bf.medicare(org), bf.commercial(org)
        main = f.make_location(org, name="Main", nurse_patient_ratio=4)
        east = f.make_location(org, name="East", nurse_patient_ratio=4)
        for payer, site in ((medicare, main), (keystone, east)):
            patient = bf.billable_patient(org)
            charges_derive(
                organization=org,
                patient=patient,
                location=site,
                facts=bf.facts_for(patient, payer),
            )
        return main, east

    def test_it_adds_up_revenue_drug_cost_and_margin_from_the_claims(
        self, admin_client: Any, org: Any, billed: Any
    ) -> None:
        from chairside.billing.selectors.margins import margin_report

        found = panels_of(admin_client, start="2026-03-01", end="2026-03-31")
        report = margin_report(
            organization=org, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
        )
        stats = dict(found["margin_drug"].stats)
        assert stats["Expected revenue"] == f"${report['revenue']:,.0f}"
        assert stats["Margin"] == f"${report['margin']:,.0f}"
        # Drug cost: no dispense recorded, so 40 billed units x 33.00 for each visit.
        assert stats["Drug cost"] == "$2,640"
        assert "2 drug costs estimated" in found["margin_drug"].note
        payers = found["margin_payer"].chart["data"]
        assert len(payers["labels"]) == 2
        margins = dict(zip(payers["labels"], payers["datasets"][2]["data"], strict=True))
        by_payer = {s.key[0]: float(s.margin) for s in report["by_payer"]}
        assert margins == by_payer

    def test_a_site_shows_only_its_own_visits(
        self, admin_client: Any, org: Any, billed: Any
    ) -> None:
        main, _ = billed
        everything = panels_of(admin_client, start="2026-03-01", end="2026-03-31")
        one = panels_of(admin_client, start="2026-03-01", end="2026-03-31", location=str(main.pk))
        assert dict(one["margin_drug"].stats)["Drug cost"] == "$1,320"
        assert one["margin_payer"].chart["data"]["labels"][0].startswith("Medicare")
        assert dict(everything["margin_drug"].stats) != dict(one["margin_drug"].stats)

    def test_it_says_so_when_nothing_was_billed(self, admin_client: Any, billed: Any) -> None:
        found = panels_of(admin_client, start="2026-05-01", end="2026-05-31")
        assert found["margin_drug"].chart is None
        assert "No visit in this date range has a claim" in found["margin_drug"].empty


@pytest.mark.django_db
class TestInventoryPanel:
    @pytest.fixture
    def stock(self, org: Any) -> Any:
        """10 vials at 330.00 received Mar 2 2026, 4 dispensed Mar 10, one wasted Mar 20."""
        from chairside.inventory.services import stock_dispense, stock_waste
        from chairside.inventory.tests import factories as inv

        site = f.make_location(org, name="Main")
        place = inv.make_place(site)
        package = inv.package(inv.make_drug(org))
        patient = f.make_patient(org)
        with time_machine.travel(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)):
            lot = inv.make_lot(place, package, vials=10, cost="330.00")
            inv.make_lot(place, package, vials=3, patient=patient)  # white bag: not ours
        with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)):
            stock_dispense(lot=lot, vials=4, patient=patient, user=someone(), visit_ref="v1")
        with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)):
            stock_waste(lot=lot, vials=1, user=None, reason="dropped")
        return site

    def test_days_on_hand_is_stock_at_cost_over_cost_used_a_day(self, org: Any, stock: Any) -> None:
        # Mar 2 - Mar 31 (30 days): 5 vials used = 1650.00, 55.00 a day; 5 left = 1650.00.
        f_ = selectors.DashboardFilter(org, None, dt.date(2026, 3, 2), dt.date(2026, 3, 31))
        cash = selectors.inventory_cash(f_, dt.date(2026, 4, 1))
        assert cash.closing_value == Decimal("1650.00")
        assert cash.used_value == Decimal("1650.00")
        assert cash.daily_use == Decimal("55")
        assert cash.days_on_hand == Decimal(30)
        # Week by week: 3300 after receiving, 1980 after the dispense, 1650 after the waste.
        values = [v for _, v in cash.weeks]
        assert values[0] == Decimal("3300.00")
        assert values[1] == Decimal("1980.00")
        assert values[-1] == Decimal("1650.00")

    def test_the_ledger_value_matches_the_stock_on_the_shelf(self, org: Any, stock: Any) -> None:
        from chairside.inventory.selectors import inventory_value

        with time_machine.travel(dt.datetime(2026, 4, 2, 12, tzinfo=dt.UTC)):
            f_ = selectors.DashboardFilter(org, stock, dt.date(2026, 3, 1), dt.date(2026, 4, 2))
            cash = selectors.inventory_cash(f_, dt.date(2026, 4, 2))
            assert cash.closing_value == inventory_value(organization=org, location=stock)

    def test_the_panel_shows_the_figures(self, admin_client: Any, stock: Any) -> None:
        found = panels_of(admin_client, start="2026-03-02", end="2026-03-31")
        stats = dict(found["inventory"].stats)
        assert stats["Stock at cost on Mar 31"] == "$1,650"
        assert stats["Days on hand"] == "30"
        assert found["inventory"].chart["type"] == "line"


@pytest.mark.django_db
class TestReportPanel:
    @pytest.fixture
    def reports(self, org: Any) -> Any:
        """Visits on Jun 1-3 2026, each signed at 17:00: a report sent after 3 hours, one sent
        after 30 hours, one never sent; on Jun 20 a report signed an hour ago, not yet sent."""
        from chairside.scheduling.models import Appointment
        from chairside.treatments.models import Visit, VisitReport
        from chairside.treatments.tests import factories as tf

        site = f.make_location(org, name="Main", chairs=1)
        order = tf.make_order(f.make_patient(org, home_location=site))
        chair = site.chairs.get()

        def report(day: dt.date, sent_after: float | None) -> None:
            signed = dt.datetime(day.year, day.month, day.day, 17, tzinfo=tf.TZ)
            appointment = Appointment.objects.create(
                organization=org,
                patient=order.patient,
                order=order,
                location=site,
                chair=chair,
                start=signed - dt.timedelta(hours=6),
                end=signed - dt.timedelta(hours=3),
                status="completed",
                dose_number=day.day,
            )
            visit = Visit.objects.create(
                organization=org,
                appointment=appointment,
                patient=order.patient,
                order=order,
                location=site,
                date=day,
                status="signed",
                signed_at=signed,
            )
            VisitReport.objects.create(
                organization=org,
                visit=visit,
                recipient=order.ordering_provider,
                channel="fax",
                due_at=signed + dt.timedelta(hours=24),
                sent_at=None if sent_after is None else signed + dt.timedelta(hours=sent_after),
                status="queued" if sent_after is None else "sent",
            )

        report(dt.date(2026, 6, 1), 3)
        report(dt.date(2026, 6, 2), 30)
        report(dt.date(2026, 6, 3), None)
        report(dt.date(2026, 6, 20), None)
        return site

    def test_it_counts_reports_sent_within_24_hours(self, org: Any, reports: Any) -> None:
        now = dt.datetime(2026, 6, 20, 22, tzinfo=dt.UTC)  # 18:00 in New York
        f_ = selectors.DashboardFilter(org, None, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
        timely = selectors.report_timeliness(f_, now)
        assert (timely.on_time, timely.late, timely.waiting) == (1, 2, 1)
        assert timely.share_on_time == pytest.approx(1 / 3)
        assert timely.hours_to_send == [3.0, 30.0]
        first_week = timely.weeks[0]
        assert first_week == (dt.date(2026, 6, 1), 1, 2, 0)

    def test_the_panel_shows_the_share(self, admin_client: Any, reports: Any) -> None:
        with time_machine.travel(dt.datetime(2026, 6, 20, 22, tzinfo=dt.UTC), tick=False):
            found = panels_of(admin_client, start="2026-06-01", end="2026-06-07")
        stats = dict(found["reports"].stats)
        assert stats["Sent within 24 h"] == "33%"
        assert stats["Late"] == 2
        assert stats["Median hours to send"] == "30.0"  # the upper of two, as elsewhere
        datasets = found["reports"].chart["data"]["datasets"]
        assert [d["data"] for d in datasets] == [[1.0], [2.0], [0.0]]


@pytest.mark.django_db
def test_the_slow_margin_panels_load_after_the_page(admin_client: Any, org: Any) -> None:
    response = admin_client.get(reverse("analytics:home"))
    [placeholder] = [p for p in response.context["panels"] if p.lazy]
    assert placeholder.key == "margins" and placeholder.chart is None  # nothing priced yet
    assert admin_client.get(reverse("analytics:panel_group", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_another_role_without_reports_cannot_fetch_the_group(org: Any) -> None:
    nurse = f.login(f.make_user(org, "nurse"))
    response = nurse.get(reverse("analytics:panel_group", args=["margins"]))
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_a_coordinator_sees_no_money_panels(org: Any) -> None:
    """Reports are open to the coordinator; billing figures are not (no billing.view)."""
    coordinator = f.login(f.make_user(org, "coordinator"))
    response = coordinator.get(reverse("analytics:home"))
    keys = {p.key for p in response.context["panels"]}
    assert "margins" not in keys and "reports" in keys and "inventory" in keys
    group = coordinator.get(reverse("analytics:panel_group", args=["margins"]))
    assert group.status_code == 403


@pytest.mark.django_db
def test_a_share_of_collections_fee_is_charged_on_the_payer_payments_posted(db: Any) -> None:
    from chairside.analytics.models import ManagementFeeTerms
    from chairside.billing.models import Remittance
    from chairside.tenancy.models import Organization

    company = f.make_org("Summit", kind=Organization.Kind.MANAGEMENT_COMPANY)
    client = f.make_org("Client", managed_by=company)
    ManagementFeeTerms.objects.create(
        client=client,
        basis="share_of_collections",
        share_of_collections_percent=Decimal("6.5"),
        effective_from=dt.date(2026, 1, 1),
    )
    for n, (day, amount) in enumerate(
        [
            (dt.date(2026, 6, 3), "10000.00"),
            (dt.date(2026, 6, 24), "2500.50"),
            (dt.date(2026, 7, 1), "999.00"),
        ]
    ):
        Remittance.objects.create(
            organization=client,
            payer_name="Payer",
            trace_number=f"T{n}",
            paid_on=day,
            total_paid=Decimal(amount),
            content="",
        )
    manager = f.login(f.make_user(company, "admin"))
    response = manager.get(reverse("analytics:home"), {"start": "2026-06-01", "end": "2026-06-30"})
    [row] = response.context["clients"]
    assert row.collections == Decimal("12500.50")  # July's payment is outside the range
    assert row.fee_owed == Decimal("812.53")  # 6.5% of 12,500.50 = 812.5325
    assert b"$812.53" in response.content
