"""The people and organizations the other resources name: ordering providers as US Core
Practitioner, the center and the payers as US Core Organization."""

from __future__ import annotations

from typing import Any

from chairside.fhir.mapping.common import Resource, coding, concept, drop_empty, meta
from chairside.rules.interop import fhir_codes as codes


def practitioner(row: Any) -> Resource:
    """A referring/ordering provider (US Core Practitioner: NPI identifier, name)."""
    return drop_empty(
        {
            "resourceType": "Practitioner",
            "id": str(row.public_id),
            "meta": meta(row.updated_at, codes.US_CORE + "us-core-practitioner"),
            "identifier": [{"system": codes.NPI, "value": row.npi}] if row.npi else [],
            "active": row.is_active,
            "name": [
                {
                    "family": row.last_name,
                    "given": [row.first_name] if row.first_name else [],
                    "suffix": [row.credential] if row.credential else [],
                }
            ],
            "telecom": [
                *([{"system": "phone", "value": row.phone, "use": "work"}] if row.phone else []),
                *([{"system": "fax", "value": row.fax, "use": "work"}] if row.fax else []),
                *([{"system": "email", "value": row.email, "use": "work"}] if row.email else []),
            ],
            "address": [{"text": row.address}] if row.address else [],
        }
    )


def center(row: Any, profile: Any = None) -> Resource:
    """The organization itself, a healthcare provider (US Core Organization), with its
    group NPI and, when its billing profile has one, its address."""
    npi = (profile.npi if profile is not None else "") or row.group_npi
    address: dict[str, Any] = {}
    if profile is not None and profile.address_line1:
        address = {
            "line": [x for x in (profile.address_line1, profile.address_line2) if x],
            "city": profile.city,
            "state": profile.state,
            "postalCode": profile.postal_code,
            "country": "US",
        }
    return drop_empty(
        {
            "resourceType": "Organization",
            "id": str(row.public_id),
            "meta": meta(row.updated_at, codes.US_CORE + "us-core-organization"),
            "identifier": [{"system": codes.NPI, "value": npi}] if npi else [],
            "active": True,
            "type": [concept("", coding(codes.ORGANIZATION_TYPE, "prov", "Healthcare Provider"))],
            "name": (profile.billing_name if profile is not None else "") or row.name,
            "telecom": [{"system": "phone", "value": row.phone, "use": "work"}]
            if row.phone
            else [],
            "address": [address],
        }
    )


def payer(row: Any) -> Resource:
    """A payer (US Core Organization, type pay), identified by its electronic payer ID."""
    return drop_empty(
        {
            "resourceType": "Organization",
            "id": str(row.public_id),
            "meta": meta(row.updated_at, codes.US_CORE + "us-core-organization"),
            "identifier": [{"value": row.payer_id}] if row.payer_id else [],
            "active": True,
            "type": [concept("", coding(codes.ORGANIZATION_TYPE, "pay", "Payer"))],
            "name": row.name,
            "telecom": [{"system": "phone", "value": row.phone, "use": "work"}]
            if row.phone
            else [],
        }
    )
