"""Patient use cases. Each runs in one transaction, validates, and writes an audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, audited_update, diff, snapshot
from chairside.core.actors import acting_user
from chairside.core.validation import Problems
from chairside.patients.models import (
    Allergy,
    BodyMeasurement,
    Coverage,
    Diagnosis,
    LabResult,
    Patient,
    Payer,
    search_key,
)
from chairside.patients.reference import icd10_description, icd10_not_billable
from chairside.rules.access.member_ids import mbi_problem, member_id_problem, normalize_mbi
from chairside.rules.clinical.icd10 import normalize_icd10
from chairside.rules.clinical.lab_codes import code_for
from chairside.rules.scheduling.reminders import us_e164
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PATIENT_FIELDS = (
    "mrn",
    "first_name",
    "middle_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "preferred_language",
    "interpreter_needed",
    "home_location",
    "no_known_allergies",
    "is_active",
)


def check_birth_date(born: dt.date | None, field: str = "date_of_birth") -> None:
    """A birth date is not in the future and not more than 130 years ago."""
    if born is None:
        return
    today = timezone.localdate()
    if born > today:
        raise ValidationError({field: "Date of birth cannot be in the future."})
    if born.year < today.year - 130:
        raise ValidationError({field: "Date of birth is more than 130 years ago."})


def _save_patient(patient: Patient) -> None:
    """Check everything (all problems reported at once), then save."""
    problems = Problems()
    with problems.check():
        check_birth_date(patient.date_of_birth)
    taken = Patient.objects.filter(organization=patient.organization, mrn=patient.mrn.strip())
    if patient.pk:
        taken = taken.exclude(pk=patient.pk)
    if patient.mrn and taken.exists():
        problems.add(ValidationError({"mrn": f"Another patient already has MRN {patient.mrn}."}))
    problems.full_clean(patient)
    problems.raise_if_any()
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        # Two coordinators saving the same MRN at once: the database constraint decides.
        raise ValidationError({"mrn": "Another patient already has this MRN."}) from None


def likely_duplicates(
    *,
    organization: Organization,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    exclude: Any = None,
) -> list[Patient]:
    """Patients with the same name and birth date: probably the same person."""
    matches = Patient.objects.filter(
        organization=organization,
        last_name_key=search_key(last_name),
        first_name_key=search_key(first_name),
        date_of_birth=date_of_birth,
    )
    if exclude is not None:
        matches = matches.exclude(pk=exclude.pk)
    return list(matches[:5])


@transaction.atomic
def patient_create(*, organization: Organization, user: User, **fields: Any) -> Patient:
    """Register a patient. On bad input raise ValidationError (per field) and save nothing."""
    patient = Patient(organization=organization)
    audited_update(
        instance=patient,
        user=user,
        data=fields,
        fields=PATIENT_FIELDS,
        save=_save_patient,
        patient=patient,
    )
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, user: User, **fields: Any) -> Patient:
    """Change demographics; the audit event lists each changed field's old and new value."""
    if set(fields) - set(PATIENT_FIELDS):  # before the row lock: a programming error
        raise TypeError(f"Unknown fields: {sorted(set(fields) - set(PATIENT_FIELDS))}")
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    audited_update(
        instance=locked,
        user=user,
        data=fields,
        fields=PATIENT_FIELDS,
        save=_save_patient,
        patient=locked,
    )
    return locked


def patient_chart_viewed(*, patient: Patient, user: User, ip_address: str | None = None) -> None:
    """Reads of a chart are audited too (HIPAA access accounting)."""
    audit_record(
        action=AuditEvent.Action.VIEW,
        user=user,
        organization=patient.organization,
        obj=patient,
        patient=patient,
        ip_address=ip_address,
    )


def _record_child(
    action: str, *, child: Any, patient: Patient, user: User, changes: dict[str, Any]
) -> None:
    audit_record(
        action=action,
        user=user,
        organization=patient.organization,
        obj=child,
        patient=patient,
        changes=changes,
    )


@transaction.atomic
def allergy_add(
    *, patient: Patient, user: User, substance: str, reaction: str = "", severity: str = "unknown"
) -> Allergy:
    substance = substance.strip()
    if not substance:
        raise ValidationError({"substance": "Name the substance the patient is allergic to."})
    if patient.allergies.filter(substance__iexact=substance).exists():
        raise ValidationError({"substance": f"{substance} is already on the allergy list."})
    allergy = Allergy(patient=patient, substance=substance, reaction=reaction, severity=severity)
    allergy.full_clean()
    allergy.save()
    if patient.no_known_allergies:
        # A documented allergy contradicts "NKDA"; clear it rather than keep both.
        patient_update(patient=patient, user=user, no_known_allergies=False)
    _record_child(
        "create", child=allergy, patient=patient, user=user, changes=diff({}, snapshot(allergy))
    )
    return allergy


