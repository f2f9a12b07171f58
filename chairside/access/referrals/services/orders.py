"""Treatment-order use cases: enter, change, hold or stop an order; its required labs."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.referrals.events import order_created
from chairside.access.referrals.models import OrderLab, Referral, TreatmentOrder, default_expiry
from chairside.access.referrals.services._common import (
    audit,
    not_in_future,
    reject_unknown,
    same_organization,
)
from chairside.access.referrals.services.signing import (
    changed_signed_parts,
    may_sign,
    signature_after_change,
)
from chairside.audit.models import AuditEvent
from chairside.audit.services import diff, snapshot
from chairside.formulary.models import RegimenTemplate
from chairside.formulary.order_sets import order_sets
from chairside.patients.models import Diagnosis, Patient
from chairside.patients.selectors import latest_measurement
from chairside.rules.access import referral_states
from chairside.rules.clinical.lab_codes import code_for
from chairside.rules.clinical.regimens import check_regimen, dose_dates, dose_mg
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ORDER_FIELDS = (
    "drug",
    "regimen_template",
    "regimen_name",
    "loading_days",
    "maintenance_interval_days",
    "dose_mg",
    "dose_mg_per_kg",
    "dose_max_mg",
    "dose_bands",
    "maintenance_dose_mg",
    "maintenance_dose_from",
    "route",
    "first_dose_on",
    "number_of_doses",
    "end_on",
    "premedications",
    "premedication_set",
    "hypersensitivity_protocol",
    "observation_minutes",
    "ordering_provider",
    "signed_on",
    "expires_on",
    "weight_kg_at_order",
    "location",
    "assigned_to",
    "notes",
    "referral",
)
_REGIMEN = ("loading_days", "maintenance_interval_days")
_DOSE = ("dose_mg", "dose_mg_per_kg", "dose_max_mg", "dose_bands", "maintenance_dose_mg")


def _given(fields: dict[str, Any], names: tuple[str, ...]) -> bool:
    return any(fields.get(n) not in (None, "", []) for n in names)


def _apply_template(fields: dict[str, Any]) -> dict[str, Any]:
    """Fill the regimen and dose from the formulary template where the order leaves them out.

    A dose typed on the order replaces the template's whole dose rule (never a mix of a
    typed flat dose and the template's mg/kg). Ocrevus-style maintenance doses start at the
    template's last loading offset (600 mg from day 182 on).
    """
    template: RegimenTemplate | None = fields.get("regimen_template")
    if template is None:
        fields.setdefault("regimen_name", "Custom regimen")
        return fields
    fields.setdefault("regimen_name", template.name)
    if not _given(fields, _REGIMEN):
        fields["loading_days"] = list(template.loading_days)
        fields["maintenance_interval_days"] = template.maintenance_interval_days
    if not _given(fields, _DOSE):
        fields["dose_mg"] = template.dose_mg
        fields["dose_mg_per_kg"] = template.dose_mg_per_kg
        fields["dose_max_mg"] = template.dose_max_mg
        # A label's weight-band table (IV ustekinumab, abatacept) travels with the order.
        fields["dose_bands"] = template.dose_bands or None
        fields["maintenance_dose_mg"] = template.maintenance_dose_mg
        if template.maintenance_dose_mg is not None and not fields.get("maintenance_dose_from"):
            fields["maintenance_dose_from"] = max(1, len(template.loading_days))
    return fields


def _check_required(order: TreatmentOrder) -> None:
    missing = {
        "drug": order.drug_id is None and "Choose the drug.",
        "ordering_provider": order.ordering_provider_id is None and "Choose the ordering provider.",
        "signed_on": order.signed_on is None and "Give the date the order was signed.",
    }
    errors = {field: message for field, message in missing.items() if message}
    if errors:
        raise ValidationError(errors)


def _check_drug(order: TreatmentOrder) -> None:
    drug = order.drug
    if drug.organization_id != order.organization_id or not drug.is_active:
        raise ValidationError(
            {"drug": f"{drug} is not in your formulary; add it to the formulary first."}
        )
    template = order.regimen_template
    if template is not None and template.drug_id != drug.pk:
        raise ValidationError({"regimen_template": f"That regimen is not one of {drug}'s."})


STANDARD_SET = "auto"  # the form's "the drug's standard set": resolved here, by drug


def _check_order_sets(order: TreatmentOrder) -> None:
    """The premedication set must be one for the order's drug; ``"auto"`` takes the drug's
    standard set (where its label recommends premedication; none otherwise)."""

    sets = order_sets()
    if order.premedication_set == STANDARD_SET:
        order.premedication_set = sets.default_for(order.drug.key)
    try:
        sets.check_for_drug(order.premedication_set, order.drug.key)
    except ValueError as exc:
        raise ValidationError({"premedication_set": f"Choose another set: {exc}."}) from None


def _check_regimen(order: TreatmentOrder) -> None:
    try:
        check_regimen(order.regimen())
    except ValueError as exc:
        raise ValidationError({"loading_days": f"The regimen does not work: {exc}."}) from None
    if order.number_of_doses and order.maintenance_interval_days is None:
        course = len(order.loading_days or ()) or 1
        if order.number_of_doses > course:
            raise ValidationError(
                {"number_of_doses": f"This regimen is a fixed course of {course} doses."}
            )


def _check_dose(order: TreatmentOrder) -> None:
    order.dose_bands = order.dose_bands or None  # "no bands" is stored as NULL
    kinds = [order.dose_mg is not None, order.dose_mg_per_kg is not None, bool(order.dose_bands)]
    if kinds.count(True) != 1:
        raise ValidationError(
            {"dose_mg": "Give either a flat dose in mg or a dose per kg (or weight bands)."}
        )
    if order.maintenance_dose_mg is not None and not order.maintenance_dose_from:
        raise ValidationError(
            {"maintenance_dose_from": "Say from which dose the maintenance dose applies."}
        )
    if order.is_weight_based and order.weight_kg_at_order is None:
        latest = latest_measurement(order.patient)
        if latest is None:
            raise ValidationError(
                {
                    "weight_kg_at_order": f"{order.drug.generic_name} is dosed "
                    f"{'by weight band' if order.dose_bands else 'per kg'}: record "
                    "the patient's weight, or the weight on the order, first."
                }
            )
        order.weight_kg_at_order = latest.weight_kg
    _check_label_cap(order)
    for number in (1, order.maintenance_dose_from or 1):
        try:
            dose_mg(order.dose_rule(number), Decimal(order.weight_kg_at_order or 1))
        except ValueError as exc:
            raise ValidationError({"dose_mg": f"The dose does not work: {exc}."}) from None


def _check_label_cap(order: TreatmentOrder) -> None:
    """The regimen's label maximum per infusion holds whatever dose is typed.

    Per indication: IV tocilizumab caps at 800 mg for RA but 600 mg for giant cell
    arteritis (ACTEMRA label section 2), so the cap comes from the regimen template chosen,
    with the label section it was checked in (``dose_max_source``).
    """
    template = order.regimen_template
    cap = template.dose_max_mg if template is not None else None
    if template is None or cap is None:
        return
    where = template.dose_max_source or template.source or "the label"
    limit = f"{cap.normalize():f} mg per infusion for {template.name} ({where})"
    if order.dose_max_mg is None:
        order.dose_max_mg = cap
    elif order.dose_max_mg > cap:
        raise ValidationError({"dose_max_mg": f"The maximum cannot be above the label's {limit}."})
    if order.dose_mg is not None and order.dose_mg > cap:
        raise ValidationError({"dose_mg": f"The dose is above the label's {limit}."})


def _check_dates(order: TreatmentOrder) -> None:
    not_in_future(order.signed_on, "signed_on", "signature date")
    if order.expires_on is None:
        order.expires_on = default_expiry(order.signed_on)
    if order.expires_on < order.signed_on:
        raise ValidationError({"expires_on": "The order cannot expire before it was signed."})
    first = order.first_dose_on
    if first and first < order.signed_on:
        raise ValidationError({"first_dose_on": "The first dose cannot be before the signature."})
    if order.end_on and first and order.end_on < first:
        raise ValidationError({"end_on": "The end date is before the first dose."})
    if order.end_on and order.end_on > order.expires_on:
        raise ValidationError(
            {"end_on": f"The end date is after the order expires ({order.expires_on:%m/%d/%Y})."}
        )
    if first and first > order.expires_on:
        raise ValidationError({"first_dose_on": "The first dose is after the order expires."})


def _check_order(order: TreatmentOrder, diagnoses: Iterable[Diagnosis]) -> None:
    org = order.organization
    _check_required(order)
    _check_drug(order)
    _check_order_sets(order)
    same_organization(order.ordering_provider, org, "ordering_provider", "providers")
    same_organization(order.location, org, "location", "locations")
    same_organization(order.assigned_to, org, "assigned_to", "staff")
    if order.referral is not None:
        same_organization(order.referral, org, "referral", "referrals")
        if order.referral.patient_id not in (None, order.patient_id):
            raise ValidationError({"referral": "That referral is for another patient."})
    for dx in diagnoses:
        if dx.patient_id != order.patient_id:
            raise ValidationError({"diagnoses": "Choose diagnoses from this patient's chart."})
    _check_regimen(order)
    _check_dose(order)
    _check_dates(order)
    if order.first_dose_on:
        dose_dates(order.regimen(), order.first_dose_on, 1)
    order.full_clean(exclude=["diagnoses"])


LIVE_STATUSES = (TreatmentOrder.Status.ACTIVE, TreatmentOrder.Status.ON_HOLD)


class DuplicateOrderError(ValidationError):
    """The patient already has a live (active or on-hold) order for this drug.

    A second order would open a second benefits investigation and authorization for the
    same treatment; the existing order is changed instead. ``existing`` names it so pages
    can link to it and the API can return it.
    """

    def __init__(self, existing: TreatmentOrder) -> None:
        self.existing = existing
        entered = timezone.localtime(existing.created_at).strftime("%m/%d/%Y")
        first = f", first dose {existing.first_dose_on:%m/%d/%Y}" if existing.first_dose_on else ""
        super().__init__(
            {
                "drug": (
                    f"{existing.patient} already has an "
                    f"{existing.get_status_display().lower()} order for "
                    f"{existing.drug.generic_name} (entered {entered}"
                    f"{first}). Update that order instead of entering a second one: "
                    "a duplicate would need its benefits and authorization redone."
                )
            }
        )


def live_order_for(
    *, patient: Patient, drug: Any, exclude: TreatmentOrder | None = None
) -> TreatmentOrder | None:
    """The patient's active or on-hold order for ``drug``, if any (oldest first)."""
    found = TreatmentOrder.objects.filter(
        organization_id=patient.organization_id,
        patient=patient,
        drug=drug,
        status__in=LIVE_STATUSES,
    ).select_related("drug", "patient")
    if exclude is not None and exclude.pk:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("created_at", "id").first()


