"""Forms parse and show input for the visit pages; the rules live in the services.

Times are typed as a clock time on the visit day and become aware datetimes in the
location's time zone (``at_visit``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from chairside.formulary.models import Drug
from chairside.patients.models import MAX_WEIGHT_KG, MIN_WEIGHT_KG, Allergy
from chairside.rules.clinical.infusion import BEYOND_USE_LABELS, CTCAE_GRADES
from chairside.rules.clinical.visit_checks import IDENTIFIERS, TOUCH_CONFIRMATIONS, TOUCH_QUESTIONS
from chairside.rules.clinical.vitals import (
    TEMPERATURE_UNITS,
    WEIGHT_UNITS,
    kg_to_lb,
    temperature_in_c,
    weight_in_kg,
)
from chairside.treatments.models import Administration, Consent, Reaction, Visit, Vitals
from chairside.treatments.services._common import VisitDay

TIME = forms.TimeInput(attrs={"type": "time", "step": 60}, format="%H:%M")
NUMBER = {"inputmode": "decimal"}
WHOLE = {"inputmode": "numeric"}
YES_NO = [("yes", "Yes"), ("no", "No")]


def at_visit(visit: VisitDay, value: dt.time | None) -> dt.datetime | None:
    """A clock time on the visit day at the visit's location."""
    if value is None:
        return None
    return dt.datetime.combine(visit.date, value, tzinfo=visit.location.tz)


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def staff_choices(queryset: Any, exclude: Any = None) -> list[tuple[str, str]]:
    rows = [(str(s.pk), str(s)) for s in queryset if exclude is None or s.pk != exclude]
    return [("", "—"), *rows]


