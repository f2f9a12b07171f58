"""Home-care forms: parse what was typed; the services decide what is allowed."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from chairside.access.referrals.models import ReferringProvider, TreatmentOrder
from chairside.formulary.models import Drug
from chairside.homecare.models import (
    NURSE_CREDENTIALS,
    AccessDevice,
    AdministrationDevice,
    DeliveryTicket,
    FieldShift,
    HomeInfusionOrder,
    HomeVisit,
    TeachingRecord,
)
from chairside.patients.models import Patient
from chairside.tenancy.models import Location, StaffMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local", "step": 60}, format="%Y-%m-%dT%H:%M"
)
NUMBER = {"inputmode": "decimal"}
LINES = forms.Textarea(attrs={"rows": 4})
SEPARATOR = re.compile(r"\s*(?::|—|–|\s-\s)\s*")
CREDENTIAL_INPUT = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}


def lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def split_pair(line: str) -> tuple[str, str]:
    """``"Vancomycin trough: weekly"`` → ``("Vancomycin trough", "weekly")``."""
    parts = SEPARATOR.split(line, maxsplit=1)
    return (parts[0].strip(), parts[1].strip() if len(parts) > 1 else "")


def _choice(field: forms.Field) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class HomeOrderForm(forms.Form):
    treatment_order = forms.ModelChoiceField(
        queryset=TreatmentOrder.objects.none(),
        required=False,
        label="Signed medication order",
        help_text="When the therapy carries out a signed order of the chart: its drug, dose, "
        "prescriber and signature date are taken from it.",
    )
    therapy_type = forms.ChoiceField(choices=HomeInfusionOrder.TherapyType.choices)
    therapy_other = forms.CharField(max_length=120, required=False, label="Other therapy")
    drug = forms.ModelChoiceField(
        queryset=Drug.objects.none(), required=False, label="Drug (formulary)"
    )
    drug_name = forms.CharField(
        max_length=160,
        required=False,
        label="Drug (as written)",
        help_text="When the drug is not in the formulary, e.g. “Vancomycin”.",
    )
    dose_amount = forms.DecimalField(
        max_digits=10,
        decimal_places=3,
        min_value=Decimal("0.001"),
        required=False,
        label="Dose",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    dose_unit = forms.ChoiceField(choices=HomeInfusionOrder.DoseUnit.choices, initial="mg")
    doses_per_day = forms.IntegerField(min_value=1, max_value=24, initial=1, label="Doses per day")
    every_days = forms.IntegerField(
        min_value=1,
        max_value=90,
        initial=1,
        label="Dose days every (days)",
        help_text="1: daily; 7: weekly; 28: every 4 weeks.",
    )
    continuous = forms.BooleanField(required=False, label="Continuous infusion")
    infusion_minutes = forms.IntegerField(
        min_value=1, max_value=1440, required=False, label="Each infusion runs (minutes)"
    )
    start_date = forms.DateField(widget=DATE)
    duration_days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, label="Duration (days)"
    )
    stop_date = forms.DateField(widget=DATE, required=False)
    access_device = forms.ChoiceField(choices=AccessDevice.choices)
    access_inserted_on = forms.DateField(
        widget=DATE, required=False, label="Access device inserted on"
    )
    administration_device = forms.ChoiceField(choices=AdministrationDevice.choices)
    supplies = forms.CharField(
        required=False, widget=LINES, help_text="One item a line (flushes, sets, dressing kits)."
    )
    nursing_visit_frequency = forms.ChoiceField(
        choices=HomeInfusionOrder.NursingFrequency.choices, initial="weekly"
    )
    ordering_provider = forms.ModelChoiceField(
        queryset=ReferringProvider.objects.none(), required=False
    )
    signed_on = forms.DateField(
        widget=DATE,
        required=False,
        label="Prescriber signed the order on",
        help_text="Empty until the signed order is back.",
    )
    diagnosis_code = forms.CharField(max_length=8, required=False, label="ICD-10-CM code")
    status = forms.ChoiceField(choices=HomeInfusionOrder.Status.choices, initial="pending")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, organization: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self.fields["treatment_order"]).queryset = TreatmentOrder.objects.filter(
            organization=organization, patient=patient, signed_at__isnull=False
        ).select_related("drug", "patient")
        _choice(self.fields["drug"]).queryset = Drug.objects.filter(
            organization=organization
        ).order_by("generic_name")
        _choice(self.fields["ordering_provider"]).queryset = ReferringProvider.objects.filter(
            organization=organization, is_active=True
        )

    @staticmethod
    def initial_from(order: HomeInfusionOrder) -> dict[str, Any]:
        return {
            "treatment_order": order.treatment_order_id and order.treatment_order,
            "therapy_type": order.therapy_type,
            "therapy_other": order.therapy_other,
            "drug": order.drug,
            "drug_name": order.drug_name,
            "dose_amount": order.dose_amount,
            "dose_unit": order.dose_unit,
            "doses_per_day": order.doses_per_day,
            "every_days": order.every_days,
            "continuous": order.continuous,
            "infusion_minutes": order.infusion_minutes,
            "start_date": order.start_date,
            "duration_days": order.duration_days,
            "stop_date": order.stop_date,
            "access_device": order.access_device,
            "access_inserted_on": order.access_inserted_on,
            "administration_device": order.administration_device,
            "supplies": "\n".join(order.supplies or []),
            "nursing_visit_frequency": order.nursing_visit_frequency,
            "ordering_provider": order.ordering_provider,
            "signed_on": order.signed_on,
            "diagnosis_code": order.diagnosis_code,
            "status": order.status,
            "notes": order.notes,
        }


class PlanForm(forms.Form):
    orders = forms.ModelMultipleChoiceField(
        queryset=HomeInfusionOrder.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Medication profile",
        help_text="The patient's home-infusion orders this plan covers.",
    )
    goals = forms.CharField(required=False, widget=LINES, help_text="Measurable goals, one a line.")
    allergies = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Copied from the chart; correct the chart if it is wrong.",
    )
    access_device = forms.ChoiceField(choices=[("", "—"), *AccessDevice.choices], required=False)
    access_inserted_on = forms.DateField(
        widget=DATE, required=False, label="Access device inserted on"
    )
    pump = forms.CharField(max_length=120, required=False, help_text="Pump model or device.")
    monitoring_labs = forms.CharField(
        required=False,
        widget=LINES,
        label="Monitoring labs",
        help_text="One a line, “lab: how often” — e.g. “CBC with differential: weekly”, "
        "“Vancomycin trough: before the 4th dose, then weekly”.",
    )
    emergency_phone = forms.CharField(
        max_length=30, required=False, label="24-hour pharmacy/nurse phone"
    )
    anaphylaxis_kit = forms.BooleanField(required=False, label="Anaphylaxis kit in the home")
    emergency_instructions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    caregiver_name = forms.CharField(
        max_length=120,
        required=False,
        help_text="Or “None — patient self-administers”.",
    )
    caregiver_relationship = forms.CharField(max_length=60, required=False)
    caregiver_phone = forms.CharField(max_length=30, required=False)
    discharge_plan = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="When and how home therapy ends (line removal, hand-back to the physician).",
    )
    review_due_on = forms.DateField(widget=DATE, required=False, label="Review due on")
    signed_on = forms.DateField(
        widget=DATE,
        required=False,
        label="Physician signed on",
        help_text="Empty until the signed plan is back; once signed, changes need a review.",
    )
    signing_provider = forms.ModelChoiceField(
        queryset=ReferringProvider.objects.none(), required=False, label="Signed by"
    )

    def __init__(self, *args: Any, organization: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orders = self.fields["orders"]
        assert isinstance(orders, forms.ModelMultipleChoiceField)
        orders.queryset = HomeInfusionOrder.objects.filter(
            organization=organization, patient=patient
        ).select_related("drug")
        _choice(self.fields["signing_provider"]).queryset = ReferringProvider.objects.filter(
            organization=organization, is_active=True
        )

    def clean_monitoring_labs(self) -> list[tuple[str, str]]:
        return [split_pair(line) for line in lines(self.cleaned_data.get("monitoring_labs", ""))]


class TeachingForm(forms.Form):
    taught_on = forms.DateField(widget=DATE)
    topics = forms.MultipleChoiceField(
        choices=TeachingRecord.Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    learner = forms.ChoiceField(choices=TeachingRecord.Learner.choices)
    learner_name = forms.CharField(max_length=120, label="Learner's name")
    method = forms.ChoiceField(choices=TeachingRecord.Method.choices)
    outcome = forms.ChoiceField(choices=TeachingRecord.Outcome.choices, widget=forms.RadioSelect)
    order = forms.ModelChoiceField(
        queryset=HomeInfusionOrder.objects.none(), required=False, label="For the order"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    nurse_username = forms.CharField(
        max_length=150,
        label="Nurse's user name",
        help_text="The nurse who taught signs with her own user name and password.",
        widget=forms.TextInput(attrs=CREDENTIAL_INPUT),
    )
    nurse_password = forms.CharField(
        max_length=128,
        label="Nurse's password",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, organization: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self.fields["order"]).queryset = HomeInfusionOrder.objects.filter(
            organization=organization, patient=patient
        ).select_related("drug")


class MonitoringForm(forms.Form):
    order = forms.ModelChoiceField(
        queryset=HomeInfusionOrder.objects.none(), required=False, label="For the order"
    )
    noted_on = forms.DateField(widget=DATE, label="Date")
    labs = forms.CharField(
        required=False,
        widget=LINES,
        label="Lab values",
        help_text="One a line, “lab: value unit” — e.g. “Vancomycin trough: 22.4 mg/L”, "
        "“Serum creatinine: 1.4 mg/dL”.",
    )
    assessment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    dose_change_recommended = forms.BooleanField(required=False)
    recommended_change = forms.CharField(
        max_length=200, required=False, help_text="e.g. “Vancomycin 1250 mg IV q24h”."
    )
    follow_up_1 = forms.CharField(max_length=200, required=False, label="Follow-up task")
    follow_up_1_due = forms.DateField(widget=DATE, required=False, label="Due")
    follow_up_1_assignee = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(), required=False, label="Assigned to"
    )
    follow_up_2 = forms.CharField(max_length=200, required=False, label="Second follow-up task")
    follow_up_2_due = forms.DateField(widget=DATE, required=False, label="Due")
    follow_up_2_assignee = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(), required=False, label="Assigned to"
    )

    def __init__(self, *args: Any, organization: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self.fields["order"]).queryset = HomeInfusionOrder.objects.filter(
            organization=organization, patient=patient
        ).select_related("drug")
        staff = StaffMember.objects.filter(organization=organization, is_active=True)
        for n in (1, 2):
            _choice(self.fields[f"follow_up_{n}_assignee"]).queryset = staff

    def clean_labs(self) -> list[tuple[str, str, str]]:
        rows = []
        for line in lines(self.cleaned_data.get("labs", "")):
            lab, rest = split_pair(line)
            if not rest:
                raise forms.ValidationError(f"Give a value for “{lab}” (lab: value unit).")
            value, _, unit = rest.partition(" ")
            rows.append((lab, value, unit.strip()))
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in (1, 2):
            if data.get(f"follow_up_{n}") and not data.get(f"follow_up_{n}_due"):
                self.add_error(f"follow_up_{n}_due", "Give the follow-up's due date.")
        return data


class HomeForm(forms.Form):
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), label="Served by", empty_label=None
    )
    address_line1 = forms.CharField(max_length=200, label="Address")
    address_line2 = forms.CharField(max_length=200, required=False, label="Address line 2")
    city = forms.CharField(max_length=100)
    state = forms.CharField(max_length=2, help_text="Two letters, e.g. PA.")
    postal_code = forms.CharField(max_length=10, label="ZIP code")
    latitude = forms.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "0.000001", **NUMBER}),
    )
    longitude = forms.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "0.000001", **NUMBER}),
    )
    access_notes = forms.CharField(
        max_length=200, required=False, help_text="Gate code, parking, pets: what the driver needs."
    )

    def __init__(self, *args: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self.fields["location"]).queryset = locations


class ShiftForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    staff = forms.ModelChoiceField(queryset=StaffMember.objects.none(), label="Nurse or driver")
    date = forms.DateField(widget=DATE)
    starts = forms.TimeField(widget=TIME, initial="08:00")
    ends = forms.TimeField(widget=TIME, initial="16:30")
    kind = forms.ChoiceField(choices=FieldShift.Kind.choices)

    def __init__(self, *args: Any, organization: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self.fields["location"]).queryset = locations
        _choice(self.fields["staff"]).queryset = StaffMember.objects.filter(
            organization=organization, is_active=True
        ).order_by("last_name", "first_name")


def _patient_label(patient: Any) -> str:
    return f"{patient.last_name}, {patient.first_name} (MRN {patient.mrn})"


class _StopForm(forms.Form):
    patient = forms.ModelChoiceField(queryset=Patient.objects.none())
    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    date = forms.DateField(widget=DATE)
    window_start = forms.TimeField(widget=TIME, label="Window from", initial="09:00")
    window_end = forms.TimeField(widget=TIME, label="Window to", initial="12:00")

    def __init__(self, *args: Any, patients: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        patient = _choice(self.fields["patient"])
        patient.queryset = patients
        patient.label_from_instance = _patient_label  # type: ignore[method-assign,assignment]
        _choice(self.fields["location"]).queryset = locations


class DeliveryForm(_StopForm):
    items = forms.CharField(
        widget=LINES,
        help_text="One a line, “quantity unit description” — e.g. “10 each Saline flush "
        "10 mL syringes”, “1 bag Parenteral nutrition bag (see compounding record)”.",
    )
    handoff = forms.ChoiceField(choices=DeliveryTicket.Handoff.choices)
    service_minutes = forms.IntegerField(
        min_value=1, max_value=120, initial=10, label="Minutes at the door"
    )
    cold_chain = forms.BooleanField(required=False, label="Refrigerated items (cold chain)")
    packed_out_at = forms.DateTimeField(widget=DATETIME, required=False, label="Packed out at")
    validity_hours = forms.IntegerField(
        min_value=1, max_value=120, required=False, label="Pack-out keeps 2–8 °C for (hours)"
    )
    note = forms.CharField(max_length=255, required=False)

    def clean_items(self) -> list[tuple[Decimal, str, str]]:
        rows = []
        for line in lines(self.cleaned_data.get("items", "")):
            parts = line.split(None, 2)
            try:
                quantity = Decimal(parts[0])
            except (InvalidOperation, IndexError):
                raise forms.ValidationError(
                    f"“{line}”: start the line with the quantity, e.g. “10 each Saline flush”."
                ) from None
            if len(parts) < 3 or not quantity.is_finite() or quantity <= 0 or quantity > 100000:
                raise forms.ValidationError(
                    f"“{line}”: give quantity, unit and description, e.g. “10 each Saline flush”."
                )
            rows.append((quantity, parts[1][:16], parts[2][:200]))
        if not rows:
            raise forms.ValidationError("List at least one item.")
        return rows


class VisitForm(_StopForm):
    duration_minutes = forms.IntegerField(
        min_value=5, max_value=480, initial=60, label="Visit minutes"
    )
    purpose = forms.CharField(max_length=120, required=False)
    setting = forms.ChoiceField(
        choices=HomeVisit.Setting.choices,
        initial=HomeVisit.Setting.HOME,
        required=False,  # empty: at home
        label="Where",
        help_text="At the pharmacy's infusion suite: not on a driving route (choose the "
        "nurse); billed by the payer's suite terms.",
    )
    nurse = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(),
        required=False,
        help_text="Empty: the route planner picks the nurse.",
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self.fields["nurse"]).queryset = StaffMember.objects.filter(
            organization=organization, is_active=True, credential__in=NURSE_CREDENTIALS
        ).order_by("last_name", "first_name")


class OutsideHistoryForm(forms.Form):
    """The patient's last home infusion therapy visit by another supplier (from the referral
    or intake): Medicare's initial-visit G-codes need more than 60 days since it."""

    last_visit_on = forms.DateField(
        widget=DATE,
        required=False,
        label="Last home infusion therapy visit by another supplier",
        help_text="Leave empty when no other supplier's visit is known (or to clear it).",
    )
    supplier = forms.CharField(
        max_length=120,
        required=False,
        label="Other supplier",
        help_text="The home infusion pharmacy or agency that made that visit.",
    )
    source = forms.CharField(
        max_length=160,
        required=False,
        label="Where the date comes from",
        help_text="e.g. referral packet of 11/30, call to the supplier's intake line.",
    )