def _refuse_duplicate(order: TreatmentOrder) -> None:
    if order.drug_id is None or order.status not in LIVE_STATUSES:
        return
    existing = live_order_for(patient=order.patient, drug=order.drug, exclude=order)
    if existing is not None:
        raise DuplicateOrderError(existing)


def open_referrals_awaiting_order(*, patient: Patient) -> list[Referral]:
    """The patient's open referrals naming a drug that no live order answers yet."""
    return list(
        Referral.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            requested_drug__isnull=False,
            state__in=referral_states.OPEN_STATES,
        )
        .exclude(orders__status__in=LIVE_STATUSES)
        .select_related("requested_drug", "referring_provider")
        .order_by("-is_urgent", "received_on", "id")
    )


def open_referral_for(*, patient: Patient, drug: Any) -> Referral | None:
    """The patient's open referral asking for ``drug`` that no live order answers yet.

    An order entered from the chart (not from the referral's page) is linked to it, so the
    referral moves on with the order instead of waiting for a second one.
    """
    return (
        Referral.objects.filter(
            organization_id=patient.organization_id,
            patient=patient,
            requested_drug=drug,
            state__in=referral_states.OPEN_STATES,
        )
        .exclude(orders__status__in=LIVE_STATUSES)
        .order_by("-is_urgent", "received_on", "id")
        .first()
    )