class ChecksForm(forms.Form):
    """Every check-in field; a page posts one field at a time (save as you go)."""

    identifiers = forms.MultipleChoiceField(
        choices=list(IDENTIFIERS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Identifiers checked (at least two)",
    )
    allergies_reviewed = forms.BooleanField(
        required=False, label="Allergies reviewed with the patient"
    )
    no_known_allergies = forms.BooleanField(
        required=False, label="Patient reports no known drug allergies (recorded on the chart)"
    )
    allergies_note = forms.CharField(
        required=False, max_length=255, label="New or changed allergies"
    )
    # Typed in lb (US scales) or kg; stored in kg (rules.vitals.weight_in_kg), which is what
    # the dose is worked out from.
    weight = forms.DecimalField(
        required=False,
        max_digits=5,
        decimal_places=1,
        label="Today's weight",
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.1", "data-save-with": "weight_unit"}),
    )
    weight_unit = forms.ChoiceField(
        choices=list(WEIGHT_UNITS.items()),
        initial="lb",
        required=False,
        label="Unit",
        widget=forms.Select(attrs={"data-save-with": "weight"}),
    )
    weight_confirmed_by = forms.CharField(
        required=False,
        max_length=120,
        label="Dose at today's weight confirmed by (provider)",
        help_text="Only when today's weight differs by more than 10 % from the order's.",
    )
    allergy_cleared_by = forms.CharField(
        required=False,
        max_length=120,
        label="Allergy to today's drug: give it anyway, decided by (provider)",
    )
    labs_cleared_by = forms.CharField(
        required=False, max_length=120, label="Proceed without the labs: approved by (provider)"
    )
    program_cleared_by = forms.CharField(
        required=False, max_length=120, label="Infusion authorized by the prescriber (name)"
    )
    premeds_given = forms.CharField(required=False, max_length=255, label="Premedications given")
    premeds_at = forms.TimeField(required=False, widget=TIME, label="Given at")
    premeds_not_given_reason = forms.CharField(
        required=False, max_length=255, label="Or: not given, because"
    )
    dose_held = forms.BooleanField(required=False, label="Hold today's dose")
    held_reason = forms.CharField(required=False, max_length=255, label="Why the dose is held")
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Nursing notes"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, question in {**TOUCH_CONFIRMATIONS, **TOUCH_QUESTIONS}.items():
            self.fields[f"touch_{key}"] = forms.ChoiceField(
                choices=YES_NO, required=False, widget=forms.RadioSelect, label=question
            )

    def touch_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("touch_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value, unit = data.get("weight"), data.get("weight_unit") or "lb"
        data["weight_kg"] = None if value is None else weight_in_kg(value, unit)
        kg = data["weight_kg"]
        if kg is not None and not MIN_WEIGHT_KG <= kg <= MAX_WEIGHT_KG:
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
        return data

    def changes(self, visit: Visit, posted: set[str]) -> dict[str, Any]:
        """The service's fields for what was posted (a field's name, or several)."""
        data = self.cleaned_data
        fields: dict[str, Any] = {}
        answers = {k[6:]: v for k, v in data.items() if k.startswith("touch_") and k in posted}
        if answers:
            fields["program_answers"] = {**visit.program_answers, **answers}
        # The weight is saved with its unit; a unit alone (no number sent) changes nothing.
        if posted & {"weight", "weight_unit"} and "weight" in self.data:
            fields["weight_kg"] = data.get("weight_kg")
        for name in posted:
            if name.startswith("touch_") or name not in self.fields:
                continue
            if name in ("weight", "weight_unit"):
                continue
            value = data.get(name)
            fields[name] = at_visit(visit, value) if name == "premeds_at" else value
        return fields


class NewAllergyForm(forms.Form):
    """An allergy the patient reports at check-in: it goes on the chart at once."""

    substance = forms.CharField(max_length=120, label="New allergy: substance")
    reaction = forms.CharField(required=False, max_length=200, label="Reaction (e.g. hives)")
    severity = forms.ChoiceField(choices=Allergy.Severity.choices, initial="unknown")


class ConsentForm(forms.Form):
    signer_name = forms.CharField(max_length=160, label="Signer's full name (typed)")
    relationship = forms.ChoiceField(choices=Consent.Relationship.choices, label="Signer is the")
    risks_discussed = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Risks, benefits and alternatives discussed",
    )
    signature = forms.CharField(widget=forms.HiddenInput, required=False)


class VitalsForm(forms.Form):
    phase = forms.ChoiceField(choices=Vitals.Phase.choices, widget=forms.HiddenInput)
    taken_at = forms.TimeField(required=False, widget=TIME, label="Time")
    systolic = forms.IntegerField(
        required=False, label="BP systolic", widget=forms.NumberInput(attrs=WHOLE)
    )
    diastolic = forms.IntegerField(
        required=False,
        label="diastolic",
        widget=forms.NumberInput(attrs={**WHOLE, "aria-label": "Diastolic blood pressure"}),
    )
    pulse = forms.IntegerField(
        required=False, label="Pulse /min", widget=forms.NumberInput(attrs=WHOLE)
    )
    temperature = forms.DecimalField(
        required=False,
        max_digits=5,
        decimal_places=1,
        label="Temp",
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.1"}),
    )
    # US nurses chart °F; stored in °C (rules.vitals.temperature_in_c).
    temperature_unit = forms.ChoiceField(
        choices=list(TEMPERATURE_UNITS.items()), initial="F", required=False, label="Unit"
    )
    spo2 = forms.IntegerField(required=False, label="SpO₂ %", widget=forms.NumberInput(attrs=WHOLE))
    respiratory_rate = forms.IntegerField(
        required=False, label="Resp. /min", widget=forms.NumberInput(attrs=WHOLE)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value, unit = data.pop("temperature", None), data.pop("temperature_unit", "F") or "F"
        data["temperature_c"] = None if value is None else temperature_in_c(value, unit)
        return data


class PreparationForm(forms.Form):
    dose_mg = forms.DecimalField(
        max_digits=10,
        decimal_places=3,
        label="Dose prepared (mg)",
        widget=forms.NumberInput(attrs={**NUMBER, "step": "any"}),
    )
    diluent = forms.CharField(
        required=False,
        max_length=80,
        label="Diluent",
        widget=forms.TextInput(attrs={"list": "diluents"}),
    )
    bag_volume_ml = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=1,
        label="Bag volume (mL)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    final_volume_ml = forms.DecimalField(
        max_digits=7,
        decimal_places=1,
        label="Final volume (mL)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    kind = forms.ChoiceField(choices=list(BEYOND_USE_LABELS.items()), label="Prepared as")
    label_limit_hours = forms.DecimalField(
        required=False,
        max_digits=4,
        decimal_places=1,
        label="Label's time limit (hours, if any)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    prepared_at = forms.TimeField(widget=TIME, label="Prepared at")
    beyond_use_at = forms.TimeField(
        required=False,
        widget=TIME,
        label="Beyond-use time",
        help_text="Empty: worked out from USP <797> and the label.",
    )
    prepared_by = forms.ChoiceField(label="Prepared by")
    notes = forms.CharField(
        required=False, max_length=255, label="Note (a dose change: who ordered it)"
    )


class CheckForm(forms.Form):
    """The checker's own credentials, typed by her on this device (never picked from a list)."""

    cosigner_username = forms.CharField(
        label="Checker's user name",
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    cosigner_password = forms.CharField(
        label="Checker's password",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class WitnessForm(CheckForm):
    """The waste witness's own credentials, typed by her on this device."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "waste_%s")
        super().__init__(*args, **kwargs)
        self.fields["cosigner_username"].label = "Witness's user name"
        self.fields["cosigner_password"].label = "Witness's password"


class StartForm(forms.Form):
    started_at = forms.TimeField(widget=TIME, label="Start time")
    method = forms.ChoiceField(choices=Administration.Method.choices, label="How")
    site = forms.CharField(required=False, max_length=80, label="Site (IV site or injection site)")
    rate_ml_h = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=1,
        label="Starting rate (mL/h)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    substance = forms.CharField(
        required=False, max_length=120, label="Substance (other than the order)"
    )
    category = forms.ChoiceField(
        required=False, choices=[("", "—"), *Administration.Category.choices]
    )
    premedication = forms.ChoiceField(
        required=False, choices=[("", "—")], label="Premedication from the formulary"
    )
    dose_given_mg = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=3,
        label="Dose given (mg)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    from_center_stock = forms.BooleanField(
        required=False, initial=True, label="From the center's stock (billed)"
    )
    separate_access_site = forms.BooleanField(
        required=False, label="Separate IV site required (second initial code, XU)"
    )
    stopped_at = forms.TimeField(
        required=False,
        widget=TIME,
        label="Stop time (a push, an injection or a short infusion)",
        help_text="Leave empty only for an infusion still running: stop it below later.",
    )

    def __init__(self, *args: Any, organization: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organization is not None:
            premeds = Drug.objects.filter(
                organization=organization, premedication=True, is_active=True
            ).order_by("generic_name")
            self.fields["premedication"].choices = [  # type: ignore[attr-defined]
                ("", "—"),
                *((d.key, f"{d.generic_name.split()[0]} ({d.hcpcs})") for d in premeds),
            ]


class OrderItemForm(forms.Form):
    """One item of the order's premedication set or anaphylaxis protocol, given now."""

    source = forms.ChoiceField(choices=[("premed", "premed"), ("protocol", "protocol")])
    item = forms.CharField(max_length=40)
    given_at = forms.TimeField(widget=TIME, label="Given at")
    dose_mg = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=3,
        label="Dose (mg)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    site = forms.CharField(required=False, max_length=80, label="Site")


class RateForm(forms.Form):
    at = forms.TimeField(widget=TIME, label="From")
    rate_ml_h = forms.DecimalField(
        max_digits=7, decimal_places=1, label="Rate (mL/h)", widget=forms.NumberInput(attrs=NUMBER)
    )


class PauseForm(forms.Form):
    started_at = forms.TimeField(widget=TIME, label="Interrupted at")
    reason = forms.CharField(max_length=160, label="Why")


class ResumeForm(forms.Form):
    ended_at = forms.TimeField(widget=TIME, label="Resumed at")


class StopForm(forms.Form):
    stopped_at = forms.TimeField(widget=TIME, label="Stop time")
    stop_reason = forms.ChoiceField(
        choices=Administration.StopReason.choices, label="Why it stopped"
    )
    volume_infused_ml = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=1,
        label="Volume infused (mL)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    dose_given_mg = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=3,
        label="Dose given (mg)",
        help_text="Only when it stopped early.",
        widget=forms.NumberInput(attrs={**NUMBER, "step": "any"}),
    )
    notes = forms.CharField(
        required=False,
        max_length=255,
        label="Notes",
        help_text="E.g. why the volume differs from what the rates deliver.",
    )


class DoseGivenForm(forms.Form):
    dose_given_mg = forms.DecimalField(
        max_digits=10,
        decimal_places=3,
        label="Dose actually given (mg)",
        widget=forms.NumberInput(attrs={**NUMBER, "step": "any"}),
    )
    volume_infused_ml = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=1,
        label="Volume infused (mL)",
        widget=forms.NumberInput(attrs=NUMBER),
    )


class ReactionForm(forms.Form):
    onset_at = forms.TimeField(widget=TIME, label="Onset")
    grade = forms.TypedChoiceField(
        coerce=int,
        choices=list(CTCAE_GRADES.items()),
        widget=forms.RadioSelect,
        label="CTCAE grade",
    )
    signs = forms.MultipleChoiceField(
        choices=Reaction.SIGNS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Signs and symptoms",
    )
    signs_other = forms.CharField(required=False, max_length=200, label="Other signs")
    actions = forms.MultipleChoiceField(
        choices=Reaction.ACTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Actions taken",
    )
    actions_other = forms.CharField(
        required=False, max_length=200, label="Other actions / medicines"
    )
    provider_notified = forms.ChoiceField(required=False, label="Provider notified")
    notified_at = forms.TimeField(required=False, widget=TIME, label="Notified at")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Notes")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Reaction.Outcome.choices, label="Outcome")
    outcome_at = forms.TimeField(widget=TIME, label="At")
    resume_rate_ml_h = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=1,
        min_value=Decimal("0.1"),
        label="Restart rate (mL/h)",
        help_text="When resumed: labels often say half the previous rate.",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    notes = forms.CharField(required=False, max_length=255, label="Note")


class DischargeForm(forms.Form):
    discharged_at = forms.TimeField(required=False, widget=TIME, label="Discharged at")
    discharge_condition = forms.ChoiceField(
        required=False,
        choices=[("", "—"), *Visit.Condition.choices],
        label="Condition at discharge",
    )
    early_discharge_reason = forms.CharField(
        required=False, max_length=255, label="Left before the observation time ended, because"
    )
    supervising_provider = forms.ChoiceField(
        required=False, label="Supervising physician / NP on site"
    )


class AddendumForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Addendum")


class SentForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=200, label="Confirmation (fax number, portal ID…)"
    )
