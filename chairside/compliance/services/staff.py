"""Licences, annual skills check-offs, policies and their acknowledgements."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.accounts.services import cosigner_authenticate
from chairside.audit.services import audit_record, diff, snapshot
from chairside.compliance.models import Policy, PolicyAcknowledgement, SkillCheckoff, StaffLicence
from chairside.core.actors import acting_user
from chairside.rules.common.compliance import next_checkoff
from chairside.tenancy.models import Competency, Location, Organization, StaffMember
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import user_has_perm
from chairside.tenancy.services import competency_save

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _same_org(obj: Any, organization: Organization, field: str, what: str) -> None:
    if obj is not None and obj.organization_id != organization.pk:
        raise ValidationError({field: f"Choose {what} of your organization."})


@transaction.atomic
def licence_save(
    *,
    organization: Organization,
    user: User,
    staff: StaffMember,
    kind: str,
    state: str,
    number: str,
    expires_on: dt.date,
    licence: StaffLicence | None = None,
) -> StaffLicence:
    """Record (or correct) a licence; a changed number or date needs verifying again."""
    _same_org(staff, organization, "staff", "a staff member")
    before = snapshot(licence) if licence else {}
    licence = licence or StaffLicence(organization=organization)
    changed = (licence.number, licence.expires_on) != (number.strip(), expires_on)
    licence.staff, licence.kind, licence.state = staff, kind, state.strip().upper()
    licence.number, licence.expires_on = number.strip(), expires_on
    if kind != StaffLicence.Kind.DEA and len(licence.state) != 2:
        raise ValidationError({"state": "A state licence names its state (two letters)."})
    if changed:
        licence.verified_by, licence.verified_at, licence.verified_with = None, None, ""
    clash = StaffLicence.objects.filter(
        staff=staff, kind=kind, state=licence.state, number=licence.number
    ).exclude(pk=licence.pk)
    if clash.exists():
        raise ValidationError({"number": f"{staff} already has this licence on file."})
    licence.full_clean()
    licence.save()
    audit_record(
        action="update" if before else "create",
        user=user,
        organization=organization,
        obj=licence,
        changes=diff(before, snapshot(licence)),
    )
    return licence


@transaction.atomic
def licence_verify(*, licence: StaffLicence, user: User, verified_with: str) -> StaffLicence:
    """Primary-source verification: who looked the licence up, where, and when."""
    source = (verified_with or "").strip()
    if not source:
        raise ValidationError(
            {"verified_with": "Say where you verified it (e.g. Nursys, the state board's site)."}
        )
    licence.verified_with = source[:120]
    licence.verified_by = acting_user(user)
    licence.verified_at = timezone.now()
    licence.save(update_fields=["verified_with", "verified_by", "verified_at", "updated_at"])
    audit_record(
        action="update",
        user=user,
        organization=licence.organization,
        obj=licence,
        changes={"verified_with": [None, licence.verified_with]},
    )
    return licence


def checkoff_record(
    *,
    organization: Organization,
    user: User,
    staff: StaffMember,
    skill: str,
    checked_on: dt.date,
    checker_username: str,
    checker_password: str,
    ip_address: str | None,
    notes: str = "",
) -> SkillCheckoff:
    """An annual skills check-off, confirmed by the checker with her own user name and
    password (re-authenticated and throttled like the double check,
    ``accounts.services.cosigner_authenticate``). She must be another person, a licensed
    clinician on the staff list. It renews the person's competency for that skill (the one
    booking and the readiness board check) until the next check-off is due."""

    # Outside the transaction: a wrong password must stay recorded for the throttle.
    try:
        checker = cosigner_authenticate(
            username=checker_username,
            password=checker_password,
            organization=organization,
            ip_address=ip_address,
        )
    except ValidationError as exc:
        raise ValidationError({"checker": exc.messages}) from None
    return _checkoff_save(
        organization=organization,
        user=user,
        staff=staff,
        skill=skill,
        checked_on=checked_on,
        checker=checker,
        notes=notes,
    )


@transaction.atomic
def _checkoff_save(
    *,
    organization: Organization,
    user: User,
    staff: StaffMember,
    skill: str,
    checked_on: dt.date,
    checker: User,
    notes: str,
) -> SkillCheckoff:
    _same_org(staff, organization, "staff", "a staff member")
    if skill not in Competency.Skill.values:
        raise ValidationError({"skill": "Choose one of the skills."})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": "A check-off cannot be dated in the future."})
    if staff.user_id == checker.pk:
        raise ValidationError(
            {"checker": f"{staff} cannot check herself off: a colleague confirms it."}
        )
    checker_staff = StaffMember.objects.filter(
        organization=organization, user=checker, is_active=True
    ).first()
    if checker_staff is None or checker_staff.credential not in StaffMember.LICENSED:
        raise ValidationError(
            {
                "checker": f"{checker_staff or checker.get_username()} is not a licensed "
                "clinician on the staff list: a licensed colleague checks skills off."
            }
        )
    checkoff = SkillCheckoff(
        organization=organization,
        staff=staff,
        skill=skill,
        checked_on=checked_on,
        due_on=next_checkoff(checked_on),
        checked_by=checker,
        checked_by_name=str(checker_staff),
        notes=notes.strip()[:300],
    )
    checkoff.full_clean()
    checkoff.save()
    competency_save(
        staff=staff,
        user=checker,
        skill=skill,
        verified_on=checked_on,
        expires_on=checkoff.due_on,
    )
    audit_record(
        action="create",
        user=checker,
        organization=organization,
        obj=checkoff,
        changes={
            "staff": [None, str(staff)],
            "skill": [None, checkoff.get_skill_display()],
            "checked_on": [None, checked_on.isoformat()],
            "due_on": [None, checkoff.due_on.isoformat()],
            "confirmed_on_device_of": [None, getattr(user, "username", "")],
        },
    )
    return checkoff


@transaction.atomic
def policy_save(
    *,
    organization: Organization,
    user: User,
    title: str,
    version: str,
    effective_on: dt.date,
    location: Location | None = None,
    summary: str = "",
) -> Policy:
    """A new policy, or a new version of one (staff acknowledge each version)."""
    _same_org(location, organization, "location", "a location")
    title, version = title.strip(), version.strip()
    if Policy.objects.filter(organization=organization, title__iexact=title, version=version):
        raise ValidationError({"version": f"{title} v{version} is on file already."})
    policy = Policy(
        organization=organization,
        title=title,
        version=version,
        effective_on=effective_on,
        location=location,
        summary=summary.strip(),
    )
    policy.full_clean()
    policy.save()
    audit_record(
        action="create",
        user=user,
        organization=organization,
        obj=policy,
        changes={k: [None, v] for k, v in snapshot(policy).items() if v not in ("", None)},
    )
    return policy


@transaction.atomic
def policy_acknowledge(
    *, policy: Policy, staff: StaffMember, user: User, at: dt.datetime | None = None
) -> PolicyAcknowledgement:
    """A person's acknowledgement that she read this version. She records her own; someone
    holding ``compliance.edit`` may record a signed paper acknowledgement for her."""
    if staff.organization_id != policy.organization_id:
        raise ValidationError({"staff": "Choose a staff member of your organization."})
    own = user is not None and staff.user_id == getattr(user, "pk", None)
    if not own and not user_has_perm(
        user=user, organization=policy.organization, perm=Perm.COMPLIANCE_EDIT
    ):
        raise ValidationError({"staff": "You can acknowledge a policy only for yourself."})
    if PolicyAcknowledgement.objects.filter(policy=policy, staff=staff).exists():
        raise ValidationError({"staff": f"{staff} has acknowledged {policy} already."})
    ack = PolicyAcknowledgement.objects.create(
        policy=policy,
        staff=staff,
        acknowledged_at=at or timezone.now(),
        recorded_by=acting_user(user),
    )
    audit_record(
        action="create",
        user=user,
        organization=policy.organization,
        obj=ack,
        changes={"acknowledged": [None, f"{staff}: {policy}"]},
    )
    return ack
