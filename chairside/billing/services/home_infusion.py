"""Home infusion charges: a patient's month of deliveries and home visits to claim lines.

The lines come from ``rules.billing.home_infusion_billing`` (per diem S-codes with the drug and
99601/99602 for commercial and Medicaid payers; HIT G-codes for Medicare Part B) and go
through the same encounter, claim and pre-submission check as a chair-side visit
(:func:`charges_derive`), on the professional claim with place of service 12; a visit at
the pharmacy's own infusion suite is billed by the payer contract's suite terms
(``rules.home_infusion_suite``: per diem with SS, the suite's place of service, the nurse's
time billed or included).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.billing import home_infusion as home
from chairside.billing.models import Encounter
from chairside.billing.pricing import billing_profile
from chairside.billing.services.charges import charges_derive
from chairside.homecare import selectors as homecare
from chairside.patients.models import Patient, Payer
from chairside.patients.selectors import claim_coverages, claim_person
from chairside.rules.billing.charges import EncounterFacts, Provider
from chairside.rules.billing.home_infusion_billing import (
    PLACE_OF_SERVICE,
    HomeBillingRuleError,
)
from chairside.rules.billing.home_infusion_suite import propose_claim_with_suite
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def home_charges_derive(
    *, organization: Organization, patient: Patient, month: dt.date, user: User | None
) -> Encounter:
    """Derive (or derive again) the home infusion charges of ``patient`` for the calendar
    month holding ``month``, and build and check its claim.

    Raises ValidationError, writing nothing, when the patient has no home infusion order in
    the month, no billable coverage, nothing to bill yet, or a billing rule is not met (the
    message says which)."""
    if patient.organization_id != organization.pk:
        raise ValidationError("The patient belongs to another organization.")
    start, end = home.month_of(month)
    today = timezone.localdate()
    order = home.order_facts(organization=organization, patient=patient, start=start, end=end)
    if order is None:
        raise ValidationError(
            f"{patient.full_name} has no home infusion order for {start:%B %Y}: "
            "nothing to bill the days against."
        )
    tickets, visits = homecare.patient_services(
        organization=organization, patient=patient, start=start, end=end
    )
    days = home.therapy_days(tickets, visits, today)
    if not days:
        raise ValidationError(
            f"No delivery or completed home visit for {patient.full_name} in {start:%B %Y} "
            "before today: nothing to bill yet."
        )
    coverages = claim_coverages(patient, days[0])
    if not coverages:
        raise ValidationError(
            f"{patient.full_name} has no billable coverage on {days[0]:%m/%d/%Y}."
        )
    payer = _primary_payer(organization, coverages[0].payer_ref)
    terms = home.home_terms(organization=organization, payer=payer)
    outside_last, outside_supplier = home.outside_history(
        organization=organization, patient=patient
    )
    try:
        proposed = propose_claim_with_suite(
            payer_category=home.payer_category(payer.kind if payer else "commercial"),
            therapy=order.therapy,
            therapy_days=days,
            visits=[v for v in home.nursing_visits(visits) if v.date < today],
            terms=terms.suite,
            per_diem_coding=terms.per_diem_coding,
            last_hit_visit=home.last_hit_visit(
                organization=organization, patient=patient, before=start
            ),
            discharged_since=order.discharged_since,
            outside_last_visit=outside_last,
            outside_supplier=outside_supplier,
        )
    except HomeBillingRuleError as exc:
        raise ValidationError(str(exc)) from None
    except ValueError as exc:
        raise ValidationError(
            f"The home infusion days cannot be billed as documented: {exc}"
        ) from None
    if not proposed.lines:
        raise ValidationError(
            f"Nothing billable for {patient.full_name} in {start:%B %Y}: "
            + (" ".join(proposed.refused) or "no qualifying visit day.")
        )
    location = tickets[0].location if tickets else visits[0].location
    facts = EncounterFacts(
        encounter_ref=home.encounter_ref(patient, start),
        date_of_service=proposed.lines[0].date_of_service,
        place_of_service=PLACE_OF_SERVICE["home"],
        patient=claim_person(patient),
        account_number=patient.mrn,
        coverages=coverages,
        diagnoses=order.diagnoses,
        rendering_provider=_pharmacy(organization),
        referring_provider=order.referring,
        administrations=(),
        drugs=(),
    )
    return charges_derive(
        organization=organization,
        patient=patient,
        location=location,
        facts=facts,
        source=Encounter.Source.HOME,
        user=user,
        lines=list(proposed.lines),
    )


def _primary_payer(organization: Organization, payer_ref: str) -> Any:

    return Payer.objects.filter(organization=organization, public_id=payer_ref).first()


def _pharmacy(organization: Organization) -> Provider:
    """The home infusion pharmacy renders the per diem services itself: its billing NPI
    (Billing settings), else its group NPI."""

    profile = billing_profile(organization)
    npi = profile.npi or organization.group_npi or ""
    return Provider(npi=npi, last_name=(profile.billing_name or organization.name)[:60])


def home_charges_after_documentation(
    organization: Organization, patient: Any, day: dt.date, user: User
) -> None:
    """A delivery or visit was documented: derive the month again when it was billed
    already (a biller starts the month's billing; documentation keeps it current). Never
    refuses the documentation: a billing problem stays on the claim."""
    start, _end = home.month_of(day)
    ref = home.encounter_ref(patient, start)
    if not Encounter.objects.filter(organization=organization, encounter_ref=ref).exists():
        return
    try:
        with transaction.atomic():
            home_charges_derive(organization=organization, patient=patient, month=day, user=user)
    except ValidationError:
        return
