"""Electronic prior authorization for an authorization: the X12 278 request (prepared,
stored, audited), the 278 response (read into a proposed change the coordinator confirms),
and the Da Vinci PAS request Bundle.

The access step (``authorizations``) owns the authorization and its state machine; this
adapter reads what the 278 needs from the order, the chart, the coverage and the billing
profile, and changes the authorization only through the access step's services
(``authorization_transition`` / ``authorization_update``), so every move is checked and
audited there. The authorization page links here through
``authorizations.events.register_authorization_links``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chairside.access.authorizations import services as access
from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.authorizations.requested import Requested, requested_defaults
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.documents import receiver, sender
from chairside.billing.pricing import billing_profile
from chairside.core.actors import acting_user
from chairside.interop.models import PriorAuthExchange
from chairside.patients.selectors import claim_person
from chairside.rules.access import authorization_states as states
from chairside.rules.billing.charges import Person, Provider
from chairside.rules.billing.x12.x12_278 import (
    Interchange278,
    Proposal,
    RequestedService,
    Review278Error,
    ReviewRequest,
    ReviewResponse,
    ServiceProvider,
    check_278,
    parse_278_response,
    propose,
    request_problems,
    write_278,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_RESPONSE_BYTES = 1_000_000
__all__ = ["Requested", "requested_defaults"]


def _reference(authorization: PriorAuthorization, control_number: int) -> str:
    return f"PA{control_number:06d}{str(authorization.public_id)[:8].upper()}"


def _next_control_number(organization: Any) -> int:
    top = PriorAuthExchange.objects.filter(organization=organization).aggregate(
        n=Max("control_number")
    )
    return int(top["n"] or 0) + 1


def review_request(
    authorization: PriorAuthorization, requested: Requested, reference: str
) -> ReviewRequest:
    """The authorization, its order, coverage and the center as the rules' ReviewRequest."""
    order, coverage = authorization.order, authorization.coverage
    provider = order.ordering_provider
    profile = billing_profile(authorization.organization)
    patient = claim_person(authorization.patient)
    is_self = coverage.subscriber_relation == "self"
    subscriber = patient if is_self else _named(coverage.subscriber_name)
    location = order.location
    return ReviewRequest(
        reference=reference,
        payer_name=coverage.payer.name,
        payer_id=coverage.payer.payer_id,
        requester=Provider(
            provider.npi, provider.last_name, provider.first_name, provider.credential
        ),
        service_provider=ServiceProvider(
            name=profile.billing_name,
            npi=profile.npi,
            address_line1=profile.address_line1,
            city=profile.city,
            state=profile.state,
            postal_code=profile.postal_code,
            tax_id=profile.tax_id,
        ),
        subscriber=subscriber,
        patient=None if is_self else patient,
        relationship=coverage.subscriber_relation,
        member_id=coverage.member_id,
        diagnoses=tuple(
            d.icd10_code for d in order.diagnoses.order_by("-is_primary", "icd10_code")
        ),
        place_of_service=location.place_of_service if location is not None else "11",
        service=RequestedService(
            hcpcs=authorization.hcpcs or order.drug.hcpcs,
            units=requested.units,
            start=requested.start_on,
            end=requested.end_on,
            visits=requested.visits,
        ),
    )


def _named(name: str) -> Person:
    first, _, last = name.strip().rpartition(" ")
    return Person(last_name=last or name, first_name=first, date_of_birth=None, sex="U")


@transaction.atomic
def prior_auth_278_prepare(
    *, authorization: PriorAuthorization, user: User, requested: Requested
) -> PriorAuthExchange:
    """Write the 278 request for the authorization, check it against the TR3 structure,
    store it with who and when, and audit the export. ValidationError (nothing written)
    when the chart, order, coverage or billing profile lacks what the 278 needs."""
    if authorization.status not in (states.TO_SUBMIT, states.SUBMITTED, states.MORE_INFO):
        raise ValidationError(
            f"A 278 request is prepared for an authorization to submit or awaiting the payer; "
            f"this one is {authorization.status_label.lower()}."
        )
    organization = authorization.organization
    number = _next_control_number(organization)
    reference = _reference(authorization, number)
    request = review_request(authorization, requested, reference)
    problems = request_problems(request)
    if problems:
        raise ValidationError(problems)
    profile = billing_profile(organization)
    text = write_278(
        Interchange278(sender(profile), receiver(profile), number, timezone.now(), request)
    )
    structural = check_278(text, purpose="13")
    if structural:  # a writer bug, not the user's: refuse rather than hand out a bad file
        raise ValidationError([str(p) for p in structural])
    exchange = PriorAuthExchange.objects.create(
        organization=organization,
        authorization=authorization,
        direction=PriorAuthExchange.Direction.REQUEST,
        control_number=number,
        reference=reference,
        content=text,
        created_by=acting_user(user),
    )
    audit_record(
        action=AuditEvent.Action.EXPORT,
        user=user,
        organization=organization,
        obj=authorization,
        patient=authorization.patient,
        changes={
            "x12_278_request": [None, reference],
            "units": [None, requested.units],
            "visits": [None, requested.visits],
        },
    )
    return exchange


