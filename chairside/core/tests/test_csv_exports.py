"""Issue 19.3: every list page exports its rows as CSV (``?format=csv``, the "Export CSV"
link): the page's filters, all its pages, permission-checked like the page, audited as an
export, every cell escaped against formula injection (``rules.interop.csv_safe``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chairside.access.authorizations.queues import QUEUES
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
    "homecare:outside_history": FORM,
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
    "homecare:reactions": "a short review queue of grade 2+ home reactions (cards to act on)",
    "homecare:reaction_review": ACTION,
    "homecare:visit_document": "a home visit's documentation (one record, entered on a tablet)",
    "homecare:visit_vitals": ACTION,
    "homecare:visit_dose": ACTION,
    "homecare:visit_dose_stop": ACTION,
    "homecare:visit_reaction": ACTION,
    "homecare:visit_times": ACTION,
    "homecare:visit_sign": ACTION,
    "homecare:visit_addendum": ACTION,
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
        # A page with a second list registers it as "name#table" (the crossovers of
        # billing:unmatched: billing/tests/test_remittance_reversals.py).
        assert {name.split("#")[0] for name in EXPORTS} == LIST_PAGES
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


def _no_export() -> bool:
    return not AuditEvent.objects.filter(action="export").exists()


class TestAccessQueueExports:
    @pytest.mark.parametrize("key", [q.key for q in QUEUES])
    def test_each_queue_exports_under_its_own_name(self, key: str, admin_client: Any) -> None:
        queue = next(q for q in QUEUES if q.key == key)
        url = reverse("authorizations:queue", args=[key])
        assert b'class="export-csv"' in admin_client.get(url).content
        response = admin_client.get(url, {"format": "csv"})
        assert _rows(response)[0] == EXPORTS["authorizations:queue"].header
        assert f'filename="access-{key}.csv"' in response["Content-Disposition"]
        event = AuditEvent.objects.get(action="export")
        assert event.reason == f"Access queue: {queue.title} (CSV)"

    def test_the_queue_holds_this_organizations_rows_with_the_pages_filters(
        self, org: Any, other_org: Any, location: Any, admin_client: Any
    ) -> None:
        from chairside.access.referrals.tests.factories import make_referral

        other_site = f.make_location(org, name="North")
        make_referral(org, patient_last_name="=Byron", patient_first_name="Ada", location=location)
        make_referral(
            org, patient_last_name="Lovelace", patient_first_name="Ann", location=other_site
        )
        make_referral(other_org, patient_last_name="Faraway", patient_first_name="Bo")
        url = reverse("authorizations:queue", args=["intake"])
        rows = _rows(admin_client.get(url, {"format": "csv"}))[1:]
        assert sorted(r[1] for r in rows) == ["'=Byron, Ada", "Lovelace, Ann"]
        assert {r[6] for r in rows} == {""}  # assigned to nobody
        only_here = _rows(admin_client.get(url, {"location": location.public_id, "format": "csv"}))
        assert [(r[1], r[5]) for r in only_here[1:]] == [("'=Byron, Ada", location.name)]

    def test_a_visitor_not_logged_in_gets_no_export(self, client: Any, org: Any) -> None:
        # Every role may see the work queues (patient.view); a visitor without a log-in may not.
        response = client.get(reverse("authorizations:queue", args=["intake"]), {"format": "csv"})
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert _no_export()


class TestAuditTrailExports:
    def test_the_trail_of_this_organization_filtered_and_escaped(
        self, org: Any, other_org: Any, admin_client: Any, admin_user: Any
    ) -> None:
        from chairside.audit.services import audit_record

        f.make_location(org, time_zone="America/Los_Angeles")  # the site's zone, as on the page
        audit_record(action="update", user=admin_user, organization=org, reason="=1+1")
        audit_record(action="create", user=admin_user, organization=org, reason="made")
        audit_record(action="update", user=None, organization=other_org, reason="elsewhere")
        url = reverse("tenancy:audit")
        rows = _rows(admin_client.get(url, {"action": "update", "format": "csv"}))
        assert rows[0] == EXPORTS["tenancy:audit"].header
        assert [(r[1], r[3], r[7]) for r in rows[1:]] == [(admin_user.username, "Changed", "'=1+1")]
        assert rows[1][0].endswith((" PST", " PDT")) and rows[1][0].count(":") == 2
        everything = _rows(admin_client.get(url, {"format": "csv"}))
        reasons = {r[7] for r in everything[1:]}
        assert "elsewhere" not in reasons and "made" in reasons

    def test_a_nurse_is_refused_and_nothing_is_exported(self, org: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        assert client.get(reverse("tenancy:audit"), {"format": "csv"}).status_code == 403
        assert _no_export()

    def test_a_patients_trail_and_access_report_export_that_patient_only(
        self, org: Any, admin_client: Any, admin_user: Any
    ) -> None:
        from chairside.audit.services import audit_record

        patient = f.make_patient(org, mrn="AUD-1")
        other = f.make_patient(org, mrn="AUD-2")
        audit_record(action="update", user=admin_user, obj=patient, patient=patient, reason="mine")
        audit_record(action="update", user=admin_user, obj=other, patient=other, reason="theirs")
        admin_client.get(reverse("patients:chart", args=[patient.public_id]))  # a read
        trail = _rows(
            admin_client.get(reverse("patients:audit", args=[patient.public_id]), {"format": "csv"})
        )
        assert trail[0] == EXPORTS["patients:audit"].header
        assert "mine" in {r[7] for r in trail[1:]} and "theirs" not in {r[7] for r in trail[1:]}
        access = _rows(
            admin_client.get(
                reverse("patients:access", args=[patient.public_id]), {"format": "csv"}
            )
        )
        assert access[0] == EXPORTS["patients:access"].header
        assert admin_user.username in {r[1] for r in access[1:]}
        assert f"/patients/{patient.public_id}/" in {r[4] for r in access[1:]}
        reasons = set(AuditEvent.objects.filter(action="export").values_list("reason", flat=True))
        assert reasons == {
            "A patient's audit trail (CSV)",
            "A patient's access report (who looked) (CSV)",
        }


def _compounded(org: Any, mrn: str, user: Any) -> Any:
    from chairside.compounding.tests import factories as cf
    from chairside.inventory.tests import factories as inv

    site = f.make_location(org, name=f"Pharmacy {mrn}")
    drug = inv.make_drug(org)
    lot = inv.make_lot(inv.make_place(site, "Fridge"), inv.package(drug), vials=10)
    cf.make_staff(org, user, "CPhT", "Luis", "Ortega")
    patient = f.make_patient(org, mrn=mrn, last_name="@Lee")
    formulation = cf.make_formulation(org, drug)
    return cf.compound(formulation, patient=patient, area=cf.make_area(site), lot=lot, user=user)


class TestCompoundingExports:
    def test_the_records_of_this_organization_with_the_pages_filter(
        self, org: Any, other_org: Any, admin_client: Any
    ) -> None:
        mine = _compounded(org, "CMP-1", f.make_user(org, "pharmacist"))
        _compounded(other_org, "CMP-FAR", f.make_user(other_org, "pharmacist"))
        url = reverse("compounding:home")
        rows = _rows(admin_client.get(url, {"format": "csv"}))
        assert rows[0] == EXPORTS["compounding:home"].header
        assert [(r[0], r[1]) for r in rows[1:]] == [(mine.number, "CMP-1")]
        assert rows[1][2].startswith("'@Lee, ")  # a formula is written as text
        assert rows[1][12].startswith("Prepared") and rows[1][9] == "Luis Ortega, CPhT"
        verified = _rows(admin_client.get(url, {"status": "verified", "format": "csv"}))
        assert verified[1:] == []
        formulations = _rows(
            admin_client.get(reverse("compounding:formulations"), {"format": "csv"})
        )
        assert len(formulations) == 2 and "infliximab" in formulations[1][1]

    def test_a_biller_is_refused_and_nothing_is_exported(self, org: Any) -> None:
        client = f.login(f.make_user(org, "biller"))
        assert client.get(reverse("compounding:home"), {"format": "csv"}).status_code == 403
        assert _no_export()


def _unmatched(org: Any) -> Any:
    """A Medicare payment reversal that no claim could take (as billing's own queue tests)."""
    from chairside.billing.models import UnmatchedRemittance
    from chairside.billing.services import charges_derive, claims_export, remittance_import
    from chairside.billing.simulate import claim_payment, reversal_of, simulated_835
    from chairside.billing.tests import factories as bf

    bf.billable_org(org)
    patient = bf.billable_patient(org)
    facts = bf.facts_for(patient, bf.medicare(org))
    claim = charges_derive(
        organization=org, patient=patient, location=None, facts=facts
    ).claims.get()
    claims_export(organization=org, claims=[claim], user=None)
    claim.refresh_from_db()
    payment = reversal_of(claim_payment(claim))
    text = simulated_835([claim], trace="U1", paid_on=dt.date(2026, 4, 2), payments=[payment])
    remittance_import(organization=org, text=text, filename="u.835", user=None)
    return UnmatchedRemittance.objects.get(organization=org)


class TestUnmatchedPaymentsExport:
    def test_the_payments_of_this_organization_only(
        self, org: Any, other_org: Any, admin_client: Any
    ) -> None:
        from chairside.billing.models import Remittance, UnmatchedRemittance

        entry = _unmatched(org)
        far = Remittance.objects.create(
            organization=other_org,
            payer_name="Far Payer",
            trace_number="FAR",
            paid_on=dt.date(2026, 4, 3),
            total_paid=Decimal(10),
            content="",
        )
        UnmatchedRemittance.objects.create(
            organization=other_org,
            remittance=far,
            control_number="FAR-CLAIM",
            status_code="1",
            charge=Decimal(10),
            paid=Decimal(10),
            patient_responsibility=Decimal(0),
            reason="elsewhere",
        )
        rows = _rows(admin_client.get(reverse("billing:unmatched"), {"format": "csv"}))
        assert rows[0] == EXPORTS["billing:unmatched"].header
        assert [r[3] for r in rows[1:]] == [entry.control_number]
        assert rows[1][0] == "2026-04-02" and rows[1][2] == "U1"
        assert rows[1][10] == entry.reason

    def test_a_nurse_is_refused_and_nothing_is_exported(self, org: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        assert client.get(reverse("billing:unmatched"), {"format": "csv"}).status_code == 403
        assert _no_export()


class TestHomeCareDayExport:
    def test_the_days_deliveries_visits_and_shifts_of_this_organization(
        self, org: Any, other_org: Any, admin_client: Any
    ) -> None:
        from chairside.homecare.tests import factories as hf

        day = dt.date(2026, 12, 8)
        site = hf.make_home_location(org)
        patient = hf.make_home_patient(org, site, mrn="HC-1", last_name="+Hart")
        hf.make_delivery(patient, site, day, cold_chain=True, validity_hours=24)
        hf.make_visit(patient, site, day, window=(13, 15), purpose="Dressing change")
        hf.make_shift(site, hf.make_staff(org), day)
        hf.make_delivery(patient, site, day + dt.timedelta(days=1))  # another day
        far_site = hf.make_home_location(other_org)
        hf.make_delivery(hf.make_home_patient(other_org, far_site, mrn="HC-FAR"), far_site, day)
        query = {"location": site.public_id, "date": day.isoformat()}
        page = admin_client.get(reverse("homecare:day"), query)
        assert b'class="export-csv"' in page.content
        rows = _rows(admin_client.get(reverse("homecare:day"), {**query, "format": "csv"}))
        assert rows[0] == EXPORTS["homecare:day"].header
        by_kind = {r[0]: r for r in rows[1:]}
        assert sorted(by_kind) == ["delivery", "field shift", "home visit"] and len(rows) == 4
        assert by_kind["delivery"][1:5] == ["09:00", "12:00", "HC-1", "'+Hart, Ada"]
        assert by_kind["delivery"][5].startswith("cold chain: ")
        assert "Dressing change" in by_kind["home visit"][5]
        assert by_kind["field shift"][1:3] == ["08:00", "17:00"]

    def test_a_nurse_is_sent_to_her_own_route_and_nothing_is_exported(self, org: Any) -> None:
        from chairside.homecare.tests import factories as hf

        hf.make_home_location(org)
        client = f.login(f.make_user(org, "nurse"))
        response = client.get(reverse("homecare:day"), {"format": "csv"})
        assert response.status_code == 302 and response["Location"] == reverse("homecare:my_route")
        assert _no_export()
