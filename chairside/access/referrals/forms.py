"""Forms parse and show input; the rules live in referrals.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from chairside.access.referrals.models import (
    DocumentBase,
    Referral,
    ReferringProvider,
    TreatmentOrder,
)
from chairside.access.referrals.services.orders import STANDARD_SET
from chairside.access.referrals.services.providers import PROVIDER_FIELDS
from chairside.access.referrals.services.referrals import REFERRAL_FIELDS
from chairside.formulary.models import Drug, RegimenTemplate
from chairside.formulary.order_sets import order_sets
from chairside.patients.models import Diagnosis, LabResult, Patient
from chairside.tenancy.models import Location, StaffMember

DATE = forms.DateInput(attrs={"type": "date"})


class _ServiceValidated(forms.ModelForm):  # type: ignore[type-arg]
    def _post_clean(self) -> None:
        # The service validates the model with its organization set; report problems once.
        pass


class ProviderForm(_ServiceValidated):
    class Meta:
        model = ReferringProvider
        fields = list(PROVIDER_FIELDS)


def _org_querysets(form: forms.BaseForm, organization: Any) -> None:
    fields = form.fields
    if "referring_provider" in fields:
        fields["referring_provider"].queryset = ReferringProvider.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )
    if "ordering_provider" in fields:
        fields["ordering_provider"].queryset = ReferringProvider.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )
    if "requested_drug" in fields:
        fields["requested_drug"].queryset = Drug.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True, premedication=False
        )
    if "location" in fields:
        fields["location"].queryset = Location.objects.filter(organization=organization)  # type: ignore[attr-defined]
    if "assigned_to" in fields:
        fields["assigned_to"].queryset = StaffMember.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )


class ReferralForm(_ServiceValidated):
    class Meta:
        model = Referral
        fields = [f for f in REFERRAL_FIELDS if f != "patient"]
        widgets = {
            "received_on": DATE,
            "patient_date_of_birth": DATE,
            "clinical_notes": forms.Textarea(attrs={"rows": 3}),
            "labs_received": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "patient_first_name": "Patient first name",
            "patient_last_name": "Patient last name",
            "patient_date_of_birth": "Patient date of birth",
            "patient_phone": "Patient phone",
            "location": "Preferred site",
        }
        help_texts = {
            "requested_drug_text": "Only when the drug is not in the formulary.",
            "diagnosis_description": "Filled in from the code when it is on Chairside's list.",
        }

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _org_querysets(self, organization)
        self.fields["diagnosis_code"].widget.attrs.update(
            {"list": "icd10-options", "autocomplete": "off"}
        )


class TransitionForm(forms.Form):
    to_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=500)
    on_date = forms.DateField(required=False, widget=DATE)


class RegisterPatientForm(forms.Form):
    mrn = forms.CharField(label="MRN", max_length=32)
    sex = forms.ChoiceField(label="Administrative sex", choices=Patient.Sex.choices)


class LinkPatientForm(forms.Form):
    patient = forms.UUIDField(widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    file = forms.FileField(
        help_text="PDF or image (PNG, JPEG, TIFF), up to 20 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.tif,.tiff"}),
    )
    kind = forms.ChoiceField(choices=DocumentBase.Kind.choices)
    title = forms.CharField(max_length=160, required=False, help_text="Defaults to the file name.")


class DayListField(forms.Field):
    """Day offsets typed as '0, 14, 42'."""

    def to_python(self, value: Any) -> list[int]:
        if isinstance(value, list):
            return [int(v) for v in value]
        text = str(value or "").strip()
        if not text:
            return []
        try:
            return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError("Type whole numbers of days separated by commas.") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value


class TemplateChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.drug.generic_name}: {obj.name}"


class OrderForm(_ServiceValidated):
    loading_days = DayListField(
        required=False,
        label="Loading doses (days from the first dose)",
        help_text="e.g. 0, 14, 42. Leave empty to use the regimen chosen above.",
    )
    regimen_template = TemplateChoiceField(
        queryset=RegimenTemplate.objects.none(),
        required=False,
        label="Regimen from the formulary",
        help_text="Its schedule and dose fill the fields below you leave empty.",
    )

    class Meta:
        model = TreatmentOrder
        fields = [
            "drug",
            "regimen_template",
            "loading_days",
            "maintenance_interval_days",
            "dose_mg",
            "dose_mg_per_kg",
            "dose_max_mg",
            "maintenance_dose_mg",
            "maintenance_dose_from",
            "weight_kg_at_order",
            "route",
            "first_dose_on",
            "number_of_doses",
            "end_on",
            "premedications",
            "premedication_set",
            "hypersensitivity_protocol",
            "observation_minutes",
            "diagnoses",
            "ordering_provider",
            "signed_on",
            "expires_on",
            "location",
            "assigned_to",
            "notes",
        ]
        widgets = {
            "first_dose_on": DATE,
            "end_on": DATE,
            "signed_on": DATE,
            "expires_on": DATE,
            "premedications": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "diagnoses": forms.CheckboxSelectMultiple,
        }
        labels = {
            "premedications": "Other premedications (free text)",
            "maintenance_interval_days": "Then every (days)",
            "dose_mg": "Flat dose (mg)",
            "dose_mg_per_kg": "Dose per kg (mg/kg)",
            "dose_max_mg": "Maximum dose (mg)",
            "maintenance_dose_mg": "Maintenance dose (mg)",
            "location": "Treating site",
            "signed_on": "Order date",
        }
        help_texts = {
            "signed_on": "The date written on the order (its expiry counts from it).",
            "expires_on": "Empty: 12 months after the order date.",
            "number_of_doses": "Empty: until the end date or expiry.",
            "weight_kg_at_order": "Empty: the latest weight in the chart.",
        }

    def __init__(self, *args: Any, organization: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _org_querysets(self, organization)
        self.fields["drug"].queryset = Drug.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True, premedication=False
        )
        self.fields["regimen_template"].queryset = RegimenTemplate.objects.filter(  # type: ignore[attr-defined]
            drug__organization=organization, drug__is_active=True
        ).select_related("drug")
        self.fields["diagnoses"].queryset = Diagnosis.objects.filter(patient=patient)  # type: ignore[attr-defined]
        self.fields["diagnoses"].help_text = "From the patient's chart (add one there first)."
        self.fields["signed_on"].required = True
        self.fields["expires_on"].required = False
        self.fields["drug"].widget.attrs.update(
            {"data-drug-select": "1", "data-regimen-url": reverse("referrals:regimen_options")}
        )
        _order_set_fields(self)


def _order_set_fields(form: forms.ModelForm) -> None:  # type: ignore[type-arg]
    """Premedication set (the drug's standard set pre-selected on a new order) and the
    anaphylaxis protocol (ticked on a new order), from ``formulary/data/order_sets.json``."""

    sets = order_sets()
    new = form.instance.pk is None
    form.fields["premedication_set"] = forms.ChoiceField(
        required=False,
        label="Premedication set",
        choices=[
            (STANDARD_SET, "The drug's standard set (where its label recommends one)"),
            ("", "None"),
            *((s.key, s.name) for s in sets.premedication_sets),
        ],
        initial=STANDARD_SET if new else form.instance.premedication_set,
        help_text="Given from stock and billed at the visit. Other premedications: the "
        "free-text field below.",
    )
    field = form.fields["hypersensitivity_protocol"]
    field.label = "Include the hypersensitivity (anaphylaxis) protocol"
    field.help_text = "Epinephrine IM, diphenhydramine IV, methylprednisolone IV, saline."
    if new:
        field.initial = True


class OrderStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TreatmentOrder.Status.choices)
    reason = forms.CharField(required=False, max_length=500)


class OrderLabForm(forms.Form):
    name = forms.CharField(max_length=160, label="Lab")
    every_days = forms.IntegerField(
        required=False, min_value=1, label="Repeat every (days)", help_text="Empty: once."
    )


class LabResultForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = LabResult
        fields = ["lab_name", "result_on", "value", "interpretation", "notes"]
        widgets = {"result_on": DATE}
        labels = {"lab_name": "Lab or screening"}

    def __init__(self, *args: Any, lab_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab_name"].widget.attrs.update({"list": "lab-options", "autocomplete": "off"})
        self.lab_names = lab_names

    def _post_clean(self) -> None:
        pass
