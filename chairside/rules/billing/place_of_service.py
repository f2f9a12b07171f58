"""CMS place-of-service codes for the sites where infusions are given.

Source: CMS Place of Service Code Set
(https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets).
The code goes on each claim line (837P SV105 / CMS-1500 item 24B) and decides whether the
physician fee schedule pays the non-facility (office) or facility rate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlaceOfService:
    code: str
    name: str


PLACES_OF_SERVICE: dict[str, PlaceOfService] = {
    p.code: p
    for p in (
        PlaceOfService("11", "Office"),
        PlaceOfService("12", "Home"),
        PlaceOfService("19", "Off Campus-Outpatient Hospital"),
        PlaceOfService("22", "On Campus-Outpatient Hospital"),
        PlaceOfService("49", "Independent Clinic"),
    )
}

# The site types Chairside knows and the code each defaults to. A hospital outpatient
# department is 22 on the hospital's campus and 19 off it; a stand-alone or NP-led
# infusion center that is not part of a physician practice bills as an independent clinic.
SITE_TYPE_DEFAULT_POS: dict[str, str] = {
    "office": "11",
    "home": "12",
    "hospital_off_campus": "19",
    "hospital_on_campus": "22",
    "independent_clinic": "49",
}


def default_place_of_service(site_type: str) -> str:
    """The CMS place-of-service code a site of this type reports unless told otherwise."""
    try:
        return SITE_TYPE_DEFAULT_POS[site_type]
    except KeyError:
        known = ", ".join(sorted(SITE_TYPE_DEFAULT_POS))
        raise ValueError(f"Unknown site type {site_type!r}; expected one of {known}.") from None


def place_of_service_name(code: str) -> str:
    """The CMS name of a place-of-service code, e.g. '11' → 'Office'."""
    try:
        return PLACES_OF_SERVICE[code].name
    except KeyError:
        raise ValueError(f"Place-of-service code {code!r} is not one Chairside supports.") from None


# The claim a site's services go on decides how drug administration is coded. A hospital
# outpatient department bills the facility's part on the institutional claim (UB-04/837I),
# coded by the facility rules (CPT facility instructions; 96376 allowed). Everything else
# Chairside runs bills professional claims (837P/CMS-1500), coded by the physician rules:
# the primary reason for the encounter is the initial service, no 96376 (CMS Pub. 100-04
# ch. 12 §30.5; MPFS status indicator of 96376).
INSTITUTIONAL_SITE_TYPES = frozenset({"hospital_on_campus", "hospital_off_campus"})
FACILITY_PLACES_OF_SERVICE = frozenset({"19", "22"})


def administration_setting(site_type: str) -> str:
    """``"facility"`` for a hospital outpatient site, ``"office"`` for the others."""
    default_place_of_service(site_type)  # ValueError for an unknown site type
    return "facility" if site_type in INSTITUTIONAL_SITE_TYPES else "office"


def setting_for_place_of_service(code: str) -> str:
    """The administration setting of a place of service: 19/22 facility, else office."""
    return "facility" if code in FACILITY_PLACES_OF_SERVICE else "office"
