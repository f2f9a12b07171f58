"""Forms parse and show input; the rules live in patients.services."""

from __future__ import annotations

from typing import Any

from django import forms

from chairside.core.dates import supported_day
from chairside.patients.models import (
    MAX_WEIGHT_KG,
    MIN_WEIGHT_KG,
    Allergy,
    BodyMeasurement,
    Coverage,
    Diagnosis,
    Patient,
    Payer,
)
from chairside.patients.services import COVERAGE_FIELDS, PATIENT_FIELDS
from chairside.rules.clinical.vitals import WEIGHT_UNITS, kg_to_lb, weight_in_kg
from chairside.tenancy.models import Location

DATE = forms.DateInput(attrs={"type": "date"})


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I checked: this is a different person with the same name and birth date",
    )

    class Meta:
        model = Patient
        fields = [f for f in PATIENT_FIELDS if f != "is_active"]
        widgets = {"date_of_birth": DATE}
        labels = {
            "address_line1": "Street address",
            "address_line2": "Apartment, suite (optional)",
            "sex": "Sex (administrative)",
            "home_location": "Usual infusion site",
        }

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_location"].queryset = Location.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["state"].widget.attrs.update(
            {"maxlength": 2, "style": "text-transform:uppercase"}
        )

    def clean_state(self) -> str:
        return str(self.cleaned_data.get("state", "")).upper()

    def _post_clean(self) -> None:
        # Model validation runs in the service (with the organization set); skip it here so
        # each problem is reported once, in the service's words.
        pass


class AllergyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Allergy
        fields = ["substance", "reaction", "severity"]


class DiagnosisForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Diagnosis
        fields = ["icd10_code", "description", "is_primary", "noted_on"]
        widgets = {"noted_on": DATE}
        help_texts = {"description": "Filled in from the code when it is on Chairside's list."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].required = False
        self.fields["noted_on"].validators.append(supported_day)
        self.fields["icd10_code"].widget.attrs.update(
            {"list": "icd10-options", "autocomplete": "off"}
        )

    def _post_clean(self) -> None:
        pass


class MeasurementForm(forms.ModelForm):  # type: ignore[type-arg]
    """A dated weight typed in lb or kg (US scales show lb), stored in kg."""

    weight = forms.DecimalField(
        max_digits=5,
        decimal_places=1,
        label="Weight",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    weight_unit = forms.ChoiceField(
        choices=list(WEIGHT_UNITS.items()),
        initial="lb",
        label="Weight unit",
        help_text="Stored in kg; weight-based doses use the kg.",
    )

    class Meta:
        model = BodyMeasurement
        fields = ["measured_on", "height_cm"]
        widgets = {"measured_on": DATE}
        labels = {"height_cm": "Height (cm)"}

    field_order = ["measured_on", "weight", "weight_unit", "height_cm"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value, unit = data.pop("weight", None), data.pop("weight_unit", "lb") or "lb"
        if value is None:
            return data
        kg = weight_in_kg(value, unit)
        if not MIN_WEIGHT_KG <= kg <= MAX_WEIGHT_KG:
            low, high = (
                (kg_to_lb(MIN_WEIGHT_KG), kg_to_lb(MAX_WEIGHT_KG))
                if unit == "lb"
                else (MIN_WEIGHT_KG, MAX_WEIGHT_KG)
            )
            self.add_error(
                "weight",
                f"{value} {unit} is not a possible weight: enter {low} to {high} {unit} "
                "(is the unit right?).",
            )
        data["weight_kg"] = kg
        return data

    def _post_clean(self) -> None:
        pass


class CoverageForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Coverage
        fields = list(COVERAGE_FIELDS)
        widgets = {"effective_from": DATE, "effective_to": DATE}

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(organization=organization)  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


class RemoveForm(forms.Form):
    reason = forms.CharField(max_length=200, label="Reason (e.g. entered in error)")


class ContactPreferencesForm(forms.Form):
    channel = forms.ChoiceField(
        label="Send appointment reminders by",
        choices=[("email", "E-mail"), ("sms", "Text message"), ("none", "No reminders")],
    )
    sms_consent = forms.BooleanField(
        required=False,
        label="The patient consents to appointment text messages",
        help_text="Recorded with today's date; untick when the patient withdraws it.",
    )
    opted_out = forms.BooleanField(
        required=False,
        label="The patient opted out of all reminders",
        help_text="Nothing is sent while this is ticked.",
    )
