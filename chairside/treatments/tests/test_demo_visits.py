"""The demo step: signed visits for past appointments, idempotent, without double counting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chairside.access.authorizations.models import AuthorizationUsage
from chairside.audit.models import AuditEvent
from chairside.demo import DemoContext
from chairside.demo.visits import seed_visits
from chairside.inventory import services as inventory
from chairside.inventory.models import Movement
from chairside.scheduling.models import Appointment, NurseShift
from chairside.tenancy.models import StaffMember
from chairside.treatments.models import Visit, VisitReport
from chairside.treatments.tests import factories as tf
from tests import factories as f
from tests.factories import someone

YESTERDAY = tf.DAY - dt.timedelta(days=1)


def _history(order: Any, location: Any, lot: Any, nurse: Any) -> Any:
    """What the scheduling and inventory demo steps leave behind for one past dose."""
    appointment = tf.make_appointment(
        order, location, status="completed", start=tf.at("09:00", YESTERDAY), nurse=nurse
    )
    ref = f"DEMO-{order.pk}-{appointment.dose_number}"
    inventory.stock_dispense(lot=lot, vials=4, patient=order.patient, user=someone(), visit_ref=ref)
    inventory.stock_waste(lot=lot, user=None, mg=50, visit_ref=ref)
    return appointment


def _checker_on_shift(org: Any, location: Any, day: dt.date) -> Any:
    """A second nurse with her own log-in, her competencies current, on the rota that day."""
    staff = tf.make_staff(
        org, "RN", user=f.make_user(org, "nurse", "msantos"), first_name="Maria", last_name="Ruiz"
    )
    staff.competencies.create(skill="bls", expires_on=dt.date(2027, 6, 30))
    staff.competencies.create(skill="chemo_biologic", expires_on=dt.date(2027, 6, 30))
    NurseShift.objects.create(
        organization=org,
        staff=staff,
        location=location,
        date=day,
        starts=dt.time(7, 0),
        ends=dt.time(17, 0),
    )
    return staff


class TestDemoVisits:
    def test_it_signs_a_past_visit_from_the_stock_history_once(
        self, order: Any, lot: Any, team: Any, nurse_user: Any
    ) -> None:
        org, location = order.organization, order.location
        checker = _checker_on_shift(org, location, YESTERDAY)
        appointment = _history(order, location, lot, team.nurse)
        ctx = DemoContext(organizations={"riverside": org}, users={"nurse": nurse_user})
        seed_visits(ctx)
        visit = Visit.objects.get(appointment=appointment)
        assert visit.is_signed and visit.preparation.vials.get().vials == 4
        # The double check is the second nurse's own action in the audit (issue 13.1), made
        # on the nurse's device.
        assert visit.preparation.checked_by == checker
        check = AuditEvent.objects.filter(object_id=visit.preparation.public_id).latest("at", "id")
        assert check.user_id == checker.user_id
        assert check.changes["confirmed_on_device_of"] == [None, nurse_user.username]
        assert visit.reports.get().data["dose_given_mg"] == "350"
        # The stock and the authorization were written by the earlier steps: not again.
        assert Movement.objects.filter(kind="waste").count() == 1
        assert not AuthorizationUsage.objects.exists()
        rows = (Visit.objects.count(), VisitReport.objects.count(), Movement.objects.count())
        seed_visits(ctx)
        assert (
            Visit.objects.count(),
            VisitReport.objects.count(),
            Movement.objects.count(),
        ) == rows

    def test_an_appointment_without_a_dispense_stays_undocumented(
        self, org: Any, order: Any, location: Any, nurse_user: Any, team: Any
    ) -> None:
        tf.make_appointment(
            order, location, status="completed", start=tf.at("09:00", YESTERDAY), nurse=team.nurse
        )
        ctx = DemoContext(organizations={"riverside": org}, users={"nurse": nurse_user})
        seed_visits(ctx)
        assert not Visit.objects.exists()
        assert "without a dispense in the stock history" in ctx.summary[-1]


class TestDemoVisitsAreTheSameOnEveryRun:
    """Issue 16 / the second-run regression: a visit's record comes from its own seed, so
    it does not depend on which other visits the same run documents (a second run, with
    the first run's visits already signed, would otherwise draw differently and sign a
    visit the first run had left undocumented)."""

    def test_a_visit_comes_out_the_same_without_the_visits_before_it(
        self, order: Any, lot: Any, team: Any, nurse_user: Any
    ) -> None:
        from django.db import transaction

        from chairside.treatments.models import Vitals

        org, location = order.organization, order.location
        earlier_day = YESTERDAY - dt.timedelta(days=1)
        _checker_on_shift(org, location, YESTERDAY)
        NurseShift.objects.create(
            organization=org,
            staff=StaffMember.objects.get(last_name="Ruiz"),
            location=location,
            date=earlier_day,
            starts=dt.time(7, 0),
            ends=dt.time(17, 0),
        )
        later = tf.make_appointment(
            order, location, status="completed", start=tf.at("09:00", YESTERDAY), nurse=team.nurse
        )
        Appointment.objects.filter(pk=later.pk).update(dose_number=2)
        earlier = tf.make_appointment(
            order, location, status="completed", start=tf.at("09:00", earlier_day), nurse=team.nurse
        )
        for number in (1, 2):
            ref = f"DEMO-{order.pk}-{number}"
            inventory.stock_dispense(
                lot=lot, vials=4, patient=order.patient, user=someone(), visit_ref=ref
            )
        ctx = DemoContext(organizations={"riverside": org}, users={"nurse": nurse_user})

        def later_record() -> list[Any]:
            visit = Visit.objects.get(appointment=later)
            pre = Vitals.objects.get(visit=visit, phase="pre")
            return [visit.weight_kg, pre.systolic, pre.diastolic, pre.pulse, pre.spo2]

        with transaction.atomic():
            seed_visits(ctx)
            assert Visit.objects.get(appointment=earlier).is_signed
            with_earlier = later_record()
            transaction.set_rollback(True)
        Appointment.objects.filter(pk=earlier.pk).update(status="cancelled")
        seed_visits(ctx)
        assert not Visit.objects.filter(appointment=earlier).exists()
        assert later_record() == with_earlier
