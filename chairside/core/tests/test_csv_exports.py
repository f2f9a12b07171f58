"""Issue 19.3: every list page exports its rows as CSV (``?format=csv``, the "Export CSV"
link): the page's filters, all its pages, permission-checked like the page, audited as an
export, every cell escaped against formula injection (``rules.interop.csv_safe``)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chairside.audit.exports import EXPORTS
from chairside.audit.models import AuditEvent
from tests import factories as f

# Every list page of the app. A new page whose URL name looks like a list must be added here
# (and export) or to NOT_LISTS with the reason.
LIST_PAGES = {
    "patients:list",
    "referrals:list",
    "billing:claims",
    "billing:patient_balances",
    "inventory:stock",
    "inventory:expiring",
    "inventory:orders",
    "inventory:lot",
    "inventory:queue",
    "treatments:day",
    "treatments:reports",
    "reminders:requests",
    "readiness:board",
    "interop:messages",
    "homecare:orders",
    "homecare:follow_ups",
    "billing:remittances",
    "tenancy:staff",
    "referrals:providers",
    "homecare:plans",
    "interop:eligibility_list",  # one coverage's inquiries: interop/tests/test_eligibility.py
}
# The list of one record's rows (a lot's movements, a coverage's eligibility checks): tested
# where the record is made.
NEED_A_RECORD = {"inventory:lot", "interop:eligibility_list"}
LOOKS_LIKE_A_LIST = ("list", "queue", "requests", "balances", "claims", "board", "stock")
NOT_LISTS = {
    "scheduling:board": "the chair grid of one day (a timetable, not a list of rows)",
    "authorizations:queue": "the work queues: exported by the API (/api/v1/access/queues)",
    "api_tokens:list": "a person's own tokens (no patient data)",
    "treatments:queue_verify": "an action (POST)",
    "treatments:queue_early_prep": "an action (POST)",
    "inventory:queue_verify": "an action (POST)",
    "inventory:queue_early_prep": "an action (POST)",
}


def _names(patterns: list[Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            space = f"{prefix}{p.namespace}:" if p.namespace else prefix
            found |= _names(p.url_patterns, space)
        elif isinstance(p, URLPattern) and p.name:
            found.add(prefix + p.name)
    return found


def _rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


class TestEveryListPageExports:
    def test_every_list_page_has_its_export_and_nothing_is_forgotten(self) -> None:
        names = _names(get_resolver().url_patterns)
        assert names >= LIST_PAGES
        assert set(EXPORTS) >= LIST_PAGES
        pages = {n for n in names if n.split(":")[0] not in ("admin", "api")}  # not app pages
        listy = {n for n in pages if any(w in n.split(":")[-1] for w in LOOKS_LIKE_A_LIST)}
        assert listy - LIST_PAGES - set(NOT_LISTS) == set()

    @pytest.mark.parametrize(
        "name", sorted(LIST_PAGES - {"inventory:lot", "interop:eligibility_list"})
    )
    def test_each_export_answers_its_header_and_is_audited(
        self, name: str, admin_client: Any, location: Any
    ) -> None:
        response = admin_client.get(reverse(name), {"format": "csv", "page": "2"})
        assert response.status_code == 200
        assert _rows(response)[0] == EXPORTS[name].header
        assert 'attachment; filename="' in response["Content-Disposition"]
        event = AuditEvent.objects.get(action="export")
        assert event.reason == f"{EXPORTS[name].title} (CSV)"

    @pytest.mark.parametrize(
        ("name", "role"),
        [
            ("billing:claims", "nurse"),
            ("inventory:stock", "biller"),
            ("treatments:reports", "nurse"),
            ("inventory:queue", "provider"),
        ],
    )
    def test_a_role_the_page_refuses_gets_no_export(self, name: str, role: str, org: Any) -> None:
        client = f.login(f.make_user(org, role))
        assert client.get(reverse(name), {"format": "csv"}).status_code == 403
        assert not AuditEvent.objects.filter(action="export").exists()

    def test_the_link_keeps_the_filters_and_drops_the_page(self, admin_client: Any) -> None:
        page = admin_client.get(reverse("patients:list"), {"q": "hop", "page": "2"})
        assert b'href="/patients/?q=hop&amp;format=csv"' in page.content


class TestPatientsExport:
    def test_the_filtered_rows_of_every_page_escaped_and_scoped(
        self, org: Any, other_org: Any, admin_client: Any
    ) -> None:
        for n in range(30):  # more than one page (25 a page)
            f.make_patient(org, first_name=f"P{n}", last_name="Hopkins", mrn=f"H{n:03}")
        f.make_patient(org, first_name="=HYPERLINK(1)", last_name="Hopkinson", mrn="EVIL")
        f.make_patient(org, first_name="Zed", last_name="Other", mrn="Z1")
        f.make_patient(other_org, first_name="Far", last_name="Hopkins", mrn="FAR1")
        rows = _rows(admin_client.get(reverse("patients:list"), {"q": "Hopk", "format": "csv"}))
        assert rows[0][:3] == ["last_name", "first_name", "mrn"]
        body = rows[1:]
        assert len(body) == 31
        assert "FAR1" not in {r[2] for r in body} and "Z1" not in {r[2] for r in body}
        evil = next(r for r in body if r[2] == "EVIL")
        assert evil[1] == "'=HYPERLINK(1)"
        event = AuditEvent.objects.get(action="export")
        assert event.changes == {"rows": [None, 31]} and event.reason == "Patients (CSV)"


class TestReferralsExport:
    def test_a_row_escaped_and_scoped(self, org: Any, other_org: Any, admin_client: Any) -> None:
        from chairside.access.referrals.tests.factories import make_referral

        make_referral(org, patient_last_name="@SUM(A1)", patient_first_name="Ann")
        make_referral(other_org, patient_last_name="Elsewhere", patient_first_name="Bo")
        rows = _rows(admin_client.get(reverse("referrals:list"), {"format": "csv"}))
        assert rows[0][0] == "patient" and len(rows) == 2
        assert rows[1][0].startswith("'") and "@SUM(A1)" in rows[1][0]


class TestHomeInfusionExports:
    def test_orders_and_plans_export_every_row_scoped_and_escaped(
        self, org: Any, other_org: Any, admin_client: Any, admin_user: Any
    ) -> None:
        from chairside.homecare.tests import factories as hf

        patient = f.make_patient(org, first_name="Ana", last_name="=Lopez", mrn="HI-1")
        order = hf.make_home_order(patient, user=admin_user)
        hf.make_plan(patient, [order], user=admin_user, goals="")
        hf.make_home_order(f.make_patient(other_org, mrn="FAR-1"))
        orders = _rows(admin_client.get(reverse("homecare:orders"), {"format": "csv"}))
        assert orders[0] == EXPORTS["homecare:orders"].header
        assert [r[0] for r in orders[1:]] == ["HI-1"]
        assert orders[1][1].startswith("'=Lopez")  # a formula is written as text
        plans = _rows(admin_client.get(reverse("homecare:plans"), {"format": "csv"}))
        assert [r[0] for r in plans[1:]] == ["HI-1"]
        assert int(plans[1][5]) >= 1 and "goal" in plans[1][6].lower()
        assert AuditEvent.objects.filter(action="export").count() == 2


class TestDirectoryExports:
    def test_providers_and_staff_export_their_own_organization_escaped(
        self, org: Any, other_org: Any, admin_client: Any
    ) -> None:
        from chairside.access.referrals.tests.factories import make_provider
        from chairside.tenancy.models import StaffMember

        make_provider(org, last_name="+Ng")
        make_provider(other_org, last_name="Faraway")
        StaffMember.objects.create(organization=org, first_name="Rita", last_name="-Cole")
        StaffMember.objects.create(organization=other_org, first_name="Far", last_name="Staff")
        providers = _rows(admin_client.get(reverse("referrals:providers"), {"format": "csv"}))
        assert [r[0] for r in providers[1:]] == ["'+Ng"]
        staff = _rows(admin_client.get(reverse("tenancy:staff"), {"format": "csv"}))
        assert "'-Cole" in {r[0] for r in staff[1:]} and "Staff" not in {r[0] for r in staff}
