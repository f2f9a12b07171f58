"""Issue 19.3: every list page exports its rows as CSV (``?format=csv``, the "Export CSV"
link): the page's filters, all its pages, permission-checked like the page, audited as an
export, every cell escaped against formula injection (``rules.csv_safe``)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chairside.audit.exports import EXPORTS
from chairside.audit.models import AuditEvent
from tests import factories as f

# Every URL of the app (admin and the API aside) is classified here: a list page exports its
# rows (LIST_PAGES), anything else says why not (NOT_A_LIST). A new URL fails
# ``test_every_url_is_classified_once`` until someone puts it in one of the two.
LIST_PAGES = {
    "patients:list",
    "patients:audit",  # one patient's audit trail
    "patients:access",  # who looked at one patient's chart
    "referrals:list",
    "referrals:providers",
    "referrals:to_sign",
    "authorizations:queue",  # every work queue (the key in the URL), each with its own file
    "authorizations:assistance_programs",
    "billing:claims",
    "billing:patient_balances",
    "billing:remittances",
    "billing:unmatched",
    "billing:contracts",
    "billing:home_infusion",
    "inventory:stock",
    "inventory:expiring",
    "inventory:orders",
    "inventory:lot",  # one lot's movement history
    "inventory:queue",
    "inventory:counts",
    "inventory:forecast",
    "inventory:reservations",
    "inventory:reconciliation",
    "scheduling:shifts",  # the week's nurse shifts as rows (the page draws them as a rota)
    "scheduling:closures",
    "treatments:day",
    "treatments:reports",
    "reminders:requests",
    "readiness:board",
    "interop:messages",
    "interop:eligibility_list",  # one coverage's inquiries: interop/tests/test_eligibility.py
    "homecare:day",  # the day's deliveries, home visits and field shifts
    "homecare:patients",
    "homecare:orders",
    "homecare:plans",
    "homecare:follow_ups",
    "compounding:home",  # the compounding records
    "compounding:formulations",
    "tenancy:staff",
    "tenancy:audit",
    "analytics:prepared_not_given",
}
# Pages that need a record in the URL (or, for the home-care day, a home-infusion site):
# tested below where the record is made.
NEED_A_RECORD = {
    "patients:audit",
    "patients:access",
    "authorizations:queue",
    "inventory:lot",
    "interop:eligibility_list",
    "homecare:day",
}

FORM = "a form"
DETAIL = "a record's detail"
ACTION = "an action (POST)"
FILE = "a file download (its own format)"
DASHBOARD = "a dashboard of counts and short lists; the full lists are their own pages"
MACHINE = "for machines, not people"
OWN = "a person's own account"
NOT_A_LIST = {
    # log-in and a person's own account
    "login": FORM,
    "logout": ACTION,
    "healthz": MACHINE,
    "today": DASHBOARD,
    "switch_organization": ACTION,
    "accounts:home": OWN,
    "accounts:invitation": FORM,
    "accounts:password_change": FORM,
    "accounts:recovery_codes": OWN,
    "accounts:session": MACHINE,
    "accounts:two_factor_enrol": FORM,
    "accounts:two_factor_off": FORM,
    "accounts:two_factor_verify": FORM,
    "api_tokens:list": "a person's own tokens (no patient data)",
    "api_tokens:revoke": ACTION,
    # reports and the planner
    "analytics:home": "a dashboard of figures (charts and totals, no rows)",
    "analytics:panel_group": "a part of the dashboard (htmx)",
    "analytics:planner": "the scenario planner (a form and its figures)",
    "analytics:compare": "scenarios side by side (figures, not rows)",
    "analytics:fee_terms": FORM,
    "analytics:scenario": DETAIL,
    "analytics:scenario_create": FORM,
    "analytics:scenario_edit": FORM,
    "analytics:scenario_delete": ACTION,
    "analytics:scenario_csv": FILE,
    "analytics:scenario_pdf": FILE,
    "analytics:simulate": ACTION,
    # access
    "authorizations:home": DASHBOARD,
    "authorizations:assign": ACTION,
    "authorizations:assistance": "one patient's enrolments (a part of the patient's record)",
    "authorizations:assistance_end": ACTION,
    "authorizations:benefits": DETAIL,
    "authorizations:benefits_open": ACTION,
    "authorizations:detail": DETAIL,
    "authorizations:document": FILE,
    "authorizations:document_add": FORM,
    "authorizations:edit": FORM,
    "authorizations:open": ACTION,
    "authorizations:renew": ACTION,
    "authorizations:transition": ACTION,
    "referrals:create": FORM,
    "referrals:detail": DETAIL,
    "referrals:document": FILE,
    "referrals:document_add": FORM,
    "referrals:edit": FORM,
    "referrals:lab_add": FORM,
    "referrals:link_patient": ACTION,
    "referrals:order": DETAIL,
    "referrals:order_create": FORM,
    "referrals:order_edit": FORM,
    "referrals:order_lab_add": FORM,
    "referrals:order_sign": ACTION,
    "referrals:order_status": ACTION,
    "referrals:provider_create": FORM,
    "referrals:provider_edit": FORM,
    "referrals:regimen_options": "a part of the order form (htmx)",
    "referrals:register_patient": ACTION,
    "referrals:transition": ACTION,
    # billing
    "billing:home": DASHBOARD + " (claims and denials: the claims list)",
    "billing:assistance_decide": ACTION,
    "billing:assistance_document": FILE,
    "billing:claim": DETAIL,
    "billing:claim_assistance": DETAIL,
    "billing:claim_check": ACTION,
    "billing:claim_cms1500": FILE,
    "billing:claim_ub04": FILE,
    "billing:claim_mue": ACTION,
    "billing:claim_replace": ACTION,
    "billing:claim_submit": ACTION,
    "billing:claim_transition": ACTION,
    "billing:claim_void": ACTION,
    "billing:contract": FORM,
    "billing:contract_drug": ACTION,
    "billing:contract_fee": ACTION,
    "billing:contract_new": FORM,
    "billing:denial": FORM,
    "billing:encounter": DETAIL,
    "billing:encounter_reviewed": ACTION,
    "billing:export": FILE,
    "billing:export_ready": ACTION,
    "billing:fees": "an import page: the CMS ASP file it shows is the source file",
    "billing:opps": "an import page: the CMS OPPS Addendum B it shows is the source file",
    "billing:margins": "a report of totals by drug and payer (figures, not records)",
    "billing:home_infusion_derive": ACTION,
    "billing:line_adjust": ACTION,
    "billing:patient_account": DETAIL,
    "billing:patient_payment": FORM,
    "billing:patient_write_off": FORM,
    "billing:payer_drug_category": FORM,
    "billing:payment_plan_start": FORM,
    "billing:payment_plan_end": ACTION,
    "billing:remittance": DETAIL,
    "billing:settings": FORM,
    "billing:statement": DETAIL,
    "billing:statement_create": ACTION,
    "billing:unmatched_resolve": ACTION,
    # compliance
    "compliance:home": "the choice of a site",
    "compliance:page": "a site's evidence binder (sections; its export is the PDF)",
    "compliance:pdf": FILE,
    "compliance:import": DETAIL,
    "compliance:csv_upload": FORM,
    "compliance:action_done": ACTION,
    "compliance:action_new": FORM,
    "compliance:checkoff_new": FORM,
    "compliance:device_new": FORM,
    "compliance:excursion_follow_up": FORM,
    "compliance:incident_new": FORM,
    "compliance:licence_new": FORM,
    "compliance:licence_verify": ACTION,
    "compliance:policy_acknowledge": ACTION,
    "compliance:policy_new": FORM,
    "compliance:reading_new": FORM,
    # compounding
    "compounding:compound": FORM,
    "compounding:formulation": DETAIL,
    "compounding:formulation_new": FORM,
    "compounding:label": FILE,
    "compounding:recall": "a lot look-up with its own CSV (rules.csv_safe), audited",
    "compounding:record": DETAIL,
    "compounding:verify": ACTION,
    # FHIR
    "fhir:system": MACHINE,
    "fhir:metadata": MACHINE,
    "fhir:type": MACHINE,
    "fhir:instance": MACHINE,
    "fhir:pas_request_bundle": MACHINE,
    # home care
    "homecare:my_route": "a field worker's own stops for the day (cards to work from)",
    "homecare:decide": ACTION,
    "homecare:propose": ACTION,
    "homecare:delivery_new": FORM,
    "homecare:visit_new": FORM,
    "homecare:shift_new": FORM,
    "homecare:home_edit": FORM,
    "homecare:ticket": DETAIL,
    "homecare:proof": FORM,
    "homecare:patient": DETAIL,
    "homecare:order": DETAIL,
    "homecare:order_new": FORM,
    "homecare:order_edit": FORM,
    "homecare:plan": DETAIL,
    "homecare:plan_new": FORM,
    "homecare:plan_edit": FORM,
    "homecare:plan_review": FORM,
    "homecare:monitoring_new": FORM,
    "homecare:teaching_new": FORM,
    "homecare:follow_up_done": ACTION,
    # interfaces
    "interop:messages_csv": "the interface messages' own CSV download",
    "interop:message": DETAIL,
    "interop:download": FILE,
    "interop:feed_download": FILE,
    "interop:receive": MACHINE,
    "interop:reprocess": ACTION,
    "interop:settings": FORM,
    "interop:import": FORM,
    "interop:import_detail": DETAIL,
    "interop:import_commit": ACTION,
    "interop:eligibility": DETAIL,
    "interop:eligibility_check": ACTION,
    "interop:eligibility_collect": ACTION,
    "interop:eligibility_confirm": ACTION,
    "interop:eligibility_dismiss": ACTION,
    "interop:prior_auth_278": FORM,
    "interop:prior_auth_confirm": ACTION,
    "interop:prior_auth_download": FILE,
    "interop:prior_auth_pas": FILE,
    "interop:prior_auth_read": FORM,
    # inventory
    "inventory:count": "a count sheet (a form to type the counts)",
    "inventory:count_complete": ACTION,
    "inventory:dispense": FORM,
    "inventory:expired_remove": ACTION,
    "inventory:invoice_paid": ACTION,
    "inventory:lot_adjust": ACTION,
    "inventory:lot_expire": ACTION,
    "inventory:lot_return": ACTION,
    "inventory:lot_transfer": ACTION,
    "inventory:lot_waste": ACTION,
    "inventory:money": "a summary of money figures (stock value, payments due)",
    "inventory:ndc_lookup": "a part of the receiving form (htmx)",
    "inventory:order": DETAIL,
    "inventory:order_cancel": ACTION,
    "inventory:order_create": ACTION,
    "inventory:order_send": ACTION,
    "inventory:package_add": FORM,
    "inventory:place_create": FORM,
    "inventory:place_edit": FORM,
    "inventory:queue_verify": ACTION,
    "inventory:queue_early_prep": ACTION,
    "inventory:receive": FORM,
    "inventory:reserve": ACTION,
    "inventory:setup": "settings: vendors, storage places, targets",
    "inventory:site_settings": FORM,
    "inventory:vendor_create": FORM,
    "inventory:vendor_edit": FORM,
    # patients
    "patients:chart": DETAIL,
    "patients:create": FORM,
    "patients:edit": FORM,
    "patients:contact": FORM,
    "patients:coverage_add": FORM,
    "patients:coverage_edit": FORM,
    "patients:allergy_add": FORM,
    "patients:allergy_remove": ACTION,
    "patients:diagnosis_add": FORM,
    "patients:diagnosis_remove": ACTION,
    "patients:measurement_add": FORM,
    # reminders
    "reminders:answer": "the patient's answer page (a link in a reminder)",
    "reminders:request_done": ACTION,
    # scheduling
    "scheduling:board": "a timetable: the chair grid of one day",
    "scheduling:week": "a timetable: the week's calendar",
    "scheduling:book": FORM,
    "scheduling:find_slot": "a search for a free slot (a form and its proposals)",
    "scheduling:order_picker": "a part of the booking form (htmx)",
    "scheduling:series": "a form: book one order's series",
    "scheduling:optimize": FORM,
    "scheduling:optimize_apply": ACTION,
    "scheduling:optimize_job": "a background job's progress (htmx)",
    "scheduling:panel": DETAIL,
    "scheduling:cancel": ACTION,
    "scheduling:move": ACTION,
    "scheduling:no_show": ACTION,
    "scheduling:nurse": ACTION,
    "scheduling:status": ACTION,
    "scheduling:closure_remove": ACTION,
    "scheduling:holidays": ACTION,
    "scheduling:shift_remove": ACTION,
    "scheduling:ics": FILE,
    # settings
    "tenancy:settings": "the settings page (sites, log-ins, the role matrix)",
    "tenancy:chair_create": FORM,
    "tenancy:chair_edit": FORM,
    "tenancy:location_create": FORM,
    "tenancy:location_edit": FORM,
    "tenancy:membership_grant": FORM,
    "tenancy:password_reset": FORM,
    "tenancy:staff_create": FORM,
    "tenancy:staff_edit": FORM,
    # the visit
    "treatments:alerts": "open reaction alerts, each a card to act on at once",
    "treatments:alert_ack": ACTION,
    "treatments:visit": DETAIL,
    "treatments:summary": DETAIL,
    "treatments:start": ACTION,
    "treatments:checks": FORM,
    "treatments:checks_save": ACTION,
    "treatments:consent": ACTION,
    "treatments:vitals": ACTION,
    "treatments:allergy_new": ACTION,
    "treatments:preparation": FORM,
    "treatments:preparation_check": ACTION,
    "treatments:preparation_save": ACTION,
    "treatments:dispense": ACTION,
    "treatments:attach": ACTION,
    "treatments:waste_witness": ACTION,
    "treatments:administration": FORM,
    "treatments:administration_start": ACTION,
    "treatments:administration_action": ACTION,
    "treatments:order_item": ACTION,
    "treatments:reaction": ACTION,
    "treatments:reaction_outcome": ACTION,
    "treatments:discharge": FORM,
    "treatments:discharge_save": ACTION,
    "treatments:sign": FORM,
    "treatments:sign_confirm": ACTION,
    "treatments:addendum": FORM,
    "treatments:report_pdf": FILE,
    "treatments:report_resend": ACTION,
    "treatments:report_sent": ACTION,
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
    def test_every_url_is_classified_once(self) -> None:
        names = _names(get_resolver().url_patterns)
        pages = {n for n in names if n.split(":")[0] not in ("admin", "api")}  # not app pages
        assert LIST_PAGES & set(NOT_A_LIST) == set(), "a page is both a list and not one"
        assert pages - LIST_PAGES - set(NOT_A_LIST) == set(), "classify the new URL here"
        assert (LIST_PAGES | set(NOT_A_LIST)) - pages == set(), "a classified URL is gone"

    def test_every_list_page_registers_its_export(self) -> None:
        assert set(EXPORTS) == LIST_PAGES
        assert NEED_A_RECORD <= LIST_PAGES

    @pytest.mark.parametrize("name", sorted(LIST_PAGES - NEED_A_RECORD))
    def test_each_export_answers_its_header_and_is_audited(
        self, name: str, admin_client: Any, location: Any
    ) -> None:
        response = admin_client.get(reverse(name), {"format": "csv", "page": "2"})
        assert response.status_code == 200
        assert _rows(response)[0] == EXPORTS[name].header
        assert 'attachment; filename="' in response["Content-Disposition"]
        event = AuditEvent.objects.get(action="export")
        assert event.reason == f"{EXPORTS[name].title} (CSV)"

    @pytest.mark.parametrize("name", sorted(LIST_PAGES - NEED_A_RECORD))
    def test_each_page_shows_its_export_link(
        self, name: str, admin_client: Any, location: Any
    ) -> None:
        page = admin_client.get(reverse(name))
        assert page.status_code == 200
        assert b'class="export-csv"' in page.content and b"format=csv" in page.content

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