def _audit_snapshot(order: TreatmentOrder) -> dict[str, Any]:
    data = snapshot(order, ORDER_FIELDS)
    data["status"] = order.status
    if order.pk:
        data["diagnoses"] = sorted(d.icd10_code for d in order.diagnoses.all())
    return data


@transaction.atomic
def order_create(
    *,
    organization: Organization,
    user: User,
    patient: Patient,
    diagnoses: Iterable[Diagnosis] = (),
    **fields: Any,
) -> TreatmentOrder:
    """Enter a treatment order; regimen and dose come from the template if left out.

    Entered by a physician or NP (``order.sign``) it is signed by them; entered by anyone
    else (a coordinator typing the referral's paperwork) it is a draft awaiting signature.
    Copies the drug's required labs onto the order and opens a benefits investigation for
    each of the patient's active coverages. Bad input raises ValidationError, saving nothing.
    """
    reject_unknown(fields, ORDER_FIELDS)
    if patient.organization_id != organization.pk:
        raise ValidationError({"patient": "Choose one of your organization's patients."})
    fields = _apply_template(dict(fields))
    fields.setdefault("location", patient.home_location)
    diagnoses = list(diagnoses)
    # One order at a time per patient: two coordinators entering the same faxed order
    # cannot both pass the duplicate check.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if fields.get("referral") is None and fields.get("drug") is not None:
        fields["referral"] = open_referral_for(patient=patient, drug=fields["drug"])
    order = TreatmentOrder(organization=organization, patient=patient, **fields)
    _check_order(order, diagnoses)
    _refuse_duplicate(order)
    if getattr(user, "pk", None) is not None:
        order.entered_by = user
        if may_sign(user=user, organization=organization):
            order.signed_by, order.signed_at = user, timezone.now()
    order.save()
    order.diagnoses.set(diagnoses)
    for lab in order.drug.required_labs.all():
        OrderLab.objects.create(
            order=order, name=lab.name, every_days=lab.every_days, code=lab.code
        )
    if order.referral is not None and order.referral.patient_id is None:
        order.referral.patient = patient
        order.referral.save(update_fields=["patient", "updated_at"])
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        obj=order,
        organization=organization,
        patient=patient,
        changes=diff({}, _audit_snapshot(order)),
    )
    order_created(order, user)  # benefits open for each coverage (authorizations/handlers.py)
    return order


