"""What a prior authorization request asks the payer for: the service dates, the visits
and the HCPCS billing units of the order's doses still to give (the X12 278's DTP*472,
HSD and SV1, and the Da Vinci PAS Claim.item)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from chairside.access.authorizations.models import PriorAuthorization
from chairside.patients.selectors import latest_measurement
from chairside.rules.billing.cost_share import billed_units


@dataclass(frozen=True)
class Requested:
    """What the request asks for: the service dates, billing units and visits."""

    start_on: dt.date
    end_on: dt.date
    units: int
    visits: int


def requested_defaults(authorization: PriorAuthorization, today: dt.date) -> Requested:
    """The order's doses still to give (a course not started starts today): their dates,
    their count and the billing units they need (the dose at the patient's latest weight,
    with the discarded part of single-dose vials, as the cost estimate counts them)."""
    order = authorization.order
    probe = order
    if order.first_dose_on is None:
        probe = copy.copy(order)
        probe.first_dose_on = today
    planned = list(enumerate(probe.planned_dates(), start=1))
    upcoming = [(n, d) for n, d in planned if d >= today] or planned
    measurement = latest_measurement(order.patient)
    weight = measurement.weight_kg if measurement else order.weight_kg_at_order
    vials = [Decimal(p.strength_mg) for p in order.drug.packages.all() if p.single_dose]
    units = 0
    for number, _day in upcoming:
        try:
            dose = order.dose_for_weight(weight, number)
        except ValueError:
            continue
        units += billed_units(dose, Decimal(order.drug.billing_unit_mg), vials)
    start = upcoming[0][1] if upcoming else today
    end = upcoming[-1][1] if upcoming else today
    return Requested(start, end, max(units, 1), max(len(upcoming), 1))
