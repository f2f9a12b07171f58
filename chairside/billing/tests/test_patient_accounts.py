"""Patient balances: self-pay visits and patient responsibility after insurance become patient
AR; payments, write-offs, plans and statements; the balance on the chart; patient AR ageing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.audit.models import AuditEvent
from chairside.billing.models import PatientLedgerEntry, PatientStatement, PaymentPlan
from chairside.billing.selectors.patient_accounts import (
    patient_account,
    patient_balances,
    patient_receivables,
)
from chairside.billing.services import (
    charges_derive,
    claims_export,
    patient_balance,
    patient_payment_record,
    patient_statement_create,
    patient_write_off,
    payment_plan_start,
    remittance_import,
)
from chairside.billing.simulate import claim_payment, reversal_of, simulated_835
from chairside.billing.tests import factories as bf
from tests import factories as f
from tests.assertions import assert_no_db_changes
from tests.factories import someone

D = Decimal
NOW = dt.datetime(2026, 4, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def billing(org: Any) -> Any:
    bf.billable_org(org)
    return org


def self_pay_visit(org: Any, patient: Any = None) -> Any:
    patient = patient or bf.billable_patient(org)
    facts = bf.facts_for(patient)  # no coverage at all
    return charges_derive(organization=org, patient=patient, location=None, facts=facts)


def paid_claim(org: Any, *payers: Any, trace: str = "T1") -> Any:
    patient = bf.billable_patient(org)
    encounter = charges_derive(
        organization=org, patient=patient, location=None, facts=bf.facts_for(patient, *payers)
    )
    claim = encounter.claims.get()
    claims_export(organization=org, claims=[claim], user=None)
    claim.refresh_from_db()
    text = simulated_835([claim], trace=trace, paid_on=dt.date(2026, 4, 2))
    remittance_import(organization=org, text=text, filename="era.835", user=None)
    claim.refresh_from_db()
    return claim


def owing(org: Any, amount: str = "500.00") -> Any:
    """A patient with a single self-pay charge of ``amount``."""
    patient = bf.billable_patient(org)
    PatientLedgerEntry.objects.create(
        organization=org,
        patient=patient,
        kind="charge",
        amount=D(amount),
        posted_on=dt.date(2026, 4, 1),
        service_date=dt.date(2026, 4, 1),
        description="Self-pay visit",
    )
    return patient


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
class TestWhereTheBalanceComesFrom:
    def test_it_puts_a_self_pay_visit_on_the_patient_account(self, billing: Any) -> None:
        encounter = self_pay_visit(billing)
        charges = sum((line.charge or D(0) for line in encounter.current_lines), D(0))
        assert charges > 0
        assert patient_balance(patient=encounter.patient) == charges

    def test_it_puts_medicare_coinsurance_on_the_account_when_no_secondary(
        self, billing: Any
    ) -> None:
        claim = paid_claim(billing, bf.medicare(billing))
        assert claim.patient_responsibility > 0
        assert patient_balance(patient=claim.patient) == claim.patient_responsibility
        entry = PatientLedgerEntry.objects.get(patient=claim.patient)
        assert entry.claim == claim and entry.service_date == claim.encounter.date_of_service

    def test_it_leaves_the_share_to_the_secondary_payer_when_there_is_one(
        self, billing: Any
    ) -> None:
        claim = paid_claim(billing, bf.medicare(billing), bf.commercial(billing))
        assert claim.patient_responsibility > 0
        assert patient_balance(patient=claim.patient) == 0

    def test_a_reversal_takes_the_share_back_off_the_account(self, billing: Any) -> None:
        claim = paid_claim(billing, bf.medicare(billing))
        reversal = reversal_of(claim_payment(claim))
        text = simulated_835([claim], trace="T2", paid_on=dt.date(2026, 4, 9), payments=[reversal])
        remittance_import(organization=billing, text=text, filename="r.835", user=None)
        assert patient_balance(patient=claim.patient) == 0
        assert PatientLedgerEntry.objects.filter(patient=claim.patient).count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
class TestPayments:
    def test_it_records_a_check_and_lowers_the_balance(self, billing: Any) -> None:
        patient = owing(billing)
        user = f.make_user(billing, "biller")
        entry = patient_payment_record(
            patient=patient, amount="120.00", method="check", reference="1042", user=user
        )
        assert entry.amount == D("-120.00")
        assert patient_balance(patient=patient) == D("380.00")
        event = AuditEvent.objects.get(object_id=entry.public_id)
        assert event.patient_id == patient.public_id and event.user == user

    @pytest.mark.parametrize("reference", ["4111111111111111", "4111 1111 1111 1111"])
    def test_it_refuses_a_full_card_number(self, billing: Any, reference: str) -> None:
        patient = owing(billing)
        with pytest.raises(ValidationError, match="card number"):
            patient_payment_record(
                patient=patient, amount="10", method="card", reference=reference, user=someone()
            )
        assert not PatientLedgerEntry.objects.filter(kind="payment").exists()

    def test_it_refuses_a_card_number_hidden_in_the_note(self, billing: Any) -> None:
        with pytest.raises(ValidationError, match="card number"):
            patient_payment_record(
                patient=owing(billing),
                amount="10",
                method="card",
                reference="auth 55A1",
                note="card 5555-5555-5555-4444",
                user=someone(),
            )

    def test_it_wants_the_check_number(self, billing: Any) -> None:
        with pytest.raises(ValidationError, match="check number"):
            patient_payment_record(
                patient=owing(billing), amount="10", method="check", user=someone()
            )

    def test_it_refuses_more_than_the_balance(self, billing: Any) -> None:
        with pytest.raises(ValidationError, match="owes \\$500.00"):
            patient_payment_record(
                patient=owing(billing), amount="500.01", method="cash", user=someone()
            )

    def test_it_refuses_fractions_of_a_cent(self, billing: Any) -> None:
        with pytest.raises(ValidationError, match="whole cents"):
            patient_payment_record(
                patient=owing(billing), amount="1.005", method="cash", user=someone()
            )

    def test_the_ledger_is_append_only(self, billing: Any) -> None:
        patient = owing(billing)
        entry = PatientLedgerEntry.objects.get(patient=patient)
        entry.amount = D(1)
        with pytest.raises(TypeError, match="append-only"):
            entry.save()


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
class TestWriteOffs:
    def test_it_writes_off_with_a_reason_and_audits_it(self, billing: Any) -> None:
        patient = owing(billing, "4.50")
        entry = patient_write_off(
            patient=patient, amount="4.50", reason="small_balance", note="under $5", user=someone()
        )
        assert patient_balance(patient=patient) == 0
        assert entry.how == "Small balance"
        assert AuditEvent.objects.filter(object_id=entry.public_id, reason="under $5").exists()

    def test_it_refuses_a_write_off_without_a_known_reason(self, billing: Any) -> None:
        with pytest.raises(ValidationError, match="why"):
            patient_write_off(patient=owing(billing), amount="5", reason="", user=someone())


@pytest.mark.django_db
class TestPlans:
    def test_it_puts_the_balance_on_a_plan_and_flags_a_missed_payment(self, billing: Any) -> None:
        with time_machine.travel(NOW, tick=False):
            patient = owing(billing, "300.00")
            plan = payment_plan_start(
                patient=patient, monthly="100", first_due=dt.date(2026, 5, 1), user=someone()
            )
            assert plan.total == D("300.00")
        with time_machine.travel(dt.datetime(2026, 5, 10, 15, tzinfo=dt.UTC), tick=False):
            account = patient_account(patient=patient, today=dt.date(2026, 5, 10))
            assert account["plan_status"].missed is True
            assert account["plan_status"].amount_due == D("200")
            patient_payment_record(patient=patient, amount="100", method="cash", user=someone())
            account = patient_account(patient=patient, today=dt.date(2026, 5, 10))
            assert account["plan_status"].missed is False
            assert account["plan_status"].next_due == dt.date(2026, 6, 1)

    def test_payments_before_the_plan_do_not_count_towards_it(self, billing: Any) -> None:
        with time_machine.travel(NOW, tick=True):
            patient = owing(billing, "300.00")
            patient_payment_record(patient=patient, amount="100", method="cash", user=someone())
            plan = payment_plan_start(
                patient=patient, monthly="50", first_due=dt.date(2026, 5, 1), user=someone()
            )
            status = patient_account(patient=patient, today=dt.date(2026, 4, 20))["plan_status"]
        assert plan.total == D("200.00")
        assert (status.paid, status.amount_due, status.instalments) == (D(0), D(50), 4)

    @time_machine.travel(NOW, tick=False)
    def test_a_new_plan_replaces_the_open_one(self, billing: Any) -> None:
        patient = owing(billing)
        payment_plan_start(
            patient=patient, monthly="100", first_due=dt.date(2026, 5, 1), user=someone()
        )
        payment_plan_start(
            patient=patient, monthly="50", first_due=dt.date(2026, 5, 1), user=someone()
        )
        assert PaymentPlan.objects.filter(patient=patient, ended_on__isnull=True).count() == 1
        assert PaymentPlan.objects.filter(patient=patient).count() == 2

    @time_machine.travel(NOW, tick=False)
    def test_it_refuses_a_plan_with_nothing_owed(self, billing: Any) -> None:
        with pytest.raises(ValidationError, match="owes nothing"):
            payment_plan_start(
                patient=bf.billable_patient(billing),
                monthly="50",
                first_due=dt.date(2026, 5, 1),
                user=someone(),
            )


@pytest.mark.django_db
class TestAgeingAndStatements:
    def test_a_statement_restarts_the_age_of_what_it_billed(self, billing: Any) -> None:
        with time_machine.travel(NOW, tick=False):
            patient = owing(billing, "250.00")  # date of service 04/01/2026
            statement = patient_statement_create(patient=patient, user=someone())
            assert statement.amount_due == D("250.00")
            assert statement.due_date == dt.date(2026, 5, 20)
            assert statement.data["lines"][0]["amount"] == "250.00"
            # the statement ages what it bills from its own date, not 19 days from service
            assert statement.data["ageing"]["0–30"] == "250.00"
        # 80 days after service but 60 after the statement: 31–60, not 61–90
        today = dt.date(2026, 6, 19)
        receivables = patient_receivables(organization=billing, today=today)
        assert receivables["buckets"]["31–60"] == D("250.00")
        assert receivables["total"] == D("250.00") and receivables["count"] == 1

    def test_an_unstated_balance_ages_from_the_date_of_service(self, billing: Any) -> None:
        owing(billing, "75.00")
        receivables = patient_receivables(organization=billing, today=dt.date(2026, 8, 15))
        assert receivables["buckets"]["over 120"] == D("75.00")

    def test_balances_are_scoped_to_the_organization(self, billing: Any, other_org: Any) -> None:
        owing(billing)
        assert patient_balances(organization=other_org, today=dt.date(2026, 5, 1)) == []

    @time_machine.travel(NOW, tick=False)
    def test_it_refuses_a_statement_when_nothing_is_owed(self, billing: Any) -> None:
        with pytest.raises(ValidationError, match="owes nothing"):
            patient_statement_create(patient=bf.billable_patient(billing), user=someone())
        assert not PatientStatement.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
class TestPages:
    def test_the_balances_list_finds_a_patient_and_pages(self, billing: Any) -> None:
        patients = [owing(billing, f"{100 + n}.00") for n in range(52)]
        client = f.login(f.make_user(billing, "biller"))
        url = reverse("billing:patient_balances")
        first = client.get(url).content.decode()
        assert "Page 1 of 2" in first and patients[-1].mrn in first  # most owed first
        assert patients[0].mrn not in first
        assert patients[0].mrn in client.get(url + "?page=2").content.decode()
        found = client.get(url, {"q": patients[0].mrn}).content.decode()
        assert patients[0].mrn in found and patients[-1].mrn not in found
        # The ageing sums every patient who owes, whatever the search.
        assert "52 patients owing" in found
        none = client.get(url, {"q": "Nobody-Such"}).content.decode()
        assert "No patient matching" in none

    def test_a_biller_records_a_payment_and_prints_a_statement(self, billing: Any) -> None:
        patient = owing(billing)
        client = f.login(f.make_user(billing, "biller"))
        url = reverse("billing:patient_payment", args=[patient.public_id])
        response = client.post(
            url,
            {
                "pay-amount": "100.00",
                "pay-method": "card",
                "pay-reference": "auth 0A12",
                "pay-received_on": "2026-04-20",
            },
        )
        assert response.status_code == 302
        assert patient_balance(patient=patient) == D("400.00")
        response = client.post(reverse("billing:statement_create", args=[patient.public_id]))
        statement = PatientStatement.objects.get(patient=patient)
        url = reverse("billing:statement", args=[statement.public_id])
        assert response["Location"] == url
        pdf = client.get(url + "?format=pdf")
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")

    def test_the_form_shows_why_a_card_number_is_refused(self, billing: Any) -> None:
        patient = owing(billing)
        client = f.login(f.make_user(billing, "biller"))
        response = client.post(
            reverse("billing:patient_payment", args=[patient.public_id]),
            {
                "pay-amount": "10",
                "pay-method": "card",
                "pay-reference": "4111111111111111",
                "pay-received_on": "2026-04-20",
            },
        )
        assert response.status_code == 400
        assert b"Never record a card number" in response.content
        assert not PatientLedgerEntry.objects.filter(kind="payment").exists()

    @pytest.mark.parametrize("role", ["auditor", "coordinator", "nurse"])
    def test_only_billers_and_admins_write_off(self, billing: Any, role: str) -> None:
        patient = owing(billing)
        client = f.login(f.make_user(billing, role))
        with assert_no_db_changes(PatientLedgerEntry, AuditEvent):
            response = client.post(
                reverse("billing:patient_write_off", args=[patient.public_id]),
                {"wo-amount": "10", "wo-reason": "bad_debt"},
            )
            assert response.status_code == 403
        assert patient_balance(patient=patient) == D("500.00")

    @pytest.mark.parametrize("role", ["biller", "admin"])
    def test_billers_and_admins_write_off(self, billing: Any, role: str) -> None:
        patient = owing(billing)
        client = f.login(f.make_user(billing, role))
        response = client.post(
            reverse("billing:patient_write_off", args=[patient.public_id]),
            {"wo-amount": "10", "wo-reason": "hardship", "wo-note": "charity policy"},
        )
        assert response.status_code == 302
        assert patient_balance(patient=patient) == D("490.00")

    def test_the_chart_shows_the_balance(self, billing: Any) -> None:
        patient = owing(billing, "123.45")
        client = f.login(f.make_user(billing, "biller"))
        response = client.get(reverse("patients:chart", args=[patient.public_id]))
        assert b"Patient balance" in response.content and b"$123.45" in response.content

    def test_the_ar_report_has_patient_buckets(self, billing: Any) -> None:
        owing(billing, "80.00")
        client = f.login(f.make_user(billing, "biller"))
        response = client.get(reverse("billing:home"))
        assert b"Patient AR" in response.content
        assert b"91\xe2\x80\x93120 days" in response.content

    def test_another_organizations_account_is_a_404(self, billing: Any, other_org: Any) -> None:
        patient = owing(billing)
        client = f.login(f.make_user(other_org, "biller"))
        response = client.get(reverse("billing:patient_account", args=[patient.public_id]))
        assert response.status_code == 404


def _visit_today_with_copay(org: Any, copay: str = "40.00") -> Any:
    """A commercial patient booked today whose primary benefits are verified with a co-pay."""
    from chairside.access.referrals.tests import factories as rf
    from chairside.treatments.tests import factories as tf

    patient = rf.covered_patient(org, address_line1="12 Elm Street", city="Riverside")
    order = rf.make_order(patient)
    rf.verify_benefits(order, f.make_user(org, "coordinator"), copay=D(copay))
    location = f.make_location(org, chairs=1)
    tf.make_appointment(order, location, status="booked", start=NOW.replace(hour=14))
    return patient


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
class TestCopayAtTheDesk:
    def test_todays_copay_may_be_taken_before_the_claim_is_paid(self, org: Any) -> None:
        patient = _visit_today_with_copay(org)
        desk = f.make_user(org, "coordinator")
        entry = patient_payment_record(
            patient=patient, amount="40.00", method="cash", at_visit=True, user=desk
        )
        assert entry.description.startswith("Co-pay at the visit")
        assert patient_balance(patient=patient) == D("-40.00")  # a credit until the ERA
        event = AuditEvent.objects.filter(object_id=entry.public_id).latest("at", "id")
        assert event.changes["at_visit"] == [None, True]

    def test_more_than_the_copay_or_without_a_visit_is_refused(self, org: Any) -> None:
        patient = _visit_today_with_copay(org)
        desk = f.make_user(org, "coordinator")
        with pytest.raises(ValidationError, match=r"co-pay is \$40"):
            patient_payment_record(
                patient=patient, amount="40.01", method="cash", at_visit=True, user=desk
            )
        stranger = owing(org, "10.00")
        with pytest.raises(ValidationError, match="No appointment today"):
            patient_payment_record(
                patient=stranger, amount="5.00", method="cash", at_visit=True, user=desk
            )
        assert not PatientLedgerEntry.objects.filter(kind="payment").exists()

    def test_the_coordinator_takes_it_from_the_chart_but_cannot_write_off(self, org: Any) -> None:
        patient = _visit_today_with_copay(org)
        client = f.login(f.make_user(org, "coordinator"))
        chart = client.get(reverse("patients:chart", args=[patient.public_id])).content.decode()
        assert "Today's co-pay" in chart and "Take the co-pay" in chart
        account = reverse("billing:patient_account", args=[patient.public_id])
        page = client.get(account).content.decode()
        assert "Co-pay collected at today" in page and "Write off" not in page
        response = client.post(
            reverse("billing:patient_payment", args=[patient.public_id]),
            {
                "pay-amount": "40.00",
                "pay-method": "card",
                "pay-reference": "auth 77A1",
                "pay-received_on": "2026-04-20",
                "pay-at_visit": "on",
            },
        )
        assert response.status_code == 302
        assert patient_balance(patient=patient) == D("-40.00")
        write_off = reverse("billing:patient_write_off", args=[patient.public_id])
        with assert_no_db_changes(PatientLedgerEntry, AuditEvent):
            refused = client.post(write_off, {"wo-amount": "1", "wo-reason": "small"})
            assert refused.status_code == 403
        assert client.get(reverse("billing:patient_balances")).status_code == 403
