"""Forms parse the planner's inputs and the dashboard filters; the rules live elsewhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

from chairside.analytics.models import ManagementFeeTerms, PlanScenario
from chairside.analytics.plan import (
    ARRIVAL_CHOICES,
    FIELDS,
    SECTIONS,
    Field,
    default_inputs,
    drug_choices,
)
from chairside.core.dates import in_range, supported_day
from chairside.rules.planning.demand import PUBLISHED_PREVALENCE
from chairside.tenancy.models import Location

DATE = forms.DateInput(attrs={"type": "date"})
CONDITION_PARTS = ("prevalence", "infused", "capture", "drug")


def _per_condition(spec: Field) -> bool:
    return spec.name.split("_", 1)[0] in PUBLISHED_PREVALENCE and spec.section == "demand"


def _form_field(spec: Field) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "help_text": spec.help, "required": True}
    if spec.kind == "int":
        return forms.IntegerField(min_value=0, max_value=100_000_000, **common)
    if spec.kind == "percent":
        return forms.DecimalField(
            min_value=Decimal(0), max_value=Decimal(1000), decimal_places=4, **common
        )
    if spec.kind == "decimal":
        return forms.DecimalField(min_value=Decimal(0), max_digits=12, decimal_places=2, **common)
    if spec.kind == "time":
        return forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), **common)
    if spec.kind == "drug":
        return forms.ChoiceField(choices=drug_choices(), **common)
    return forms.ChoiceField(choices=ARRIVAL_CHOICES, **common)


class ScenarioForm(forms.Form):
    """A scenario's name and notes, and every planner input, grouped in sections."""

    name = forms.CharField(max_length=120)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, scenario: PlanScenario | None = None, **kwargs: Any) -> None:
        initial = {**default_inputs(), **(scenario.inputs if scenario else {})}
        if scenario is not None:
            initial.update(name=scenario.name, notes=scenario.notes)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for spec in FIELDS:
            self.fields[spec.name] = _form_field(spec)

    def sections(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """Each section's fields; the per-condition demand fields go in condition_rows()."""
        return [
            (
                key,
                title,
                [self[f.name] for f in FIELDS if f.section == key and not _per_condition(f)],
            )
            for key, title in SECTIONS.items()
        ]

    def condition_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        """One row per condition: prevalence, share infused, capture share, drug."""
        return [
            (condition.name, [self[f"{key}_{part}"] for part in CONDITION_PARTS])
            for key, condition in PUBLISHED_PREVALENCE.items()
        ]

    def inputs(self) -> dict[str, str]:
        """The cleaned inputs as the strings a scenario stores."""
        data = self.cleaned_data
        return {
            f.name: data[f.name].strftime("%H:%M")
            if isinstance(data[f.name], dt.time)
            else str(data[f.name])
            for f in FIELDS
        }


class DashboardFilterForm(forms.Form):
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, empty_label="All sites"
    )
    start = forms.DateField(widget=DATE, required=False, label="From", validators=[supported_day])
    end = forms.DateField(widget=DATE, required=False, label="To", validators=[supported_day])

    def __init__(self, data: Any, *, organization: Any, today: dt.date) -> None:
        # Bound from the start with the default range, so the date boxes show what is shown.
        data = data.copy()
        if not data.get("end"):
            data["end"] = today.isoformat()
        if not data.get("start"):
            end = dt.date.fromisoformat(data["end"]) if _is_iso(data["end"]) else today
            data["start"] = (end - dt.timedelta(days=89)).isoformat()
        super().__init__(data)
        self.today = today
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )

    def defaults(self) -> dict[str, Any]:
        """The last 90 days at every site: what the page shows unless told otherwise."""
        return {"location": None, "start": self.today - dt.timedelta(days=89), "end": self.today}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["end"] = data.get("end") or self.today
        data["start"] = data.get("start") or data["end"] - dt.timedelta(days=89)
        if data["start"] > data["end"]:
            raise forms.ValidationError("The start date is after the end date.")
        if (data["end"] - data["start"]).days > 3 * 366 + 1:
            raise forms.ValidationError("Choose a range of at most three years.")
        return data


def _is_iso(value: str) -> bool:
    try:
        return in_range(dt.date.fromisoformat(value))
    except ValueError:
        return False


class FeeTermsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ManagementFeeTerms
        fields = ["basis", "fee_per_treatment", "share_of_collections_percent", "effective_from"]
        widgets = {"effective_from": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the amount for the chosen basis is needed; the model's clean() says which.
        self.fields["fee_per_treatment"].required = False
        self.fields["share_of_collections_percent"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("fee_per_treatment", "share_of_collections_percent"):
            if data.get(name) is None:
                data[name] = Decimal(0)
        return data

    def _post_clean(self) -> None:
        pass  # the service validates the terms, with the client set
