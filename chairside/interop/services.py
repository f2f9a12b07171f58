"""HL7 v2 intake: store every inbound message, apply it through the patient and referral
services in one transaction, and answer the ACK (AA / AE / AR) that says why.

The message row is written whatever happens (the coordinator's "Interface messages" page
lists it); the changes it asks for are applied inside a savepoint that is rolled back whole
when any part is refused, so an AE message leaves nothing half-written and can be
reprocessed once the cause is fixed (a payer added, an MRN corrected).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chairside.access.referrals.models import Referral, ReferringProvider
from chairside.access.referrals.services import order_create, provider_save, referral_create
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, audited_update
from chairside.core.actors import acting_user
from chairside.formulary.models import Drug
from chairside.interop.models import InterfaceMessage, InterfaceSettings
from chairside.patients.models import Coverage, Patient, Payer
from chairside.patients.services import (
    coverage_add,
    coverage_update,
    diagnosis_add,
    likely_duplicates,
    patient_create,
    patient_update,
)
from chairside.rules.interop import hl7_intake as intake
from chairside.rules.interop.hl7_ack import AckError, build_ack
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Where a refused field of a service came from in the message (for ERR-2).
_FIELD_LOCATION = {
    "mrn": "PID-3",
    "first_name": "PID-5",
    "last_name": "PID-5",
    "date_of_birth": "PID-7",
    "patient_date_of_birth": "PID-7",
    "sex": "PID-8",
    "state": "PID-11",
    "postal_code": "PID-11",
    "phone": "PID-13",
    "payer": "IN1-3",
    "member_id": "IN1-36",
    "order": "IN1-1",
    "effective_from": "IN1-12",
    "effective_to": "IN1-13",
    "subscriber_name": "IN1-16",
    "npi": "ORC-12",
    "referring_provider": "ORC-12",
    "diagnosis_code": "DG1-3",
    "requested_drug": "RXO-1",
}


def interface_settings(organization: Organization) -> InterfaceSettings:
    found, _ = InterfaceSettings.objects.get_or_create(
        organization=organization, defaults={"facility_name": organization.name[:60]}
    )
    return found


def interface_user(organization: Organization) -> Any:
    """The service identity the audit trail names for what an interface changes.

    It has no password and no membership: it cannot log in, and orders it enters are drafts
    awaiting a physician's signature."""
    config = interface_settings(organization)
    if config.service_user_id is None:
        user = get_user_model().objects.create_user(
            username=f"hl7-{uuid.uuid4().hex[:12]}",
            first_name="HL7 interface",
            last_name=f"({organization.name[:100]})",
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        config.service_user = user
        config.save(update_fields=["service_user", "updated_at"])
    return config.service_user


def _as_problem(exc: ValidationError) -> intake.Hl7Error:
    """A service's refusal as an AE naming the message field it came from."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.message_dict.items()))
        location = _FIELD_LOCATION.get(field, "")
        text = " ".join(exc.messages)
        return intake.Hl7Error(text, location=location, code="207")
    return intake.Hl7Error(" ".join(exc.messages), code="207")


def _patient_fields(data: intake.PatientData) -> dict[str, Any]:
    fields = {
        "first_name": data.first_name,
        "middle_name": data.middle_name,
        "last_name": data.last_name,
        "date_of_birth": data.date_of_birth,
        "sex": data.sex,
        "address_line1": data.address_line1,
        "address_line2": data.address_line2,
        "city": data.city,
        "state": data.state,
        "postal_code": data.postal_code,
        "phone": data.phone,
    }
    # HL7: an empty field means "not sent", not "erase" (v2.5.1 2.5.3): keep what is on file.
    return {k: v for k, v in fields.items() if v not in ("", None)}


def _apply_patient(
    organization: Organization, actor: Any, data: intake.PatientData, message_type: str
) -> Patient:
    existing = Patient.objects.filter(organization=organization, mrn=data.mrn).first()
    if existing is not None:
        if message_type in intake.PATIENT_EVENTS:
            return patient_update(patient=existing, user=actor, **_patient_fields(data))
        return existing
    if message_type == "ADT^A08":
        raise intake.Hl7Error(
            f"No patient has MRN {data.mrn}: register the patient (ADT^A04) first.",
            location="PID-3",
            code=intake.UNKNOWN_KEY_IDENTIFIER,
        )
    twins = likely_duplicates(
        organization=organization,
        first_name=data.first_name,
        last_name=data.last_name,
        date_of_birth=data.date_of_birth,
    )
    if twins:
        mrns = ", ".join(p.mrn for p in twins)
        raise intake.Hl7Error(
            f"{data.first_name} {data.last_name}, born {data.date_of_birth:%m/%d/%Y}, is "
            f"probably already registered (MRN {mrns}): send that MRN, or register by hand.",
            location="PID-3",
            code="205",
        )
    return patient_create(
        organization=organization, user=actor, mrn=data.mrn, **_patient_fields(data)
    )


def _payer(organization: Organization, data: intake.CoverageData) -> Payer:
    match = Q()
    if data.payer_id:
        match |= Q(payer_id__iexact=data.payer_id)
    if data.payer_name:
        match |= Q(name__iexact=data.payer_name)
    payer = Payer.objects.filter(match, organization=organization).first()
    if payer is None:
        named = " / ".join(p for p in (data.payer_id, data.payer_name) if p)
        raise intake.Hl7Error(
            f"Unknown payer {named}: add it under Admin › Payers (with this electronic payer "
            "ID or name), then reprocess the message.",
            location="IN1-3",
            code=intake.UNKNOWN_KEY_IDENTIFIER,
        )
    return payer


def _apply_coverage(patient: Patient, actor: Any, data: intake.CoverageData) -> Coverage:
    payer = _payer(patient.organization, data)
    fields: dict[str, Any] = {
        "plan_name": data.plan_name,
        "group_number": data.group_number,
        "subscriber_relation": data.subscriber_relation,
        "subscriber_name": data.subscriber_name if data.subscriber_relation != "self" else "",
        "order": data.set_id,
        "effective_to": data.effective_to,
    }
    if data.effective_from is not None:
        fields["effective_from"] = data.effective_from
    existing = patient.coverages.filter(payer=payer, member_id=data.member_id).first()
    if existing is not None:
        return coverage_update(coverage=existing, user=actor, **fields)
    fields.setdefault("effective_from", timezone.localdate())
    return coverage_add(
        patient=patient, user=actor, payer=payer, member_id=data.member_id, **fields
    )


def _provider(
    organization: Organization, actor: Any, data: intake.ProviderData
) -> ReferringProvider:
    found = ReferringProvider.objects.filter(organization=organization, npi=data.npi).first()
    if found is not None:
        return found
    if not data.last_name:
        raise intake.Hl7Error(
            f"NPI {data.npi} is not in the provider directory and the message gives no name "
            "for it (ORC-12.2 / PRD-2).",
            location="ORC-12",
            code=intake.REQUIRED_FIELD_MISSING,
        )
    return provider_save(
        organization=organization,
        user=actor,
        npi=data.npi,
        first_name=data.first_name,
        last_name=data.last_name,
    )


def _drug(organization: Organization, data: intake.OrderData) -> Drug | None:
    """The formulary drug the order names by HCPCS code or generic/brand name, if any."""
    names = [n for n in (data.drug_code, data.drug_text) if n]
    match = Q()
    for name in names:
        match |= Q(hcpcs__iexact=name) | Q(generic_name__iexact=name) | Q(brand_name__iexact=name)
    return Drug.objects.filter(match, organization=organization, is_active=True).first()


def _apply_order(
    organization: Organization,
    actor: Any,
    patient: Patient,
    data: intake.OrderData,
    header: intake.Header,
) -> tuple[Referral, list[AckError]]:
    provider = _provider(organization, actor, data.provider)
    drug = _drug(organization, data)
    codes = data.diagnosis_codes
    notes = [
        f"Received as HL7 {header.message_type} {header.control_id} from "
        f"{header.sending_application or 'the sender'} {header.sending_facility}".strip()
    ]
    if len(codes) > 1:
        notes.append("Other diagnoses sent: " + ", ".join(codes[1:]))
    if data.notes:
        notes.append(data.notes)
    referral = referral_create(
        organization=organization,
        user=actor,
        referring_provider=provider,
        patient=patient,
        patient_first_name=patient.first_name,
        patient_last_name=patient.last_name,
        patient_date_of_birth=patient.date_of_birth,
        patient_phone=patient.phone,
        requested_drug=drug,
        requested_drug_text="" if drug else data.drug_text[:160],
        diagnosis_code=codes[0] if codes else "",
        clinical_notes="\n".join(notes),
        is_urgent=data.urgent,
    )
    warnings: list[AckError] = []
    if drug is None:
        warnings.append(
            AckError(
                f"{data.drug_text} is not in the formulary: the referral waits for a "
                "coordinator to choose the drug.",
                location="RXO-1",
                code=intake.TABLE_VALUE_NOT_FOUND,
                severity="W",
            )
        )
    elif header.message_type == "ORM^O01":
        problem = _draft_order(organization, actor, patient, referral, drug, provider, data)
        if problem:
            warnings.append(AckError(problem, location="ORC-1", code="207", severity="W"))
    return referral, warnings


def _draft_order(  # noqa: PLR0917 (private; the seven parts of one drafting)
    organization: Organization,
    actor: Any,
    patient: Patient,
    referral: Referral,
    drug: Drug,
    provider: ReferringProvider,
    data: intake.OrderData,
) -> str:
    """Draft the treatment order on the drug's first regimen (unsigned: a provider signs it).

    Returns why it could not be drafted ("" when it was); the referral stands either way."""
    template = drug.regimens.order_by("id").first()
    try:
        with transaction.atomic():
            diagnoses = []
            for code in data.diagnosis_codes[:1]:
                dx = patient.diagnoses.filter(icd10_code=code).first() or diagnosis_add(
                    patient=patient, user=actor, icd10_code=code, is_primary=True
                )
                diagnoses.append(dx)
            order_create(
                organization=organization,
                user=actor,
                patient=patient,
                diagnoses=diagnoses,
                drug=drug,
                regimen_template=template,
                ordering_provider=provider,
                signed_on=min(data.ordered_on or timezone.localdate(), timezone.localdate()),
                referral=referral,
            )
    except ValidationError as exc:
        return "Referral received; the order was not drafted: " + " ".join(exc.messages)
    return ""


def _apply(
    organization: Organization, actor: Any, data: intake.InboundMessage
) -> tuple[Patient | None, Referral | None, list[AckError]]:
    """Everything the message asks for, or a raised problem (the caller rolls back)."""
    try:
        patient = None
        if data.patient is not None:
            patient = _apply_patient(organization, actor, data.patient, data.header.message_type)
        for coverage in data.coverages:
            assert patient is not None
            _apply_coverage(patient, actor, coverage)
        if data.order is not None and patient is not None:
            referral, warnings = _apply_order(organization, actor, patient, data.order, data.header)
            return patient, referral, warnings
        return patient, None, []
    except ValidationError as exc:
        raise _as_problem(exc) from None


def _ack(
    message: InterfaceMessage,
    header: intake.Header | None,
    code: str,
    errors: list[AckError],
    organization: Organization,
) -> str:
    config = interface_settings(organization)
    trigger = header.message_type.split("^")[1] if header and "^" in header.message_type else ""
    return build_ack(
        ack_code=code,
        control_id=header.control_id if header else "",
        sending_application=header.sending_application if header else "",
        sending_facility=header.sending_facility if header else "",
        receiving_application=(header.receiving_application if header else "") or "CHAIRSIDE",
        receiving_facility=config.facility_name,
        at=timezone.now(),
        ack_control_id=f"CS{message.public_id.hex[:18].upper()}",
        errors=tuple(errors),
        trigger=trigger,
        version=header.version if header else "2.5.1",
    )


def _process(message: InterfaceMessage, actor: Any, user: User | None) -> InterfaceMessage:
    """Parse and apply ``message.raw``; record the outcome and the ACK on the row."""
    organization = message.organization
    header: intake.Header | None = None
    try:
        header = intake.header(intake.parse(message.raw))
    except intake.Hl7Problem:
        header = None
    if header is not None:
        message.message_type = header.message_type[:20]
        message.control_id = header.control_id[:60]
        message.sending_application = header.sending_application[:60]
        message.sending_facility = header.sending_facility[:60]
    warnings: list[AckError] = []
    try:
        with transaction.atomic():
            data = intake.read(message.raw)
            patient, referral, warnings = _apply(organization, actor, data)
    except intake.Hl7Problem as problem:
        code = problem.ack_code
        message.status = (
            InterfaceMessage.Status.REJECTED if code == "AR" else InterfaceMessage.Status.ERROR
        )
        message.error, message.error_location = problem.message, problem.location
        errors = [AckError(problem.message, problem.location, problem.code)]
    else:
        code = "AA"
        message.status = InterfaceMessage.Status.ACCEPTED
        message.patient, message.referral = patient, referral
        message.error = "\n".join(w.text for w in warnings)
        message.error_location = warnings[0].location if warnings else ""
        errors = warnings
    message.ack_code = code
    message.ack = _ack(message, header, code, errors, organization)
    message.attempts += 1
    message.processed_at = timezone.now()
    message.processed_by = acting_user(user)
    message.save()
    return message


@transaction.atomic
def hl7_receive(
    *, organization: Organization, raw: str, user: User | None = None
) -> InterfaceMessage:
    """Store an inbound HL7 v2 message, apply it, and return the row (its ``ack`` to send).

    A message whose control id was already accepted from the same sender (a resend after a
    lost ACK) is not applied twice: the stored row and its ACK are returned."""
    cleaned = intake.normalize(raw)
    try:
        header = intake.header(intake.parse(cleaned))
    except intake.Hl7Problem:
        header = None
    if header is not None and header.control_id:
        earlier = InterfaceMessage.objects.filter(
            organization=organization,
            direction=InterfaceMessage.Direction.INBOUND,
            sending_application=header.sending_application[:60],
            control_id=header.control_id[:60],
            status=InterfaceMessage.Status.ACCEPTED,
        ).first()
        if earlier is not None:
            return earlier
    message = InterfaceMessage.objects.create(
        organization=organization,
        direction=InterfaceMessage.Direction.INBOUND,
        raw=cleaned,
        status=InterfaceMessage.Status.ERROR,
    )
    actor = user if getattr(user, "is_authenticated", False) else interface_user(organization)
    return _process(message, actor, user)


@transaction.atomic
def hl7_reprocess(*, message: InterfaceMessage, user: User) -> InterfaceMessage:
    """Apply an AE message again once its cause is fixed; audited as the coordinator's act."""
    locked = InterfaceMessage.objects.select_for_update().get(pk=message.pk)
    if not locked.can_reprocess:
        raise ValidationError("Only received messages that ended in an error (AE) are reprocessed.")
    before = locked.status
    done = _process(locked, user, user)
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=locked.organization,
        obj=done,
        patient=done.patient,
        changes={"status": [before, done.status]},
        reason="Reprocessed an HL7 message",
    )
    return done


