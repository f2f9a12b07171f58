"""Small builders shared by the mappings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings

from chairside.rules.interop import fhir_codes as codes

Resource = dict[str, Any]


def ref(kind: str, public_id: Any, display: str = "") -> dict[str, str]:
    out = {"reference": f"{kind}/{public_id}"}
    if display:
        out["display"] = display
    return out


def coding(system: str, code: str, display: str = "") -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(text: str = "", *codings: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if codings:
        out["coding"] = list(codings)
    if text:
        out["text"] = text
    return out


def instant(moment: dt.datetime | None) -> str | None:
    """An aware time as FHIR instant/dateTime (seconds, with its offset)."""
    if moment is None:
        return None
    return moment.isoformat(timespec="seconds")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def period(start: Any, end: Any) -> dict[str, str]:
    out = {}
    text_start = instant(start) if isinstance(start, dt.datetime) else day(start)
    text_end = instant(end) if isinstance(end, dt.datetime) else day(end)
    if text_start:
        out["start"] = text_start
    if text_end:
        out["end"] = text_end
    return out


def quantity(value: Decimal | int, ucum: str, unit: str) -> dict[str, Any]:
    number: Any = value if isinstance(value, int) else _number(Decimal(value))
    return {"value": number, "unit": unit, "system": codes.UCUM, "code": ucum}


def _number(value: Decimal) -> int | float:
    """JSON numbers: whole values as integers, others as the shortest float text."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return int(normal)
    return float(normal)


def npi_ref(npi: str, display: str, public_id: Any = None) -> dict[str, Any]:
    """A reference to a prescriber: the Practitioner this server serves (when its id is
    given) and, for readers that resolve by identifier, the NPI."""
    out: dict[str, Any] = {"identifier": {"system": codes.NPI, "value": npi}}
    if public_id is not None:
        out["reference"] = f"Practitioner/{public_id}"
    if display:
        out["display"] = display
    return out


def mrn_system(organization: Any) -> str:
    """The organization's MRN namespace: a URL under the center's own public address."""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}/organizations/{organization.public_id}/mrn"


def meta(updated: dt.datetime | None, *profiles: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if updated is not None:
        out["lastUpdated"] = instant(updated)
    if profiles:
        out["profile"] = list(profiles)
    return out


def drop_empty(resource: Resource) -> Resource:
    """FHIR forbids empty strings, lists and objects: leave such elements out."""
    clean: Resource = {}
    for key, raw in resource.items():
        value = raw
        if isinstance(raw, dict):
            value = drop_empty(raw)
        elif isinstance(raw, list):
            kept = [drop_empty(v) if isinstance(v, dict) else v for v in raw]
            value = [v for v in kept if v not in ("", None, {}, [])]
        if value in ("", None, {}, []):
            continue
        clean[key] = value
    return clean