@dataclass(frozen=True)
class ReadResponse:
    response: ReviewResponse
    proposal: Proposal


def read_278_response(*, authorization: PriorAuthorization, text: str) -> ReadResponse:
    """Parse a 278 response for this authorization and propose the change; writes nothing.

    ValidationError when it is not a 278 response, answers another request or member, or
    cannot move the authorization as it stands (the proposal's refusal)."""
    if not text.strip():
        raise ValidationError("Upload the 278 response file or paste its text.")
    if len(text.encode()) > MAX_RESPONSE_BYTES:
        raise ValidationError("The file is larger than 1 MB: is it really one 278 response?")
    try:
        response = parse_278_response(text)
    except Review278Error as exc:
        raise ValidationError(f"This is not a 278 response Chairside can read: {exc}") from None
    _check_matches(authorization, response)
    proposal = propose(response, authorization.status)
    if not proposal.applies:
        raise ValidationError(proposal.refusal or "The response changes nothing.")
    return ReadResponse(response, proposal)


def _check_matches(authorization: PriorAuthorization, response: ReviewResponse) -> None:
    """The response must answer a request prepared for this authorization (BHT03), or name
    this coverage's member (a request made on the payer's portal)."""
    ours = PriorAuthExchange.objects.filter(
        authorization=authorization, direction=PriorAuthExchange.Direction.REQUEST
    ).values_list("reference", flat=True)
    if response.reference and response.reference in set(ours):
        return
    member = authorization.coverage.member_id.strip().upper()
    if member and response.member_id.strip().upper() == member:
        return
    raise ValidationError(
        f"This response (reference {response.reference or 'none'}, member "
        f"{response.member_id or 'none'}) does not answer a request for this authorization."
    )


@transaction.atomic
def prior_auth_278_confirm(
    *,
    authorization: PriorAuthorization,
    user: User,
    text: str,
    appeal_deadline: dt.date | None = None,
    on_date: dt.date | None = None,
) -> PriorAuthorization:
    """Apply a 278 response the coordinator confirmed: re-read it against the
    authorization as it is now, move it through the proposed statuses (each checked by the
    state machine in the access step's service) with the payer's number, dates, units and
    visits, and keep the response. Any refusal rolls everything back."""
    auth = PriorAuthorization.objects.select_for_update().get(pk=authorization.pk)
    read = read_278_response(authorization=auth, text=text)
    proposal = read.proposal
    today = on_date or timezone.localdate()
    details = dict(proposal.details)
    for step in proposal.steps:
        final = step == proposal.steps[-1]
        extra: dict[str, Any] = details if final else {}
        if final and step == states.DENIED:
            if appeal_deadline is None:
                raise ValidationError(
                    {"appeal_deadline": "Enter the appeal deadline from the denial letter."}
                )
            extra = {**extra, "appeal_deadline": appeal_deadline}
        auth = access.authorization_transition(
            authorization=auth,
            user=user,
            to_status=step,
            on_date=today,
            reason=proposal.reason if step == states.DENIED else "",
            **extra,
        )
    if not proposal.steps:
        auth = access.authorization_update(authorization=auth, user=user, **details)
    number = _next_control_number(auth.organization)
    PriorAuthExchange.objects.create(
        organization=auth.organization,
        authorization=auth,
        direction=PriorAuthExchange.Direction.RESPONSE,
        control_number=number,
        reference=read.response.reference[:50],
        content=text,
        action_code=read.response.action,
        created_by=acting_user(user),
    )
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=auth.organization,
        obj=auth,
        patient=auth.patient,
        changes={"x12_278_response": [None, f"{read.response.action} {read.response.reference}"]},
    )
    return auth


def exchanges(authorization: PriorAuthorization) -> list[PriorAuthExchange]:
    return list(
        PriorAuthExchange.objects.filter(
            organization=authorization.organization, authorization=authorization
        )
        .select_related("created_by")
        .order_by("-created_at")
    )


def access_exchange(*, organization: Any, public_id: Any) -> PriorAuthExchange:

    return get_object_or_404(
        PriorAuthExchange.objects.select_related("authorization__patient"),
        organization=organization,
        public_id=public_id,
        direction=PriorAuthExchange.Direction.REQUEST,
    )
