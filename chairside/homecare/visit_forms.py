"""Forms of the home visit documentation page: the chair visit's own forms where the entry
is the same (vitals, reaction, addendum), and the home's administration and times.

Every form carries ``client_id``, the id of the entry (a fresh one each time the page is
drawn, and one per queued entry on the tablet): the server records an id once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime

from chairside.core.dates import in_range
from chairside.homecare.models import HomeInfusionOrder, HomeVisit
from chairside.inventory.models import Lot
from chairside.treatments.forms import TIME, AddendumForm, ReactionForm, VitalsForm, at_visit
from chairside.treatments.models import Administration, ReactionRecord, VitalReadings

__all__ = [
    "AddendumForm",
    "HomeAdministrationForm",
    "HomeReactionForm",
    "HomeVitalsForm",
    "TimesForm",
    "at_visit",
]


class _Entry(forms.Form):
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # When the nurse saved the entry, by the tablet's clock (ISO 8601): sent by the page's
    # script with an entry kept on the tablet while offline.
    entered_at = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_id"].initial = uuid.uuid4

    def clean_entered_at(self) -> dt.datetime | None:
        """The tablet's time, or None when it is missing or unreadable: a tablet's clock
        never refuses the nurse's entry."""
        text = (self.cleaned_data.get("entered_at") or "").strip()
        try:
            moment = parse_datetime(text) if text else None
        except ValueError:
            return None
        if moment is None or moment.tzinfo is None or not in_range(moment.date()):
            return None
        return moment


class HomeVitalsForm(_Entry, VitalsForm):
    """The chair's vitals form; in the home the nurse says when they were taken."""

    phase = forms.ChoiceField(choices=VitalReadings.Phase.choices, label="When")


class HomeReactionForm(_Entry, ReactionForm):
    """The chair's reaction form, with its outcome (the nurse is alone in the home)."""

    outcome = forms.ChoiceField(
        required=False, choices=[("", "—"), *ReactionRecord.Outcome.choices], label="Outcome"
    )
    outcome_at = forms.TimeField(required=False, widget=TIME, label="Outcome at")


class HomeAdministrationForm(_Entry):
    home_order = forms.ChoiceField(required=False, label="Home order")
    lot = forms.ChoiceField(required=False, label="Delivered lot")
    lot_number = forms.CharField(
        required=False, max_length=40, label="Lot number (not from a delivery)"
    )
    dose_amount = forms.DecimalField(
        max_digits=10,
        decimal_places=3,
        label="Dose given",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    dose_unit = forms.ChoiceField(choices=HomeInfusionOrder.DoseUnit.choices, label="Unit")
    method = forms.ChoiceField(choices=Administration.Method.choices, label="Route")
    site = forms.CharField(required=False, max_length=80, label="Site (IV site, injection site)")
    started_at = forms.TimeField(widget=TIME, label="Started")
    stopped_at = forms.TimeField(required=False, widget=TIME, label="Stopped")
    notes = forms.CharField(required=False, max_length=255, label="Notes")

    def __init__(
        self, *args: Any, orders: list[HomeInfusionOrder], lots: list[Lot], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.orders = {str(o.public_id): o for o in orders}
        self.lots = {str(lot.public_id): lot for lot in lots}
        order_field = self.fields["home_order"]
        lot_field = self.fields["lot"]
        assert isinstance(order_field, forms.ChoiceField)
        assert isinstance(lot_field, forms.ChoiceField)
        order_field.choices = [
            ("", "—"),
            *((k, f"{o.drug_display} {o.dose_display}") for k, o in self.orders.items()),
        ]
        lot_field.choices = [
            ("", "—"),
            *(
                (k, f"{lot.package.drug.generic_name} lot {lot.lot_number}")
                for k, lot in self.lots.items()
            ),
        ]
        if len(self.orders) == 1:
            only = next(iter(self.orders.values()))
            self.initial.setdefault("home_order", str(only.public_id))
            self.initial.setdefault("dose_amount", f"{only.dose_amount.normalize():f}")
            self.initial.setdefault("dose_unit", only.dose_unit)

    def resolved(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["home_order"] = self.orders.get(data.get("home_order") or "")
        data["lot"] = self.lots.get(data.get("lot") or "")
        return data


class TimesForm(forms.Form):
    arrived_at = forms.TimeField(required=False, widget=TIME, label="Arrived")
    departed_at = forms.TimeField(required=False, widget=TIME, label="Left")
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Nursing notes"
    )

    @classmethod
    def for_visit(cls, visit: HomeVisit, data: Any = None) -> TimesForm:
        tz = visit.location.tz
        initial = {
            "arrived_at": visit.arrived_at.astimezone(tz).time() if visit.arrived_at else None,
            "departed_at": visit.departed_at.astimezone(tz).time() if visit.departed_at else None,
            "notes": visit.notes,
        }
        return cls(data, initial=initial)
