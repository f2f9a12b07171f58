"""Who may see and do what: the role matrix, in one place.

Plain Python so the README table, the navigation and the tests all read the same source.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    BILLER = "biller"
    PROVIDER = "provider"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administrator",
    Role.COORDINATOR: "Infusion coordinator / front desk",
    Role.NURSE: "Nurse",
    Role.PHARMACIST: "Pharmacist / inventory lead",
    Role.BILLER: "Biller",
    Role.PROVIDER: "Physician / NP",
    Role.AUDITOR: "Read-only auditor",
}


class Perm(StrEnum):
    PATIENT_VIEW = "patient.view"
    PATIENT_EDIT = "patient.edit"
    CLINICAL_EDIT = "clinical.edit"  # weights, allergies, vitals, visit documentation
    ORDER_SIGN = "order.sign"
    ACCESS_EDIT = "access.edit"  # referrals, benefits, authorizations
    SCHEDULE_VIEW = "schedule.view"
    SCHEDULE_EDIT = "schedule.edit"
    AUTH_OVERRIDE = "schedule.auth_override"
    INVENTORY_VIEW = "inventory.view"
    INVENTORY_EDIT = "inventory.edit"
    BILLING_VIEW = "billing.view"
    BILLING_EDIT = "billing.edit"
    PAYMENT_TAKE = "billing.payment"  # take a patient's payment (the co-pay at the desk)
    REPORTS_VIEW = "reports.view"
    STAFF_VIEW = "staff.view"
    SETTINGS_EDIT = "settings.edit"  # locations, chairs, staff, memberships, formulary
    AUDIT_VIEW = "audit.view"
    PLANNING_EDIT = "planning.edit"  # planner scenarios, management fee terms
    COMPOUNDING_VIEW = "compounding.view"  # compounding records, formulations, lot recall
    COMPOUNDING_EDIT = "compounding.edit"  # compound a dose, verify one, master formulations
    HOMECARE_VIEW = "homecare.view"  # home-infusion orders, plans of care, teaching, monitoring
    HOMECARE_EDIT = "homecare.edit"  # write them (teaching signed by a nurse, notes by a PharmD)
    COMPLIANCE_VIEW = "compliance.view"  # accreditation evidence page and its PDF
    COMPLIANCE_EDIT = "compliance.edit"  # licences, check-offs, policies, temperature logs


_READ_ALL = {
    Perm.PATIENT_VIEW,
    Perm.SCHEDULE_VIEW,
    Perm.INVENTORY_VIEW,
    Perm.BILLING_VIEW,
    Perm.REPORTS_VIEW,
    Perm.STAFF_VIEW,
}

MATRIX: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.COORDINATOR: frozenset(
        {
            Perm.PATIENT_VIEW,
            Perm.PATIENT_EDIT,
            Perm.ACCESS_EDIT,
            Perm.SCHEDULE_VIEW,
            Perm.SCHEDULE_EDIT,
            Perm.AUTH_OVERRIDE,
            Perm.INVENTORY_VIEW,
            Perm.PAYMENT_TAKE,
            Perm.REPORTS_VIEW,
            Perm.STAFF_VIEW,
            Perm.HOMECARE_VIEW,
            Perm.HOMECARE_EDIT,
        }
    ),
    Role.NURSE: frozenset(
        {
            Perm.PATIENT_VIEW,
            Perm.CLINICAL_EDIT,
            Perm.SCHEDULE_VIEW,
            Perm.INVENTORY_VIEW,
            Perm.STAFF_VIEW,
            Perm.COMPOUNDING_VIEW,
            Perm.HOMECARE_VIEW,
            Perm.HOMECARE_EDIT,
            Perm.COMPLIANCE_VIEW,
        }
    ),
    Role.PHARMACIST: frozenset(
        {
            Perm.PATIENT_VIEW,
            Perm.SCHEDULE_VIEW,
            Perm.INVENTORY_VIEW,
            Perm.INVENTORY_EDIT,
            Perm.COMPOUNDING_VIEW,
            Perm.COMPOUNDING_EDIT,
            Perm.COMPLIANCE_VIEW,
            Perm.COMPLIANCE_EDIT,
            Perm.REPORTS_VIEW,
            Perm.STAFF_VIEW,
            Perm.HOMECARE_VIEW,
            Perm.HOMECARE_EDIT,
        }
    ),
    Role.BILLER: frozenset(
        {
            Perm.PATIENT_VIEW,
            Perm.SCHEDULE_VIEW,
            Perm.BILLING_VIEW,
            Perm.BILLING_EDIT,
            Perm.PAYMENT_TAKE,
            Perm.REPORTS_VIEW,
            Perm.STAFF_VIEW,
            Perm.HOMECARE_VIEW,
        }
    ),
    Role.PROVIDER: frozenset(
        {
            Perm.PATIENT_VIEW,
            Perm.PATIENT_EDIT,
            Perm.CLINICAL_EDIT,
            Perm.ORDER_SIGN,
            Perm.SCHEDULE_VIEW,
            Perm.REPORTS_VIEW,
            Perm.STAFF_VIEW,
            Perm.HOMECARE_VIEW,
            Perm.HOMECARE_EDIT,
        }
    ),
    Role.AUDITOR: frozenset(
        _READ_ALL
        | {Perm.AUDIT_VIEW, Perm.COMPOUNDING_VIEW, Perm.HOMECARE_VIEW, Perm.COMPLIANCE_VIEW}
    ),
}


def role_label(value: str) -> str:
    """A stored role's name as people read it ("Biller"), or the stored value itself (a role
    recorded by an older version, say, in the audit trail)."""
    try:
        return Role(value).label
    except ValueError:
        return value


def has_perm(role: str | None, perm: Perm) -> bool:
    """True when the role grants the permission; an unknown or missing role grants nothing."""
    if role is None:
        return False
    try:
        return perm in MATRIX[Role(role)]
    except ValueError:
        return False


PERM_LABELS: dict[Perm, str] = {
    Perm.PATIENT_VIEW: "see patients",
    Perm.PATIENT_EDIT: "register / edit demographics, coverage, diagnoses",
    Perm.CLINICAL_EDIT: "record weights, allergies, visit documentation",
    Perm.ORDER_SIGN: "sign treatment orders",
    Perm.ACCESS_EDIT: "work referrals, benefits, authorizations",
    Perm.SCHEDULE_VIEW: "see the schedule",
    Perm.SCHEDULE_EDIT: "book, move, cancel appointments",
    Perm.AUTH_OVERRIDE: "override the authorization rule (with a reason)",
    Perm.INVENTORY_VIEW: "see stock",
    Perm.INVENTORY_EDIT: "receive, dispense, waste, adjust stock",
    Perm.BILLING_VIEW: "see charges and claims",
    Perm.BILLING_EDIT: "work claims, payments, denials",
    Perm.PAYMENT_TAKE: "take patient payments and co-pays at the desk",
    Perm.REPORTS_VIEW: "reports, dashboards, planner",
    Perm.STAFF_VIEW: "staff directory",
    Perm.SETTINGS_EDIT: "sites, chairs, staff, log-ins, formulary",
    Perm.AUDIT_VIEW: "read the audit trail",
    Perm.PLANNING_EDIT: "save planner scenarios, set management fees",
    Perm.COMPOUNDING_VIEW: "see compounding records, formulations, lot recalls",
    Perm.COMPOUNDING_EDIT: "compound and verify doses, keep master formulations",
    Perm.HOMECARE_VIEW: "see home-infusion orders, plans of care, teaching, monitoring",
    Perm.HOMECARE_EDIT: "write home-infusion orders, plans of care, teaching, monitoring notes",
    Perm.COMPLIANCE_VIEW: "see the accreditation evidence page and export its PDF",
    Perm.COMPLIANCE_EDIT: "record licences, check-offs, policies, temperatures, incidents",
}


def markdown_matrix() -> str:
    """The role matrix as the README's Markdown table (a test keeps the README in step)."""
    roles = list(Role)
    head = "| permission | " + " | ".join(r.value for r in roles) + " |"
    rule = "|---|" + "---|" * len(roles)
    rows = [
        f"| {PERM_LABELS.get(p, p.value)} (`{p.value}`) | "
        + " | ".join("✓" if p in MATRIX[r] else "" for r in roles)
        + " |"
        for p in Perm
    ]
    return "\n".join([head, rule, *rows])
