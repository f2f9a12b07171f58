"""Compounding forms: parse what was typed; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from chairside.compounding.models import AREA_CHOICES, CATEGORY_CHOICES, STORAGE_CHOICES
from chairside.formulary.models import Drug

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local", "step": 60}, format="%Y-%m-%dT%H:%M"
)
NUMBER = {"inputmode": "decimal"}
IN_SCOPE = [c for c in CATEGORY_CHOICES if c[0] != "category_3"]


class FormulationForm(forms.Form):
    name = forms.CharField(
        max_length=160, help_text="e.g. “Tocilizumab IV in 100 mL 0.9% sodium chloride”"
    )
    drug = forms.ModelChoiceField(queryset=Drug.objects.none(), label="Drug")
    amount_mg = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=3,
        min_value=Decimal("0.001"),
        label="Amount (mg)",
        help_text="Leave empty when it is the patient's ordered dose.",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    diluent = forms.CharField(max_length=80, initial="0.9% sodium chloride")
    container = forms.CharField(max_length=60, initial="IV bag")
    final_volume_ml = forms.DecimalField(
        max_digits=7, decimal_places=1, min_value=Decimal("0.1"), label="Final volume (mL)"
    )
    category = forms.ChoiceField(choices=IN_SCOPE, label="USP <797> category")
    storage = forms.ChoiceField(choices=STORAGE_CHOICES)
    area_kind = forms.ChoiceField(choices=AREA_CHOICES, label="Made in")
    stability_hours = forms.DecimalField(
        required=False,
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0.1"),
        label="In-use stability (hours)",
        help_text="From the product label, when shorter than USP <797>'s limit.",
    )
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["drug"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Drug.objects.filter(organization=organization).order_by("generic_name")


class CompoundForm(forms.Form):
    """The record's own fields; each ingredient's lot, vials and mg are read per ingredient."""

    patient_mrn = forms.CharField(max_length=32, label="Patient MRN")
    area = forms.ChoiceField(label="Room and hood")
    started_at = forms.DateTimeField(widget=DATETIME, label="Preparation started")
    storage = forms.ChoiceField(choices=STORAGE_CHOICES)
    diluent_lot = forms.CharField(max_length=40, label="Diluent lot")
    diluent_expires_on = forms.DateField(widget=DATE, label="Diluent expiry")
    notes = forms.CharField(max_length=255, required=False)


class VerifyForm(forms.Form):
    """The verifier's own credentials, typed by her on this device (never picked from a list)."""

    cosigner_username = forms.CharField(
        label="Pharmacist's user name",
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    cosigner_password = forms.CharField(
        label="Pharmacist's password", widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )
