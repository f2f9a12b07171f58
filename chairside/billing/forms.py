"""Billing forms: they parse input; the services decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from chairside.access.authorizations.models import AssistanceEnrollment
from chairside.billing.models import (
    BillingProfile,
    Denial,
    PatientLedgerEntry,
    PayerContract,
    PayerDrugCategory,
)
from chairside.billing.services.fees import CONTRACT_FIELDS, PROFILE_FIELDS
from chairside.formulary.models import Drug
from chairside.patients.models import Payer
from chairside.rules.billing import claim_states as states

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _members(organization: Any) -> Any:
    return (
        get_user_model()
        .objects.filter(memberships__organization=organization, memberships__is_active=True)
        .order_by("username")
    )


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label="Move to")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [("", "Choose…"), *choices]  # type: ignore[attr-defined]


def transition_choices(state: str) -> list[tuple[str, str]]:
    return [(s, states.CLAIM.label(s)) for s in states.manual_moves(state)]


class LineAdjustForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, help_text="Negative lowers the charge (e.g. -120.00)."
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload


class DenialForm(forms.Form):
    status = forms.ChoiceField(choices=Denial.Status.choices)
    assigned_to: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Assignee"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = _members(organization)  # type: ignore[attr-defined]


# The home infusion terms (ambulatory infusion suite, per diem coding): optional on the form
# (a contract entered without them, or through an older client, gets place of service 49,
# nursing in the per diem, and the per diem by interval or volume).
SUITE_TERMS = ("suite_place_of_service", "suite_nursing", "per_diem_coding")


class ContractForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PayerContract
        fields = ["payer", *CONTRACT_FIELDS]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(  # type: ignore[attr-defined]
            organization=organization
        ).exclude(kind=Payer.Kind.SELF_PAY)
        if self.instance.pk:
            self.fields["payer"].disabled = True
        for name in SUITE_TERMS:  # a contract saved without suite terms keeps the defaults
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in SUITE_TERMS:
            if not data.get(name):
                kept = getattr(self.instance, name, "") if self.instance.pk else ""
                field = PayerContract._meta.get_field(name)
                assert isinstance(field, models.Field)
                data[name] = kept or field.get_default()
        return data

    def _post_clean(self) -> None:
        # The service validates the whole contract (organization included) and saves it.
        pass


class PayerDrugCategoryForm(forms.Form):
    """A payer's own administration category for one drug (Billing settings)."""

    payer = forms.ModelChoiceField(queryset=Payer.objects.none())
    drug = forms.ModelChoiceField(queryset=Drug.objects.none())
    category = forms.ChoiceField(
        label="Bill its administration as",
        required=False,
        choices=[("", "The formulary's category (remove)"), *PayerDrugCategory.Category.choices],
    )
    note = forms.CharField(
        required=False, max_length=200, help_text="The payer's policy or contract clause."
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(  # type: ignore[attr-defined]
            organization=organization
        ).exclude(kind=Payer.Kind.SELF_PAY)
        self.fields["drug"].queryset = Drug.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        ).exclude(admin_category=Drug.AdminCategory.HYDRATION)


class AdminFeeForm(forms.Form):
    cpt = forms.CharField(label="CPT code", max_length=5)
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, required=False, help_text="Empty removes the fee."
    )


class DrugRateForm(forms.Form):
    hcpcs = forms.CharField(label="HCPCS code", max_length=5)
    basis = forms.ChoiceField(choices=PayerContract.Basis.choices)
    percent = forms.DecimalField(max_digits=6, decimal_places=2, required=False)
    rate = forms.DecimalField(
        label="rate per unit", max_digits=12, decimal_places=4, required=False
    )


class BillingProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = BillingProfile
        fields = list(PROFILE_FIELDS)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_assignee"].queryset = _members(organization)  # type: ignore[attr-defined]
        self.fields["crossover_follow_up_days"].required = False

    def clean_crossover_follow_up_days(self) -> int:
        days = self.cleaned_data.get("crossover_follow_up_days")
        return 30 if days is None else int(days)

    def _post_clean(self) -> None:
        pass


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=90)
        return (start, end) if start <= end else (end, start)


class ClaimFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Claim number, MRN or last name",
        widget=forms.TextInput(
            attrs={"placeholder": "Claim number, MRN or last name", "type": "search"}
        ),
    )
    state = forms.ChoiceField(
        required=False, choices=[("", "Any state"), *states.CLAIM.labels.items()]
    )


class ResolveUnmatchedForm(forms.Form):
    note = forms.CharField(
        max_length=500,
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. posted by hand to claim C0000123; refund sent to the payer.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why"
    )


class MueOverrideForm(forms.Form):
    note = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the units are medically necessary",
    )


class AssistanceClaimForm(forms.Form):
    enrollment = forms.ModelChoiceField(queryset=AssistanceEnrollment.objects.none())
    amount = forms.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    submitted_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    eob = forms.FileField(
        required=False, label="Insurer's EOB (PDF or image)", help_text="Programs ask for it."
    )

    def __init__(self, *args: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = AssistanceEnrollment.objects.filter(  # type: ignore[attr-defined]
            patient=patient
        ).select_related("program")


class AssistanceDecisionForm(forms.Form):
    status = forms.ChoiceField(choices=[("paid", "Paid"), ("denied", "Denied")])
    amount_paid = forms.DecimalField(max_digits=10, decimal_places=2, required=False)
    decided_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=60, required=False)
    note = forms.CharField(max_length=300, required=False, label="Note (why, if denied)")
    eob = forms.FileField(required=False, label="Program's answer (PDF or image)")


class PatientPaymentForm(forms.Form):
    prefix = "pay"

    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.ChoiceField(choices=PatientLedgerEntry.Method.choices)
    reference = forms.CharField(
        required=False,
        max_length=40,
        label="Check number or card authorization code",
        help_text="Never the card number: the terminal's authorization code or last four digits.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    received_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    note = forms.CharField(required=False, max_length=200)
    at_visit = forms.BooleanField(
        required=False,
        label="Co-pay collected at today's visit",
        help_text="Before the claim is paid: may go beyond the balance by today's co-pay.",
    )


class PatientWriteOffForm(forms.Form):
    prefix = "wo"

    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.ChoiceField(
        choices=[("", "Choose…"), *PatientLedgerEntry.WriteOffReason.choices]
    )
    note = forms.CharField(required=False, max_length=200)


class PaymentPlanForm(forms.Form):
    prefix = "plan"

    monthly = forms.DecimalField(
        label="Amount per month", max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    first_due = forms.DateField(
        label="First payment due", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(required=False, max_length=200)
