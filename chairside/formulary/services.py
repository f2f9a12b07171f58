"""Formulary use cases: loading the reference formulary into an organization."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from chairside.formulary.models import Drug, DrugLab, Package, RegimenTemplate
from chairside.rules.clinical.lab_codes import code_for
from chairside.rules.inventory.ndc import to_ndc11
from chairside.tenancy.models import Organization

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "formulary.json"

_CATEGORY = {
    "chemo": Drug.AdminCategory.CHEMO,
    "therapeutic": Drug.AdminCategory.THERAPEUTIC,
    "hydration": Drug.AdminCategory.HYDRATION,
    "injection": Drug.AdminCategory.INJECTION,
}


def reference_formulary(path: Path = REFERENCE_FILE) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    drugs: list[dict[str, Any]] = data["drugs"]
    return drugs


def _dec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


# What a regimen's "dose" may hold. Anything else is refused rather than dropped: a dose
# the loader does not understand (the old "dose_by_weight" beside "dose") once gave every
# ustekinumab patient the middle band's 390 mg.
_DOSE_KEYS = {"mg", "mg_per_kg", "max_mg", "bands"}


def _dose(reg: dict[str, Any]) -> dict[str, Any]:
    dose: dict[str, Any] = reg.get("dose", {})
    unknown = set(dose) - _DOSE_KEYS
    if unknown or "dose_by_weight" in reg:
        raise ValueError(
            f"regimen {reg.get('name')!r}: unknown dose keys "
            f"{sorted(unknown) or ['dose_by_weight']}; weight bands go in dose.bands"
        )
    return dose


def _load_drug(organization: Organization, row: dict[str, Any]) -> Drug:
    drug, _ = Drug.objects.update_or_create(
        organization=organization,
        key=row["key"],
        defaults={
            "generic_name": row["generic_name"],
            "brand_name": row.get("brand_name", ""),
            "hcpcs": row["hcpcs"],
            "hcpcs_descriptor": row.get("hcpcs_descriptor", ""),
            "billing_unit_mg": Decimal(str(row["billing_unit_mg"])),
            "routes": ",".join(row.get("routes", ["IV"])),
            "admin_category": _CATEGORY[row["admin_category"]],
            "first_infusion_minutes": row.get("first_infusion_minutes") or 0,
            "subsequent_infusion_minutes": row.get("subsequent_infusion_minutes") or 0,
            "observation_minutes": row.get("observation_minutes") or 0,
            "use_within_hours": (
                Decimal(str(row["use_within_hours"])) if row.get("use_within_hours") else None
            ),
            "use_within_source": row.get("use_within_source", ""),
            "prior_auth_usually_required": bool(row.get("prior_auth_usually_required", True)),
            "waste_witness_required": bool(row.get("waste_witness_required", False)),
            "special_program": row.get("special_program", "") or "",
            "premedication": bool(row.get("premedication", False)),
            "sources": "\n".join(row.get("sources", [])),
        },
    )
    drug.full_clean()
    return drug


def _load_children(drug: Drug, row: dict[str, Any]) -> None:
    for lab in row.get("required_labs", []):
        DrugLab.objects.update_or_create(
            drug=drug,
            name=lab["name"],
            defaults={
                "every_days": lab.get("every_days"),
                "source": (lab.get("source") or "")[:300],
                "code": lab.get("code") or code_for(lab["name"]),
            },
        )
    for pkg in row.get("packages", []):
        if not pkg.get("ndc"):
            continue  # an unverified package is not loaded: we never invent an NDC
        Package.objects.update_or_create(
            drug=drug,
            ndc11=to_ndc11(pkg["ndc"]),
            defaults={
                "description": pkg.get("description", "")[:200],
                "strength_mg": Decimal(str(pkg["strength_mg"])),
                "volume_ml": _dec(pkg.get("volume_ml")),
                "ndc_unit": pkg.get("ndc_unit") or "UN",
                "ndc_quantity": _dec(pkg.get("ndc_quantity")) or Decimal(1),
                "single_dose": bool(pkg.get("single_dose", True)),
                "storage": "room" if pkg.get("storage", "").startswith("room") else "refrigerated",
                "source": (pkg.get("source") or "")[:300],
            },
        )
    for reg in row.get("regimens", []):
        dose = _dose(reg)
        maintenance = reg.get("maintenance_dose") or {}
        template, _ = RegimenTemplate.objects.update_or_create(
            drug=drug,
            name=reg["name"][:160],
            defaults={
                "loading_days": list(reg.get("loading_days", [])),
                "maintenance_interval_days": reg.get("maintenance_interval_days"),
                "dose_mg": _dec(dose.get("mg")),
                "dose_mg_per_kg": _dec(dose.get("mg_per_kg")),
                "dose_max_mg": _dec(dose.get("max_mg")),
                "dose_bands": dose.get("bands") or None,
                "dose_max_source": (reg.get("max_source") or "")[:300],
                "maintenance_dose_mg": _dec(maintenance.get("mg")),
                "source": (reg.get("source") or "")[:300],
            },
        )
        template.full_clean()


@transaction.atomic
def formulary_load_reference(*, organization: Organization, path: Path = REFERENCE_FILE) -> int:
    """Load (or refresh) the reference formulary into an organization. Idempotent.

    Returns the number of drugs loaded. Rows are matched on the drug key, NDC and regimen
    name, so running it twice changes nothing.
    """
    rows = reference_formulary(path)
    for row in rows:
        drug = _load_drug(organization, row)
        _load_children(drug, row)
    return len(rows)
