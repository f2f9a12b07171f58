"""Read queries for patients, always scoped to one organization."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from chairside.patients.models import (
    Allergy,
    BodyMeasurement,
    Coverage,
    Diagnosis,
    Patient,
    Payer,
    search_key,
)
from chairside.rules.billing.charges import CoverageFacts, Person

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")


def _parse_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    return None


def _prefix_range(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix`` as an index range scan on SQLite and PostgreSQL alike.

    A LIKE 'abc%' query cannot use a plain b-tree index on either database's default
    collation; ``>= 'abc' AND < 'abd'`` can. Keys are lower-case ASCII letters and digits.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def patient_search(
    *, organization: Any, query: str = "", include_inactive: bool = False
) -> QuerySet[Patient]:
    """Patients matching a search: MRN, birth date, phone, or 'last, first' / 'first last'."""
    patients = Patient.objects.filter(organization=organization).select_related("home_location")
    if not include_inactive:
        patients = patients.filter(is_active=True)
    text = query.strip()
    if not text:
        return patients
    born = _parse_date(text)
    if born is not None:
        return patients.filter(date_of_birth=born)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7 and len(digits) >= len(re.sub(r"[\s()+.-]", "", text)):
        return patients.filter(phone_digits__endswith=digits[-10:])
    # The outer query must not repeat the organization filter: it would tempt the planner
    # to walk the whole organization in name order instead of fetching the matched rows.
    matched = _name_or_mrn_ids(patients, text)
    return Patient.objects.filter(pk__in=matched).select_related("home_location")


def _name_or_mrn_ids(patients: QuerySet[Patient], text: str) -> QuerySet[Any]:
    """Ids of patients whose name starts with the words typed, or whose MRN is the text.

    Each alternative is its own index range scan, joined by UNION: an OR of them in one
    WHERE clause makes SQLite and PostgreSQL scan the whole organization instead.
    """
    if "," in text:
        last, first = (search_key(p) for p in text.split(",", 1))
    else:
        parts = text.split()
        first, last = (
            (search_key(parts[0]), search_key(parts[-1]))
            if len(parts) > 1
            else ("", search_key(text))
        )
    base = patients.order_by().values("pk")
    alternatives = [base.filter(mrn__in={text, text.upper()})]
    if last:
        by_name = base.filter(_prefix_range("last_name_key", last))
        alternatives.append(
            by_name.filter(_prefix_range("first_name_key", first)) if first else by_name
        )
        if not first and len(text.split()) == 1:
            # One word may be a first name too ('maria'), found through the first-name index.
            alternatives.append(base.filter(_prefix_range("first_name_key", last)))
    return alternatives[0].union(*alternatives[1:])


def access_patient(*, organization: Any, public_id: Any) -> Patient:
    """The organization's patient with this public id, or 404 — never another organization's."""
    return get_object_or_404(
        Patient.objects.select_related("home_location"),
        organization=organization,
        public_id=public_id,
    )


def patient_or_none(*, organization: Any, public_id: Any) -> Patient | None:
    """The organization's patient with this public id, or ``None`` (the API answers)."""
    return Patient.objects.filter(organization=organization, public_id=public_id).first()


def patient_with_mrn(*, organization: Any, mrn: str, ignore_case: bool = False) -> Patient | None:
    """The organization's patient with this MRN (exactly, or ignoring case), or ``None``."""
    match = {"mrn__iexact": mrn} if ignore_case else {"mrn": mrn}
    return Patient.objects.filter(organization=organization, **match).first()


def patient_chart(*, organization: Any, public_id: Any) -> Patient:
    """A patient with everything the chart shows, in a handful of queries."""
    queryset = Patient.objects.select_related("home_location").prefetch_related(
        "allergies",
        "diagnoses",
        Prefetch("measurements", queryset=BodyMeasurement.objects.order_by("-measured_on", "-id")),
        Prefetch("coverages", queryset=Coverage.objects.select_related("payer")),
    )
    return get_object_or_404(queryset, organization=organization, public_id=public_id)


def access_coverage(*, patient: Patient, public_id: Any) -> Coverage:
    """One coverage of this patient (already scoped to the organization), or 404."""
    return get_object_or_404(Coverage, patient=patient, public_id=public_id)


def access_allergy(*, patient: Patient, public_id: Any) -> Allergy:
    """One allergy on this patient's list, or 404."""
    return get_object_or_404(Allergy, patient=patient, public_id=public_id)


def access_diagnosis(*, patient: Patient, public_id: Any) -> Diagnosis:
    """One diagnosis on this patient's list, or 404."""
    return get_object_or_404(Diagnosis, patient=patient, public_id=public_id)


def latest_measurement(patient: Patient) -> BodyMeasurement | None:
    return patient.measurements.order_by("-measured_on", "-id").first()


def payers(*, organization: Any) -> QuerySet[Payer]:
    return Payer.objects.filter(organization=organization)


# --- The chart as the claim sees it (rules.charges facts) ------------------------------


def claim_person(patient: Patient) -> Person:
    """The patient's current demographics in the claim's terms (837P 2010CA/BA, 1500 2-5)."""
    return Person(
        last_name=patient.last_name,
        first_name=patient.first_name,
        middle_name=patient.middle_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        address_line1=patient.address_line1,
        address_line2=patient.address_line2,
        city=patient.city,
        state=patient.state,
        postal_code=patient.postal_code,
    )


def _subscriber(name: str) -> Person:
    first, _, last = name.strip().rpartition(" ")
    return Person(last_name=last or name, first_name=first, date_of_birth=None, sex="U")


def coverages_on(patient: Patient, day: dt.date, *, billable: bool = False) -> list[Coverage]:
    """The patient's coverages in force on the day, in the order of benefits (primary first;
    of two at the same rank, the newer). ``billable`` leaves out self-pay. The one read of
    "which coverage pays on this date" for benefits, authorizations and claims."""
    return [
        c
        for c in patient.coverages.select_related("payer").order_by("order", "-effective_from")
        if c.is_active_on(day) and not (billable and c.payer.kind == "self_pay")
    ]


def claim_coverages(patient: Patient, on: dt.date) -> tuple[CoverageFacts, ...]:
    """The patient's billable coverages on a day, in the order of benefits (up to three)."""
    found = []
    for c in coverages_on(patient, on, billable=True):
        found.append(
            CoverageFacts(
                payer_ref=str(c.payer.public_id),
                payer_name=c.payer.name,
                payer_id=c.payer.payer_id,
                member_id=c.member_id,
                group_number=c.group_number,
                plan_name=c.plan_name,
                relationship=c.subscriber_relation,
                subscriber=_subscriber(c.subscriber_name)
                if c.subscriber_relation != "self"
                else None,
            )
        )
    return tuple(found[:3])


def coverages(
    *,
    organization: Any,
    patient: Any = None,
    payer: Any = None,
    active_on: dt.date | None = None,
) -> QuerySet[Coverage]:
    """The organization's coverages (patient and payer by public id), in a stable order:
    patient name, order of benefits, newest first, then id."""
    found = Coverage.objects.filter(patient__organization=organization).select_related(
        "patient", "payer"
    )
    if patient is not None:
        found = found.filter(patient__public_id=patient)
    if payer is not None:
        found = found.filter(payer__public_id=payer)
    if active_on is not None:
        found = found.filter(effective_from__lte=active_on).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=active_on)
        )
    return found.order_by(
        "patient__last_name", "patient__first_name", "patient_id", "order", "-effective_from", "id"
    )
