"""Replay a year of the demo center's treatments through two ordering policies.

    python bench/inventory.py            # 300 demo-like patients, 365 days
    python bench/inventory.py --quick    # 120 patients, 120 days (CI smoke check)

Patients are made like the demo center's (``chairside/demo/foundation.py``: the same
diagnosis mix, weights 48-125 kg), each on a regimen of the reference formulary
(``chairside/formulary/data/formulary.json``: label schedules, doses, vial sizes and the
demo acquisition cost per billing unit). Appointments are booked, moved and missed as in
``bench/sim/treatment_replay.py``; the replay itself is
``bench/sim/inventory_sim.py``. Seeded: the same arguments print the same figures.

The last line is JSON (shared/bench/BENCH_OUTPUT.md):
{"forecast": {"avg_days_on_hand": …, "stockout_days": …, "vials_expired": …,
"avg_inventory_value": …}, "monthly": {…}}
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sim.inventory_sim import (  # noqa: E402
    POLICIES,
    PolicyResult,
    SimConfig,
    SimDrug,
    simulate,
)
from bench.sim.treatment_replay import (  # noqa: E402
    SimRegimen,
    demo_like_patients,
    generate_appointments,
)
from chairside.rules.clinical.regimens import DoseRule, Regimen  # noqa: E402

FORMULARY = ROOT / "chairside" / "formulary" / "data" / "formulary.json"
DEMO_SOURCE = ROOT / "chairside" / "demo" / "foundation.py"
START = dt.date(2025, 1, 6)  # a Monday; any year would do


def _dec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def catalog() -> tuple[list[SimDrug], dict[tuple[str, str], SimRegimen]]:
    """Stockable drugs (packages with a verified NDC) and their regimens, from the formulary."""
    drugs: list[SimDrug] = []
    plans: dict[tuple[str, str], SimRegimen] = {}
    for row in json.loads(FORMULARY.read_text(encoding="utf-8"))["drugs"]:
        unit_cost = Decimal(row["demo_prices"]["acquisition_cost_per_unit"])
        unit_mg = Decimal(row["billing_unit_mg"])
        costs = {
            Decimal(p["strength_mg"]): unit_cost * Decimal(p["strength_mg"]) / unit_mg
            for p in row["packages"]
            if p.get("ndc")
        }
        if not costs:
            continue  # no verified package: the center cannot stock it
        drugs.append(SimDrug(row["key"], costs))
        for reg in row["regimens"]:
            dose = reg.get("dose", {})
            plans[(row["key"], reg["name"])] = SimRegimen(
                drug=row["key"],
                regimen=Regimen(tuple(reg["loading_days"]), reg["maintenance_interval_days"]),
                dose=DoseRule(
                    mg=_dec(dose.get("mg")),
                    mg_per_kg=_dec(dose.get("mg_per_kg")),
                    max_mg=_dec(dose.get("max_mg")),
                ),
                maintenance_dose_mg=_dec((reg.get("maintenance_dose") or {}).get("mg")),
            )
    return drugs, plans


def diagnosis_mix() -> list[tuple[str, int]]:
    """The demo center's DIAGNOSIS_MIX, read from its source (no Django needed to run)."""
    tree = ast.parse(DEMO_SOURCE.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == "DIAGNOSIS_MIX" for t in targets):
                assert node.value is not None
                return [tuple(row) for row in ast.literal_eval(node.value)]
    raise SystemExit(f"DIAGNOSIS_MIX not found in {DEMO_SOURCE}")


def demo_like(count: int, seed: int) -> list[tuple[str, str, Decimal]]:
    """(patient id, ICD-10 code, weight) drawn like the demo center's patients."""
    codes, weights = zip(*diagnosis_mix(), strict=True)
    rows = []
    for n in range(1, count + 1):
        rng = random.Random(f"bench-patient-{seed}-{n}")
        weight = Decimal(rng.randint(480, 1250)) / 10  # as chairside/demo/foundation.py
        rows.append((f"P{n:04d}", rng.choices(codes, weights=weights)[0], weight))
    return rows


def print_table(results: dict[str, PolicyResult]) -> None:
    print(
        f"{'policy':<10}{'days on hand':>14}{'stock-out days':>16}{'missed doses':>14}"
        f"{'vials expired':>15}{'avg inventory $':>17}{'vials used':>12}{'order lines':>13}"
    )
    for name, r in results.items():
        print(
            f"{name:<10}{r.avg_days_on_hand:>14}{r.stockout_days:>16}{r.missed_doses:>14}"
            f"{r.vials_expired:>15}{r.avg_inventory_value:>17,.2f}{r.vials_dispensed:>12}"
            f"{r.order_lines:>13}"
        )
    print()
    print(f"{'drug':<24}" + "".join(f"{p + ' on hand':>18}{p + ' out':>14}" for p in results))
    first = next(iter(results.values()))
    for drug in first.per_drug:
        cells = "".join(
            f"{r.per_drug[drug].avg_vials_on_hand:>18}{r.per_drug[drug].stockout_days:>14}"
            for r in results.values()
        )
        print(f"{drug:<24}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="120 patients, 120 days")
    parser.add_argument("--patients", type=int, default=None)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--target-days", type=int, default=7)
    parser.add_argument("--lead-time", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    patients_n = args.patients or (120 if args.quick else 300)
    days = args.days or (120 if args.quick else 365)
    began = time.perf_counter()
    drugs, plans = catalog()
    patients = demo_like_patients(demo_like(patients_n, args.seed), plans, START, seed=args.seed)
    end = START + dt.timedelta(days=days + 60)  # bookings beyond the year feed the forecast
    appointments = generate_appointments(patients, START, end, seed=args.seed)
    config = SimConfig(
        start=START,
        days=days,
        lead_time_days=args.lead_time,
        target_days=args.target_days,
        seed=args.seed,
    )
    results = {p: simulate(appointments, drugs, config, p) for p in POLICIES}
    print(
        f"Inventory replay: {len(patients)} patients on treatment, {len(appointments)} "
        f"appointments, {days} days from {START}, lead time {args.lead_time} day(s), "
        f"target {args.target_days} days on hand, seed {args.seed}"
    )
    print_table(results)
    print(f"\n({time.perf_counter() - began:.1f} s)")
    print(json.dumps({name: r.headline() for name, r in results.items()}))


if __name__ == "__main__":
    main()
