"""The demo pharmacy's past home visits are documented through the nurse's services and
signed by the assigned nurse; billing bills each signed visit on its documented minutes;
one grade 2 reaction is left for review; seeding twice documents nothing twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.billing.models import ChargeLine
from chairside.demo import DemoContext, foundation, home_billing, home_clinical, homecare
from chairside.homecare import selectors
from chairside.homecare.models import HomeAdministration, HomeReaction, HomeVisit, HomeVitals
from chairside.rules.billing.home_infusion_billing import nursing_units

pytestmark = pytest.mark.django_db


def _seed() -> None:
    ctx = DemoContext()
    foundation.seed_organizations(ctx)
    homecare.seed_homecare(ctx)
    home_clinical.seed_home_clinical(ctx)
    home_billing.seed_home_billing(ctx)


def test_it_documents_and_signs_every_past_home_visit_once() -> None:
    _seed()
    today = timezone.localdate()
    past = HomeVisit.objects.filter(date__lt=today, nurse__isnull=False).select_related("nurse")
    assert past.count() >= 20
    for visit in past:
        assert visit.status == HomeVisit.Status.COMPLETED and visit.is_signed
        assert visit.nurse is not None
        assert visit.signed_by_id == visit.nurse.user_id  # the assigned nurse signed it
        assert visit.documented_minutes == visit.duration_minutes
        assert visit.departed_at and visit.signed_at and visit.signed_at > visit.departed_at
        assert visit.signed_at.astimezone(visit.location.tz).date() == visit.date
        assert visit.vitals.exists()
        assert visit.administrations.exists() or visit.notes.strip()
    assert not HomeVisit.objects.filter(date__gte=today, signed_at__isnull=False).exists()
    doses = HomeAdministration.objects.filter(home_visit__in=past)
    assert doses.count() >= 10
    assert not doses.filter(home_order__isnull=True).exists()  # from the home order
    signatures = AuditEvent.objects.filter(
        action=AuditEvent.Action.STATE, object_type__icontains="homevisit"
    )
    assert signatures.count() == past.count()
    reaction = HomeReaction.objects.get()
    assert (reaction.grade, reaction.outcome) == (2, "resumed")
    org = reaction.home_visit.organization  # left for the pharmacy's Today card to review
    assert list(selectors.reactions_to_review(organization=org)) == [reaction]
    counts = (HomeVitals.objects.count(), doses.count(), HomeReaction.objects.count())
    _seed()
    assert (HomeVitals.objects.count(), doses.count(), HomeReaction.objects.count()) == counts


def test_billing_bills_each_signed_visit_on_its_documented_minutes() -> None:
    _seed()
    today = timezone.localdate()
    signed = HomeVisit.objects.filter(date__lt=today, signed_at__isnull=False)
    lines = ChargeLine.objects.filter(status="current", code__in=("99601", "99602"))
    billed = {(line.encounter.patient_id, line.date_of_service) for line in lines}
    # Billing refuses a few patient-months whole (the demo's refused months): compare the
    # visits of the months that were billed.
    billed_patients = set(
        ChargeLine.objects.filter(status="current").values_list("encounter__patient", flat=True)
    )
    expected = {(v.patient_id, v.date) for v in signed if v.patient_id in billed_patients}
    assert expected and billed == expected
    for visit in signed.filter(patient_id__in=billed_patients):
        want = dict(nursing_units(visit.documented_minutes or 0))
        got = {
            line.code: line.units
            for line in lines.filter(encounter__patient=visit.patient, date_of_service=visit.date)
        }
        assert got == want
