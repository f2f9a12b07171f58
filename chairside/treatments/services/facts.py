"""The signed visit as billing's ``EncounterFacts`` (the seam in ``rules.billing.charges``).

Administrations come from the documented administrations: IV infusions and pushes with
their running stretches (interruptions left out, so the CPT time rules see the real time),
SC/IM injections with their method. Drugs come from the preparation: the dose given split
over the containers opened, one ``DrugGiven`` per NDC and supplier, the patient's own
(white-bagged) stock marked ``center_supplied=False`` so only its administration is billed.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from decimal import Decimal

from chairside.patients.selectors import claim_coverages, claim_person
from chairside.rules.billing.admin_codes import Administration as AdminFact
from chairside.rules.billing.charges import (
    DrugGiven,
    EncounterFacts,
    Provider,
)
from chairside.rules.billing.place_of_service import administration_setting
from chairside.rules.clinical.infusion import Opened, allocate_given, running_spans
from chairside.rules.inventory.vials import choose_vials
from chairside.treatments.models import Administration, PreparationVial, Visit


def _staff_provider(staff: object) -> Provider | None:
    if staff is None:
        return None
    return Provider(
        npi=getattr(staff, "npi", ""),
        last_name=getattr(staff, "last_name", ""),
        first_name=getattr(staff, "first_name", ""),
        credential=getattr(staff, "credential", ""),
    )


def _administration_facts(admin: Administration) -> list[AdminFact]:
    if admin.stopped_at is None:
        return []
    method = admin.method
    if method in {"subcutaneous", "intramuscular"}:
        spans = [(admin.started_at, admin.stopped_at)]
    else:
        pauses = [(p.started_at, p.ended_at or admin.stopped_at) for p in admin.interruptions.all()]
        spans = running_spans(admin.started_at, admin.stopped_at, pauses)
    return [
        AdminFact(
            category=admin.category,
            method=method,
            start=start,
            end=end,
            drug=admin.substance,
            primary=admin.is_primary,  # the ordered drug is the reason for the encounter
        )
        for start, end in spans
    ]


def _drugs(visit: Visit, diagnoses: tuple[str, ...]) -> tuple[DrugGiven, ...]:
    prep = getattr(visit, "preparation", None)
    primary = visit.administrations.filter(is_primary=True).first()
    if prep is None or primary is None or primary.dose_given_mg is None:
        return ()
    rows = list(PreparationVial.objects.filter(preparation=prep).select_related("lot__package"))
    opened = [Opened(str(r.pk), Decimal(r.lot.package.strength_mg), r.vials) for r in rows]
    given = {key: mg for key, mg, _ in allocate_given(opened, Decimal(primary.dose_given_mg))}
    groups: OrderedDict[tuple[int, bool], list[PreparationVial]] = OrderedDict()
    for row in rows:
        groups.setdefault((row.lot.package_id, row.lot.patient_id is None), []).append(row)
    drug = visit.order.drug
    return tuple(
        DrugGiven(
            drug_name=str(drug),
            hcpcs=drug.hcpcs,
            billing_unit_mg=Decimal(drug.billing_unit_mg),
            dose_mg=sum((given[str(r.pk)] for r in group), Decimal(0)),
            opened_mg=sum((r.mg for r in group), Decimal(0)),
            ndc11=group[0].lot.package.ndc11,
            # N4 quantity in the package's unit: ML for a solution, UN for a powder vial.
            ndc_quantity=sum(
                (r.vials * group[0].lot.package.ndc_quantity for r in group), Decimal(0)
            ),
            ndc_unit=group[0].lot.package.ndc_unit,
            center_supplied=center,
            single_dose=group[0].lot.package.single_dose,
            diagnoses=diagnoses,
            drug_key=drug.key,
        )
        for (_, center), group in groups.items()
    )


def _premedications(visit: Visit, diagnoses: tuple[str, ...]) -> tuple[DrugGiven, ...]:
    """Premedications given from a formulary drug with their dose: billed with their own
    HCPCS code, from the vials the dose needs (least waste). Oral premedications are only
    recorded on the check-in (``Visit.premeds_given``) and never billed separately."""
    found: list[DrugGiven] = []
    rows = visit.administrations.filter(
        is_primary=False, drug__isnull=False, dose_given_mg__isnull=False
    ).select_related("drug")
    for admin in rows.order_by("started_at"):
        found.extend(_premedication_given(admin, diagnoses))
    return tuple(found)


def _premedication_given(admin: Administration, diagnoses: tuple[str, ...]) -> list[DrugGiven]:
    drug = admin.drug
    assert drug is not None and admin.dose_given_mg is not None
    dose = Decimal(admin.dose_given_mg)
    base = DrugGiven(
        drug_name=drug.generic_name,
        hcpcs=drug.hcpcs,
        billing_unit_mg=Decimal(drug.billing_unit_mg),
        dose_mg=dose,
        opened_mg=dose,
        center_supplied=admin.from_center_stock,
        diagnoses=diagnoses,
        drug_key=drug.key,
    )
    packages = {Decimal(p.strength_mg): p for p in drug.packages.all()}
    if not packages:
        return [base]  # no verified package: the claim check names the missing NDC
    if not any(p.single_dose for p in packages.values()):
        # A multiple-dose vial (epinephrine 1 mg/mL, 30 mL) is not opened for one patient:
        # the NDC quantity is the part drawn up (0.3 mg = 0.3 mL), never the whole vial,
        # and nothing is discarded (JW/JZ apply to single-dose containers only).
        package = max(packages.values(), key=lambda p: p.strength_mg)
        share = dose / Decimal(package.strength_mg)
        return [
            replace(
                base,
                ndc11=package.ndc11,
                ndc_quantity=(share * package.ndc_quantity).quantize(Decimal("0.001")),
                ndc_unit=package.ndc_unit,
                single_dose=False,
            )
        ]
    vials = choose_vials(dose, list(packages))
    opened = [Opened(str(size), size, count) for size, count in vials.items()]
    return [
        replace(
            base,
            dose_mg=given,
            opened_mg=given + left,
            ndc11=packages[Decimal(key)].ndc11,
            ndc_quantity=vials[Decimal(key)] * packages[Decimal(key)].ndc_quantity,
            ndc_unit=packages[Decimal(key)].ndc_unit,
            single_dose=packages[Decimal(key)].single_dose,
        )
        for key, given, left in allocate_given(opened, dose)
    ]


def _prior_authorization(visit: Visit) -> str:
    auth = visit.appointment.authorization
    return auth.authorization_number if auth is not None else ""


def visit_encounter_facts(visit: Visit) -> EncounterFacts:
    """Billing's view of the documented visit (see ``rules.billing.charges``)."""
    order = visit.order
    diagnoses = tuple(d.icd10_code for d in order.diagnoses.order_by("-is_primary", "icd10_code"))
    given = list(visit.administrations.prefetch_related("interruptions").order_by("started_at"))
    administrations = [
        fact
        for admin in given
        if not admin.separate_access_site
        for fact in _administration_facts(admin)
    ]
    second_site = [
        fact
        for admin in given
        if admin.separate_access_site
        for fact in _administration_facts(admin)
    ]
    referral = order.referral
    referring = referral.referring_provider if referral is not None else order.ordering_provider
    supervising = _staff_provider(visit.supervising_provider)
    return EncounterFacts(
        encounter_ref=str(visit.public_id),
        date_of_service=visit.date,
        place_of_service=visit.location.place_of_service,
        patient=claim_person(visit.patient),
        account_number=visit.patient.mrn,
        coverages=claim_coverages(visit.patient, visit.date),
        diagnoses=diagnoses,
        # Incident-to infusions in an office are billed under the supervising physician/NP.
        rendering_provider=supervising,
        supervising_provider=supervising,
        referring_provider=Provider(
            npi=referring.npi,
            last_name=referring.last_name,
            first_name=referring.first_name,
            credential=referring.credential,
        ),
        administrations=tuple(administrations),
        second_site=tuple(second_site),
        setting=administration_setting(visit.location.site_type),
        drugs=_drugs(visit, diagnoses) + _premedications(visit, diagnoses),
        prior_authorization=_prior_authorization(visit),
    )