SETTINGS_FIELDS = (
    "facility_name",
    "siu_feed_enabled",
    "receiving_application",
    "receiving_facility",
)


@transaction.atomic
def interface_settings_save(
    *, settings: InterfaceSettings, user: User, **fields: Any
) -> InterfaceSettings:
    """Change how the organization's interfaces are set up (audited)."""
    if set(fields) - set(SETTINGS_FIELDS):  # before the row lock: a programming error
        raise TypeError(f"Unknown fields: {sorted(set(fields) - set(SETTINGS_FIELDS))}")
    # A ModelForm has already written its data onto ``settings``: compare with the stored row.
    locked = InterfaceSettings.objects.select_for_update().get(pk=settings.pk)
    audited_update(
        instance=locked,
        user=user,
        data={k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
        fields=SETTINGS_FIELDS,
    )
    return locked


@transaction.atomic
def feed_collect(
    *, messages: list[InterfaceMessage], user: User, ip_address: str | None = None
) -> None:
    """The queued outbound messages were downloaded: each is audited as an export (its text
    is patient data) and marked collected, together or not at all."""
    now = timezone.now()
    for message in messages:
        audit_record(
            action=AuditEvent.Action.EXPORT,
            user=user,
            organization=message.organization,
            obj=message,
            patient=message.patient,
            ip_address=ip_address,
        )
    InterfaceMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        status=InterfaceMessage.Status.DOWNLOADED, downloaded_at=now, updated_at=now
    )
