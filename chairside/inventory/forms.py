"""Forms parse and show input; the rules live in inventory.services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from chairside.access.authorizations.models import AssistanceProgram
from chairside.core.dates import supported_day
from chairside.formulary.models import Drug, Package
from chairside.inventory.models import InventorySettings, StoragePlace, Vendor
from chairside.patients.models import Patient
from chairside.rules.inventory.barcodes import parse_scan
from chairside.tenancy.models import Location

DATE = forms.DateInput(attrs={"type": "date"})


def _places(organization: Any) -> Any:
    return StoragePlace.objects.filter(organization=organization, is_active=True).select_related(
        "location"
    )


class PatientByMrn(forms.CharField):
    """A patient typed by MRN (scan-friendly), found in the organization only."""

    def __init__(self, *args: Any, organization: Any = None, **kwargs: Any) -> None:
        self.organization = organization
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Patient | None:
        text = str(super().clean(value) or "").strip()
        if not text:
            return None
        found = Patient.objects.filter(organization=self.organization, mrn__iexact=text).first()
        if found is None:
            raise forms.ValidationError(f"No patient has MRN {text}.")
        return found


class ReceiptForm(forms.Form):
    vendor = forms.ModelChoiceField(queryset=Vendor.objects.none())
    invoice_number = forms.CharField(max_length=40, required=False)
    invoice_date = forms.DateField(widget=DATE, required=False)
    storage_place = forms.ModelChoiceField(
        queryset=StoragePlace.objects.none(), label="Put away in"
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )
        self.fields["storage_place"].queryset = _places(organization).exclude(  # type: ignore[attr-defined]
            kind=StoragePlace.Kind.QUARANTINE
        )
        self.fields["patient"] = PatientByMrn(
            organization=organization,
            required=False,
            label="Patient MRN (patient-specific stock only)",
            help_text="Only for drug a specialty pharmacy shipped for one patient.",
        )
        self.fields["replacement_program"] = forms.ModelChoiceField(
            queryset=AssistanceProgram.objects.filter(
                organization=organization, kind=AssistanceProgram.Kind.FREE_DRUG, is_active=True
            ),
            required=False,
            label="Replacement drug from (free-drug program)",
            help_text="Free drug for the enrolled patient above: kept apart and never billed.",
        )
        self.fields["confirm_repeat"] = forms.BooleanField(
            required=False,
            label="Yes, this is a second shipment",
            help_text="Tick only when the pharmacy really sent this lot for the patient again.",
        )
        self.fields["invoice_date"].initial = timezone.localdate()


class ReceiptLineForm(forms.Form):
    """One lot of a shipment. A line left blank is skipped; a started line needs it all."""

    ndc = forms.CharField(
        label="NDC",
        max_length=120,  # a GS1 DataMatrix scan: GTIN, expiry, lot and serial
        required=False,
        strip=False,  # a trailing GS separator belongs to the scan
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "scan or type"}),
    )
    lot_number = forms.CharField(max_length=40, label="Lot", required=False)
    expires_on = forms.DateField(widget=DATE, label="Expires", required=False)
    vials = forms.CharField(
        max_length=8, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    cost_per_vial = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False, label="Cost / vial"
    )

    NEEDED = ("ndc", "lot_number", "expires_on", "vials")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["ndc"] = (data.get("ndc") or "").strip()
        self._from_barcode(data)
        if not any(data.get(name) not in (None, "") for name in self.NEEDED):
            return {}  # a blank line
        for name in self.NEEDED:
            if data.get(name) in (None, ""):
                self.add_error(name, "Needed for this lot.")
        return data

    def _from_barcode(self, data: dict[str, Any]) -> None:
        """A GS1 scan carries the lot and expiry: fill them in, or refuse a mismatch."""
        try:
            scan = parse_scan(data["ndc"]) if data["ndc"] else None
        except ValueError:
            return  # the NDC check says what is wrong, with the formulary at hand
        if scan is None or scan.kind != "gs1":
            return
        for name, value in (("lot_number", scan.lot), ("expires_on", scan.expires_on)):
            if value is None:
                continue
            typed = data.get(name)
            if typed in (None, ""):
                data[name] = value
                self.errors.pop(name, None)
            elif str(typed).strip().upper() != str(value).strip().upper():
                self.add_error(name, f"The barcode says {value}.")

    @property
    def is_blank(self) -> bool:
        return not self.cleaned_data


ReceiptLineFormSet = forms.formset_factory(ReceiptLineForm, extra=0, min_num=1)


class PackageForm(forms.Form):
    drug = forms.ModelChoiceField(queryset=Drug.objects.none())
    ndc = forms.CharField(label="NDC", max_length=20)
    description = forms.CharField(max_length=200, help_text="As on the carton.")
    strength_mg = forms.DecimalField(max_digits=10, decimal_places=3, label="Strength (mg)")
    volume_ml = forms.DecimalField(max_digits=8, decimal_places=2, required=False)
    single_dose = forms.BooleanField(required=False, initial=True, label="Single-dose vial")
    storage = forms.ChoiceField(choices=Package.Storage.choices)
    source = forms.CharField(
        max_length=300, help_text="Where you checked it: the carton, the FDA label (DailyMed)."
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drug"].queryset = Drug.objects.filter(organization=organization)  # type: ignore[attr-defined]


class TransferForm(forms.Form):
    vials = forms.CharField(max_length=8)
    to_place = forms.ModelChoiceField(queryset=StoragePlace.objects.none(), label="To")
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, organization: Any, lot: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_place"].queryset = _places(organization).exclude(pk=lot.storage_place_id)  # type: ignore[attr-defined]


class WasteForm(forms.Form):
    WHAT = [("vials", "Whole unopened vials"), ("mg", "Unused part of an opened vial (mg)")]
    what = forms.ChoiceField(choices=WHAT, widget=forms.RadioSelect, initial="vials")
    vials = forms.CharField(
        max_length=8, required=False, help_text="Whole vials: broken, contaminated, too warm."
    )
    mg = forms.DecimalField(
        max_digits=12,
        decimal_places=3,
        required=False,
        label="Milligrams",
        help_text="Discarded from a vial opened for a visit.",
    )
    visit_ref = forms.CharField(
        max_length=64, required=False, label="Visit", help_text="The visit that opened the vial."
    )
    reason = forms.CharField(max_length=300, required=False)


class AdjustForm(forms.Form):
    vials = forms.CharField(
        max_length=8, help_text="Signed: -2 removes two vials, 3 adds three.", label="Change"
    )
    reason = forms.CharField(max_length=300)


class ReturnForm(forms.Form):
    vials = forms.CharField(max_length=8)
    reason = forms.CharField(max_length=300)


class DispenseForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    drug = forms.ModelChoiceField(queryset=Drug.objects.none())
    dose_mg = forms.DecimalField(
        max_digits=10, decimal_places=3, label="Dose (mg)", min_value=Decimal("0.001")
    )
    visit_ref = forms.CharField(max_length=64, required=False, label="Visit")

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["drug"].queryset = Drug.objects.filter(  # type: ignore[attr-defined]
            organization=organization, packages__isnull=False
        ).distinct()
        self.fields["patient"] = PatientByMrn(organization=organization, label="Patient MRN")
        self.order_fields(["location", "patient", "drug", "dose_mg", "visit_ref"])


class CountStartForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    storage_place = forms.ModelChoiceField(
        queryset=StoragePlace.objects.none(), required=False, empty_label="All storage at the site"
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["storage_place"].queryset = _places(organization)  # type: ignore[attr-defined]


class PeriodForm(forms.Form):
    start = forms.DateField(widget=DATE, validators=[supported_day])
    end = forms.DateField(widget=DATE, validators=[supported_day])
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, empty_label="All sites"
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(organization=organization)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("The period ends before it starts.")
        return data


def last_month(today: dt.date) -> dict[str, dt.date]:
    first = today.replace(day=1)
    end = first - dt.timedelta(days=1)
    return {"start": end.replace(day=1), "end": end}


class ForecastForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    days = forms.IntegerField(min_value=1, max_value=90, required=False, label="Days ahead")
    vendor = forms.ModelChoiceField(
        queryset=Vendor.objects.none(), required=False, empty_label="Last vendor of each item"
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["vendor"].queryset = Vendor.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        ).exclude(kind=Vendor.Kind.SPECIALTY_PHARMACY)


class VendorForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Vendor
        fields = [
            "name",
            "kind",
            "payment_terms_days",
            "lead_time_days",
            "account_number",
            "phone",
            "email",
            "is_active",
        ]

    def _post_clean(self) -> None:
        pass  # validated in the service, with the organization set


class StoragePlaceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = StoragePlace
        fields = ["location", "name", "kind", "is_active"]

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(organization=organization)  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = InventorySettings
        fields = ["target_days_on_hand", "forecast_days"]
