"""The contract modules of shared/ARCHITECTURE.md keep their old paths (issue 14).

The code moved into domain sub-packages; ``chairside.rules.ndc`` and the others re-export
the same objects, and ``python -m chairside.rules.optimizer`` still runs the optimizer.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[3]

CONTRACT = {
    "ndc": ("chairside.rules.inventory.ndc", ["to_ndc11", "claim_ndc"]),
    "npi": ("chairside.rules.common.npi", ["is_valid_npi"]),
    "vials": ("chairside.rules.inventory.vials", ["choose_vials"]),
    "drug_units": ("chairside.rules.billing.drug_units", ["drug_billing_lines", "DrugLine"]),
    "admin_codes": (
        "chairside.rules.billing.admin_codes",
        ["administration_codes", "Administration"],
    ),
    "regimens": (
        "chairside.rules.clinical.regimens",
        ["dose_dates", "dose_mg", "Regimen", "DoseRule", "WeightBand"],
    ),
    "payment": ("chairside.rules.billing.payment", ["medicare_part_b", "PartBPayment"]),
    "planning": ("chairside.rules.planning.planning", ["break_even_treatments_per_month"]),
    "optimizer": ("chairside.rules.scheduling.optimizer", ["solve", "main"]),
}


@pytest.mark.parametrize("old", sorted(CONTRACT))
def test_the_old_path_gives_the_same_functions(old):
    new, names = CONTRACT[old]
    old_module = importlib.import_module(f"chairside.rules.{old}")
    new_module = importlib.import_module(new)
    for name in names:
        assert getattr(old_module, name) is getattr(new_module, name), name


def test_the_old_path_exports_every_public_function_and_class_of_the_new_module():
    for old, (new, _names) in CONTRACT.items():
        old_module = importlib.import_module(f"chairside.rules.{old}")
        new_module = importlib.import_module(new)
        public = {
            name
            for name, value in vars(new_module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == new
        }
        assert public <= set(vars(old_module)), old


def test_the_contract_functions_compute_through_the_old_path():
    from decimal import Decimal

    from chairside.rules import ndc, npi, payment, planning, vials

    assert ndc.to_ndc11("0002-7597-01") == "00002759701"
    assert npi.is_valid_npi("1234567893")
    assert vials.choose_vials(Decimal(150), [Decimal(100), Decimal(50)]) == {
        Decimal(100): 1,
        Decimal(50): 1,
    }
    assert payment.medicare_part_b(Decimal("10.00"), 10).allowed == Decimal("100.00")
    assert planning.break_even_treatments_per_month(Decimal(1000), Decimal(100)) == 10


def test_python_m_runs_the_optimizer_at_its_old_path(tmp_path):
    from bench.sim.day_generator import generate_day
    from chairside.rules.scheduling.schedule_model import instance_to_dict

    instance = generate_day(4, seed=3, appointments=10)
    path = tmp_path / "day.json"
    path.write_text(json.dumps(instance_to_dict(instance)))
    result = subprocess.run(  # noqa: S603 -- our own interpreter and module, a test-made path
        [sys.executable, "-m", "chairside.rules.optimizer", str(path), "--time-limit", "10"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    ids = [a["id"] for a in answer["assignments"]] + answer["unscheduled"]
    assert sorted(ids) == sorted(a.id for a in instance.appointments)
