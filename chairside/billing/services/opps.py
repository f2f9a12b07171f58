"""OPPS rates: import an Addendum B CSV, and estimate an institutional claim's payment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.models import OppsRateFile, OppsRateRow
from chairside.core.actors import acting_user
from chairside.rules.billing.opps import OppsRate, parse_addendum_b
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "opps_addendum_b_demo.csv"


@transaction.atomic
def opps_file_import(
    *,
    organization: Organization,
    data: bytes,
    filename: str,
    user: User | None,
    is_demo: bool = False,
) -> OppsRateFile:
    """Import an OPPS Addendum B CSV (as CMS publishes it). Bad file: ValidationError naming
    the row, nothing saved. The newest import is the one estimates use. A file whose title
    says DEMO is kept as demo whatever the caller says."""
    try:
        rates = parse_addendum_b(data)
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from None
    head = data[:400].decode("utf-8", errors="replace").upper()
    record = OppsRateFile.objects.create(
        organization=organization,
        filename=filename[:200],
        is_demo=is_demo or "DEMO" in head,
        row_count=len(rates),
        imported_by=acting_user(user),
    )
    OppsRateRow.objects.bulk_create(
        OppsRateRow(
            file=record,
            hcpcs=rate.hcpcs,
            description=rate.description[:120],
            status_indicator=rate.status_indicator[:2],
            apc=rate.apc[:5],
            payment_rate=rate.payment_rate,
        )
        for rate in {r.hcpcs: r for r in rates}.values()
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=record,
        changes={"rows": [None, len(rates)], "demo": [None, record.is_demo]},
    )
    return record


def opps_rates(*, organization: Organization) -> tuple[dict[str, OppsRate], OppsRateFile | None]:
    """The newest imported file's rates by HCPCS code, and the file (None: none imported)."""
    latest = OppsRateFile.objects.filter(organization=organization).first()
    if latest is None:
        return {}, None
    return {
        row.hcpcs: OppsRate(
            row.hcpcs, row.status_indicator, row.apc, row.payment_rate, row.description
        )
        for row in latest.rates.all()
    }, latest
