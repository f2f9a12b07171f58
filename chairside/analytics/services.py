"""Planner use cases: save, simulate and delete scenarios; set a client's management fee."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.analytics.models import ManagementFeeTerms, PlanScenario
from chairside.analytics.plan import compute_plan, default_inputs, simulation_configs
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, diff
from chairside.rules.planning.capacity_sim import check_config, simulate
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_SIM_DAYS = 1000


def _check_inputs(inputs: dict[str, Any]) -> None:
    try:
        plan = compute_plan(inputs)
        for config in simulation_configs(plan).values():
            check_config(config)
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError(f"The plan cannot be computed: {exc}.") from None


@transaction.atomic
def scenario_save(
    *,
    organization: Organization,
    user: User,
    name: str,
    inputs: dict[str, Any],
    notes: str = "",
    scenario: PlanScenario | None = None,
) -> PlanScenario:
    """Create or change a named scenario; the plan must compute from its inputs."""
    name = name.strip()
    taken = PlanScenario.objects.filter(organization=organization, name__iexact=name)
    if scenario is not None:
        taken = taken.exclude(pk=scenario.pk)
    if taken.exists():
        raise ValidationError({"name": f"A scenario named “{name}” already exists."})
    clean = {**default_inputs(), **{k: str(v) for k, v in inputs.items() if v is not None}}
    _check_inputs(clean)
    before = dict(scenario.inputs) if scenario else {}
    scenario = scenario or PlanScenario(organization=organization, created_by=user)
    if before != clean:
        scenario.simulation, scenario.simulated_at = {}, None  # results of old inputs
    scenario.name, scenario.notes, scenario.inputs = name, notes, clean
    scenario.full_clean()
    scenario.save()
    audit_record(
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=scenario,
        changes=diff(before, clean),
    )
    return scenario


def scenario_simulate(*, scenario: PlanScenario, user: User, workers: int = 1) -> PlanScenario:
    """Run scenarios A and B of the capacity simulation and keep the results."""
    plan = compute_plan(scenario.inputs)
    days = min(MAX_SIM_DAYS, max(1, plan.inputs.whole("sim_days")))
    try:
        results = {
            side: dataclasses.asdict(simulate(config, days, seed=1, workers=workers))
            for side, config in simulation_configs(plan).items()
        }
    except ValueError as exc:
        raise ValidationError(f"The simulation cannot run: {exc}.") from None
    with transaction.atomic():
        locked = PlanScenario.objects.select_for_update().get(pk=scenario.pk)
        locked.simulation = results
        locked.simulated_at = timezone.now()
        locked.save(update_fields=["simulation", "simulated_at", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            user=user,
            organization=locked.organization,
            obj=locked,
            changes={"simulation": [None, f"{days} days, A and B"]},
        )
    return locked


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@transaction.atomic
def scenario_delete(*, scenario: PlanScenario, user: User) -> None:
    audit_record(
        action=AuditEvent.Action.DELETE,
        user=user,
        organization=scenario.organization,
        obj=scenario,
        changes={"name": [scenario.name, None]},
    )
    scenario.delete()


@transaction.atomic
def fee_terms_save(
    *, management_company: Organization, client: Organization, user: User, **fields: Any
) -> ManagementFeeTerms:
    """Set what a client practice owes; only its own management company may."""
    if client.managed_by_id != management_company.pk:
        raise ValidationError("This organization is not one of your clients.")
    terms = ManagementFeeTerms.objects.select_for_update().filter(client=client).first()
    before = {k: str(getattr(terms, k)) for k in fields} if terms else {}
    terms = terms or ManagementFeeTerms(client=client)
    for name, value in fields.items():
        setattr(terms, name, value)
    terms.full_clean()
    terms.save()
    audit_record(
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        user=user,
        organization=management_company,
        obj=terms,
        changes=diff(before, {k: str(v) for k, v in fields.items()}),
    )
    return terms