@transaction.atomic
def allergy_remove(*, allergy: Allergy, user: User, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the allergy is removed (e.g. entered in error)."})
    patient = allergy.patient
    before = snapshot(allergy)
    audit_record(
        action=AuditEvent.Action.DELETE,
        user=user,
        organization=patient.organization,
        obj=allergy,
        patient=patient,
        changes=diff(before, {}),
        reason=reason,
    )
    allergy.delete()


@transaction.atomic
def diagnosis_add(
    *,
    patient: Patient,
    user: User,
    icd10_code: str,
    description: str = "",
    is_primary: bool = False,
    noted_on: dt.date | None = None,
) -> Diagnosis:
    try:
        code = normalize_icd10(icd10_code)
    except ValueError as exc:
        raise ValidationError({"icd10_code": str(exc)}) from None
    not_billable = icd10_not_billable(code)
    if not_billable:
        raise ValidationError({"icd10_code": not_billable})
    description = description.strip() or icd10_description(code) or ""
    if not description:
        raise ValidationError(
            {"description": f"{code} is not in Chairside's list; type its description."}
        )
    if patient.diagnoses.filter(icd10_code=code).exists():
        raise ValidationError({"icd10_code": f"{code} is already on this patient's diagnoses."})
    if is_primary:
        patient.diagnoses.filter(is_primary=True).update(is_primary=False)
    dx = Diagnosis(
        patient=patient,
        icd10_code=code,
        description=description,
        is_primary=is_primary,
        noted_on=noted_on,
    )
    dx.full_clean()
    dx.save()
    _record_child("create", child=dx, patient=patient, user=user, changes=diff({}, snapshot(dx)))
    return dx


@transaction.atomic
def diagnosis_remove(*, diagnosis: Diagnosis, user: User, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the diagnosis is removed."})
    patient = diagnosis.patient
    audit_record(
        action=AuditEvent.Action.DELETE,
        user=user,
        organization=patient.organization,
        obj=diagnosis,
        patient=patient,
        changes=diff(snapshot(diagnosis), {}),
        reason=reason,
    )
    diagnosis.delete()


@transaction.atomic
def measurement_record(
    *,
    patient: Patient,
    user: User,
    measured_on: dt.date,
    weight_kg: Decimal,
    height_cm: Decimal | None = None,
) -> BodyMeasurement:
    """Record a dated weight (kg) and optional height (cm); weight-based doses use the latest."""
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": "A measurement cannot be dated in the future."})
    m = BodyMeasurement(
        patient=patient,
        measured_on=measured_on,
        weight_kg=weight_kg,
        height_cm=height_cm,
        recorded_by=acting_user(user),
    )
    m.full_clean()
    m.save()
    _record_child("create", child=m, patient=patient, user=user, changes=diff({}, snapshot(m)))
    return m


COVERAGE_FIELDS = (
    "payer",
    "plan_name",
    "member_id",
    "group_number",
    "subscriber_relation",
    "subscriber_name",
    "order",
    "effective_from",
    "effective_to",
)


def _check_member_id(coverage: Coverage) -> None:
    """Medicare Part B ids are MBIs (CMS format); other payers' ids match their pattern."""
    payer = coverage.payer
    if payer.kind == Payer.Kind.MEDICARE_B:
        problem = mbi_problem(coverage.member_id)
        if problem:
            raise ValidationError({"member_id": problem})
        coverage.member_id = normalize_mbi(coverage.member_id)
        return
    problem = member_id_problem(coverage.member_id, payer.member_id_pattern)
    if problem:
        hint = f" ({payer.member_id_hint})" if payer.member_id_hint else ""
        raise ValidationError({"member_id": f"{problem[:-1]}{hint}."})


def _check_coverage(coverage: Coverage) -> None:
    if coverage.payer.organization_id != coverage.patient.organization_id:
        raise ValidationError({"payer": "Choose one of your organization's payers."})
    _check_member_id(coverage)
    if coverage.effective_to and coverage.effective_to < coverage.effective_from:
        raise ValidationError({"effective_to": "The end date is before the start date."})
    if (
        coverage.subscriber_relation != Coverage.Relation.SELF
        and not coverage.subscriber_name.strip()
    ):
        raise ValidationError(
            {"subscriber_name": "Name the subscriber when it is not the patient."}
        )
    clash = Coverage.objects.filter(patient=coverage.patient, order=coverage.order).exclude(
        pk=coverage.pk
    )
    for other in clash:
        ends = other.effective_to or dt.date.max
        new_ends = coverage.effective_to or dt.date.max
        if other.effective_from <= new_ends and coverage.effective_from <= ends:
            raise ValidationError(
                {
                    "order": f"{other.payer} is already the {other.get_order_display().lower()} "
                    "coverage for those dates; end it first."
                }
            )
    coverage.full_clean()


@transaction.atomic
def coverage_add(*, patient: Patient, user: User, **fields: Any) -> Coverage:
    coverage = Coverage(patient=patient, **fields)
    _check_coverage(coverage)
    coverage.save()
    _record_child(
        "create",
        child=coverage,
        patient=patient,
        user=user,
        changes=diff({}, snapshot(coverage, COVERAGE_FIELDS)),
    )
    return coverage


@transaction.atomic
def coverage_update(*, coverage: Coverage, user: User, **fields: Any) -> Coverage:
    def save(changed: Coverage) -> None:
        _check_coverage(changed)
        changed.save()

    audited_update(
        instance=coverage,
        user=user,
        data=fields,
        fields=COVERAGE_FIELDS,
        save=save,
        organization=coverage.patient.organization,
        patient=coverage.patient,
    )
    return coverage


@transaction.atomic
def payer_create(
    *,
    organization: Organization,
    user: User,
    name: str,
    kind: str,
    payer_id: str = "",
    phone: str = "",
    is_demo: bool = False,
) -> Payer:
    payer = Payer(
        organization=organization,
        name=name.strip(),
        kind=kind,
        payer_id=payer_id,
        phone=phone,
        is_demo=is_demo,
    )
    payer.full_clean()
    payer.save()
    audit_record(
        action="create",
        user=user,
        organization=organization,
        obj=payer,
        changes=diff({}, snapshot(payer)),
    )
    return payer


@transaction.atomic
def lab_result_record(
    *,
    patient: Patient,
    user: User,
    lab_name: str,
    result_on: dt.date,
    value: str = "",
    interpretation: str = "recorded",
    notes: str = "",
) -> Any:
    """Record a dated lab or screening result; orders use it to know which labs are due.

    Added with the referrals module (pre-infusion labs: TB, hepatitis B, anti-JCV …).
    """

    lab_name = lab_name.strip()
    if not lab_name:
        raise ValidationError({"lab_name": "Name the lab or screening test."})
    if result_on > timezone.localdate():
        raise ValidationError({"result_on": "A result cannot be dated in the future."})

    result = LabResult(
        patient=patient,
        lab_name=lab_name,
        code=code_for(lab_name),
        result_on=result_on,
        value=value.strip(),
        interpretation=interpretation,
        notes=notes.strip(),
        recorded_by=acting_user(user),
    )
    result.full_clean()
    result.save()
    _record_child(
        "create", child=result, patient=patient, user=user, changes=diff({}, snapshot(result))
    )
    return result


def _check_channel(patient: Patient, channel: str, sms_consent: bool) -> None:
    if channel == "sms" and not sms_consent:
        raise ValidationError("Texts need the patient's consent: record it, or choose e-mail.")
    if channel == "sms" and not us_e164(patient.phone):
        raise ValidationError("Texts need a US phone number on the chart: add it first.")
    if channel == "email" and not patient.email.strip():
        raise ValidationError("E-mail reminders need an e-mail address on the chart.")


CONTACT_FIELDS = ("reminder_channel", "sms_consent_at", "reminders_opted_out_at")


@transaction.atomic
def patient_contact_preferences_set(
    *, patient: Patient, user: User, channel: str, sms_consent: bool, opted_out: bool
) -> Patient:
    """How the patient wants to be reminded; consent to texts and opt-out carry their date.

    Texts need the patient's consent and a US mobile number (rules.reminders.channel_for
    explains why); a consent or opt-out already on file keeps its original date.
    """
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if not opted_out:
        _check_channel(locked, channel, sms_consent)
    now = timezone.now()
    audited_update(
        instance=locked,
        user=user,
        data={
            "reminder_channel": channel,
            "sms_consent_at": (locked.sms_consent_at or now) if sms_consent else None,
            "reminders_opted_out_at": (locked.reminders_opted_out_at or now) if opted_out else None,
        },
        fields=CONTACT_FIELDS,
        save=lambda p: p.save(update_fields=[*CONTACT_FIELDS, "updated_at"]),
        patient=locked,
        reason="Contact preferences",
    )
    return locked