@transaction.atomic
def order_update(
    *,
    order: TreatmentOrder,
    user: User,
    diagnoses: Iterable[Diagnosis] | None = None,
    **fields: Any,
) -> TreatmentOrder:
    """Change an order (a corrected dose, a new first-dose date); every change is audited."""
    reject_unknown(fields, ORDER_FIELDS)
    locked = TreatmentOrder.objects.select_for_update().get(pk=order.pk)
    before = _audit_snapshot(locked)
    before_drug = locked.drug_id
    if "regimen_template" in fields and fields["regimen_template"] != locked.regimen_template:
        fields = _apply_template(dict(fields))
    if _given(fields, ("dose_mg", "dose_mg_per_kg")) and "dose_bands" not in fields:
        fields["dose_bands"] = None  # a typed dose replaces the weight bands
    for name, value in fields.items():
        setattr(locked, name, value)
    chosen = list(diagnoses) if diagnoses is not None else list(locked.diagnoses.all())
    _check_order(locked, chosen)
    if locked.drug_id != before_drug:
        _refuse_duplicate(locked)
    locked.save()
    locked.diagnoses.set(chosen)
    after = _audit_snapshot(locked)
    changes = diff(before, after)
    if changes:
        audit(
            AuditEvent.Action.UPDATE,
            user=user,
            obj=locked,
            organization=locked.organization,
            patient=locked.patient,
            changes=changes,
        )
    signature_after_change(order=locked, user=user, parts=changed_signed_parts(before, after))
    return locked


_STATUS_MOVES = {
    TreatmentOrder.Status.ACTIVE: {"on_hold", "completed", "discontinued"},
    TreatmentOrder.Status.ON_HOLD: {"active", "completed", "discontinued"},
    TreatmentOrder.Status.COMPLETED: set(),
    TreatmentOrder.Status.DISCONTINUED: set(),
}


@transaction.atomic
def order_set_status(
    *, order: TreatmentOrder, user: User, status: str, reason: str = ""
) -> TreatmentOrder:
    """Hold, resume, complete or discontinue an order; holding and stopping need a reason."""
    locked = TreatmentOrder.objects.select_for_update().get(pk=order.pk)
    if status not in _STATUS_MOVES[TreatmentOrder.Status(locked.status)]:
        raise ValidationError(
            f"A {locked.get_status_display().lower()} order cannot become "
            f"{TreatmentOrder.Status(status).label.lower()}."
        )
    if status in {"on_hold", "discontinued"} and not reason.strip():
        raise ValidationError({"reason": "Say why the order is put on hold or discontinued."})
    old = locked.status
    locked.status, locked.status_reason = status, reason.strip()
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    audit(
        AuditEvent.Action.STATE,
        user=user,
        obj=locked,
        organization=locked.organization,
        patient=locked.patient,
        changes={"status": [old, status]},
        reason=reason.strip(),
    )
    return locked


@transaction.atomic
def order_lab_add(
    *, order: TreatmentOrder, user: User, name: str, every_days: int | None = None
) -> OrderLab:
    """Require another lab before infusions of this order (e.g. a repeat CBC every 90 days)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the lab."})
    if every_days is not None and every_days < 1:
        raise ValidationError({"every_days": "The repeat interval must be at least 1 day."})
    code = code_for(name)
    same = order.required_labs.filter(code=code) if code else None
    if order.required_labs.filter(name__iexact=name).exists() or (same and same.exists()):
        raise ValidationError({"name": f"{name} is already required by this order."})
    lab = OrderLab.objects.create(order=order, name=name, every_days=every_days, code=code)
    audit(
        AuditEvent.Action.CREATE,
        user=user,
        obj=lab,
        organization=order.organization,
        patient=order.patient,
        changes={"required_lab": [None, name], "every_days": [None, every_days]},
    )
    locked = TreatmentOrder.objects.select_for_update().get(pk=order.pk)
    signature_after_change(order=locked, user=user, parts=["labs"])
    return lab
