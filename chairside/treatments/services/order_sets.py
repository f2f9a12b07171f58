"""Giving what the order's premedication set and anaphylaxis protocol hold (issue 21
item 8): one action per item — dose, route, time, who — drawing the vials from stock
where the site stocks the drug (single-dose vials; the opened rest is recorded as waste),
else recorded as floor stock. A parenteral item becomes an ``Administration`` of the
formulary premedication, so billing derives its HCPCS line and administration code
(``services.facts``); an oral item is documented as the check-in's premedications given.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.audit.models import AuditEvent
from chairside.core.actors import acting_user
from chairside.formulary.models import Drug
from chairside.inventory.models import Lot
from chairside.inventory.services import stock_dispense_dose, stock_waste
from chairside.rules.clinical.infusion import Opened, allocate_given
from chairside.rules.clinical.order_sets import OrderSet, SetItem
from chairside.treatments.models import Administration, Reaction, Visit
from chairside.treatments.services._common import audit, locked_visit, on_visit_day
from chairside.treatments.services.administration import administration_start

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SOURCES = ("premed", "protocol")
# A push or an injection given with one action is recorded as lasting one minute: CPT
# counts no time for them (the stop time only closes the record; issue 21 item 6).
PUSH_MINUTES = 1
# The reaction's action each protocol item documents when a reaction is open.
REACTION_ACTIONS = {
    "epinephrine-im": "epinephrine",
    "diphenhydramine-iv": "antihistamine",
    "methylprednisolone-iv": "steroid",
    "saline-bolus": "iv_fluids",
    "oxygen": "oxygen",
}


def ordered_set(visit: Visit, source: str) -> OrderSet | None:
    order = visit.order
    if source == "premed":
        found: OrderSet | None = order.premedication_order_set
        return found
    if source == "protocol":
        protocol: OrderSet | None = order.ordered_protocol
        return protocol
    return None


def _ordered_item(visit: Visit, source: str, key: str) -> SetItem:
    chosen = ordered_set(visit, source)
    item = chosen.item(key) if chosen is not None else None
    if item is None:
        what = "premedication set" if source == "premed" else "anaphylaxis protocol"
        raise ValidationError({"item": f"That item is not in the order's {what}."})
    return item


def _formulary_drug(visit: Visit, item: SetItem) -> Any:
    drug = Drug.objects.filter(
        organization=visit.organization, key=item.drug, premedication=True, is_active=True
    ).first()
    if drug is None:
        raise ValidationError(
            {"item": f"{item.name} is not in your formulary: add it (HCPCS, package) first."}
        )
    return drug


def _draw_from_stock(visit: Visit, drug: Any, dose: Decimal, user: User) -> bool:
    """Dispense the single-dose vials the dose needs from the site's stock and record the
    opened rest as waste; False when the site does not stock the drug in single-dose vials
    (a multiple-dose vial, or none: floor stock). The ledger records them when entered
    (a movement never goes before a later one of the same lot)."""

    stocked = Lot.objects.filter(
        organization=visit.organization,
        storage_place__location=visit.location,
        package__drug=drug,
        package__single_dose=True,
        on_hand__gt=0,
    ).exists()
    if not stocked:
        return False
    ref = str(visit.public_id)
    moves = stock_dispense_dose(
        organization=visit.organization,
        location=visit.location,
        drug=drug,
        dose_mg=dose,
        patient=visit.patient,
        user=user,
        visit_ref=ref,
    )
    opened = [Opened(str(m.pk), Decimal(m.lot.package.strength_mg), -m.vials) for m in moves]
    by_id = {str(m.pk): m for m in moves}
    for key, _, left in allocate_given(opened, dose):
        if left > 0:
            stock_waste(lot=by_id[key].lot, user=user, mg=left, visit_ref=ref)
    return True


def _note_reaction(visit: Visit, item: SetItem, user: User) -> None:
    """An open reaction records the protocol drug as one of its actions."""
    action = REACTION_ACTIONS.get(item.key)
    reaction = visit.reactions.filter(outcome="").order_by("-onset_at").first()
    if action is None or reaction is None or action in reaction.actions:
        return
    known = [k for k, _ in Reaction.ACTIONS]
    reaction.actions = sorted({*reaction.actions, action}, key=known.index)
    reaction.save(update_fields=["actions", "updated_at"])
    audit(
        AuditEvent.Action.UPDATE,
        user=user,
        visit=visit,
        obj=reaction,
        changes={"actions": [None, action]},
    )


def _record_oral(visit: Visit, item: SetItem, dose: Decimal | None, at: dt.datetime) -> None:
    text = f"{item.name} {dose.normalize():f} mg {item.route}" if dose else item.label
    given = ", ".join(p for p in (visit.premeds_given, text) if p)[:255]
    visit.premeds_given = given
    visit.premeds_at = visit.premeds_at or at
    visit.save(update_fields=["premeds_given", "premeds_at", "updated_at"])


@transaction.atomic
def order_item_give(
    *,
    visit: Visit,
    user: User,
    source: str,
    item: str,
    given_at: dt.datetime,
    dose_mg: Decimal | None = None,
    site: str = "",
) -> Administration | None:
    """Give one item of the order's premedication set (``source="premed"``) or anaphylaxis
    protocol (``"protocol"``) at ``given_at``, by ``user``; ``dose_mg`` defaults to the
    ordered dose. Returns the administration (None for an oral premedication)."""

    current = locked_visit(visit)
    on_visit_day(current, given_at, "given_at", "time given")
    chosen = _ordered_item(current, source, item)
    dose = dose_mg if dose_mg is not None else chosen.dose_mg
    if dose is not None and dose <= 0:
        raise ValidationError({"dose_mg": "Enter the dose given (more than 0 mg)."})
    where = f"{source}:{chosen.key}"
    if chosen.method == "oral":
        _record_oral(current, chosen, dose, given_at)
        audit(
            AuditEvent.Action.UPDATE,
            user=user,
            visit=current,
            obj=current,
            changes={"premeds_given": [None, where]},
        )
        return None
    if not chosen.method:
        raise ValidationError({"item": f"{chosen.name} is documented on the reaction form."})
    short = chosen.method != "infusion"
    stop = given_at + dt.timedelta(minutes=PUSH_MINUTES) if short else None
    if chosen.drug is None:  # fluids: a hydration infusion that runs until stopped
        admin = administration_start(
            visit=current,
            user=user,
            started_at=given_at,
            method=chosen.method,
            substance=chosen.name,
            category=chosen.category,
            stopped_at=stop,
        )
    else:
        assert dose is not None  # parse_order_sets: a billable item has a dose
        drug = _formulary_drug(current, chosen)
        admin = administration_start(
            visit=current,
            user=user,
            started_at=given_at,
            method=chosen.method,
            site=site.strip() or chosen.site,
            premedication=drug.key,
            dose_given_mg=dose,
            stopped_at=stop,
        )
        admin.dispensed_from_stock = _draw_from_stock(current, drug, dose, user)
    admin.order_item = where
    admin.given_by = acting_user(user)
    admin.save(update_fields=["order_item", "given_by", "dispensed_from_stock", "updated_at"])
    if source == "protocol":
        _note_reaction(current, chosen, user)
    return admin
