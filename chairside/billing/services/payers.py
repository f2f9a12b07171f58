"""Which payer a claim of an encounter goes to (shared by the claims and the patient's
account, which the claims service imports)."""

from __future__ import annotations

from chairside.billing.models import Encounter
from chairside.patients.models import Payer


def payer_of(encounter: Encounter, index: int) -> Payer | None:
    """The payer of the encounter's ``index``-th coverage (0: primary), or None when there is
    no such coverage or it is self-pay."""
    coverages = encounter.encounter_facts().coverages
    if index >= len(coverages):
        return None
    payer = Payer.objects.filter(
        organization=encounter.organization, public_id=coverages[index].payer_ref
    ).first()
    if payer is None or payer.kind == Payer.Kind.SELF_PAY:
        return None
    return payer
