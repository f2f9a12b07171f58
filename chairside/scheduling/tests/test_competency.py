"""Nurse competencies in booking: who may take a chemo/biologic, an IV, any patient at all.

The rule is ``rules.scheduling.booking.competency_problem``; these tests check that the booking
service, the nurse assignment, a move and "find a slot" all ask it. A competency is current
through its expiry date and lapsed from the next day.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.formulary.models import Drug
from chairside.rules.scheduling.booking import ADMIN_CATEGORIES, COMPETENCY_NAMES
from chairside.scheduling import services, slots
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import CURRENT, DAY, at
from chairside.tenancy.models import Competency
from tests import factories as f

EXPIRED = DAY - dt.timedelta(days=1)  # 12/07/2026
_seq = itertools.count(1)


def book(s: Any, order: Any, **kw: Any) -> Any:
    kw.setdefault("chair", s.chairs["C01"])
    kw.setdefault("start", at("09:00"))
    return services.appointment_book(organization=s.org, user=s.coordinator, order=order, **kw)


def refused(s: Any, order: Any, **kw: Any) -> str:
    before = Appointment.objects.count()
    with pytest.raises(ValidationError) as exc:
        book(s, order, **kw)
    assert Appointment.objects.count() == before, "a refused booking saves nothing"
    return " | ".join(exc.value.messages)


def injection_order(s: Any, patient: Any = None) -> Any:
    """Denosumab 60 mg SC: a therapeutic injection, no IV line, no chemo competency."""
    drug = sf.make_drug(
        s.org,
        key=f"denosumab-{next(_seq)}",
        generic_name="denosumab",
        brand_name="Prolia",
        hcpcs="J0897",
        billing_unit_mg=Decimal("1"),
        routes="SC",
        admin_category=Drug.AdminCategory.INJECTION,
        first_infusion_minutes=15,
        subsequent_infusion_minutes=15,
    )
    return sf.make_order(patient or s.patient, drug, location=s.location, first_dose_on=DAY)


def iron_order(s: Any) -> Any:
    """Iron sucrose IV: a therapeutic infusion, needs a peripheral IV but no chemo."""
    drug = sf.make_drug(
        s.org,
        key=f"iron-sucrose-{next(_seq)}",
        generic_name="iron sucrose",
        brand_name="Venofer",
        hcpcs="J1756",
        billing_unit_mg=Decimal("1"),
        admin_category=Drug.AdminCategory.THERAPEUTIC,
    )
    return sf.make_order(s.patient, drug, location=s.location, first_dose_on=DAY)


def santos(s: Any, chemo_expires: dt.date = EXPIRED) -> Any:
    """Maria Santos, RN: BLS and peripheral IV current, chemo/biologic as given."""
    nurse = sf.make_nurse(
        s.org,
        "Maria",
        "Santos",
        competencies={"bls": CURRENT, "piv_insertion": CURRENT, "chemo_biologic": chemo_expires},
    )
    sf.make_shift(nurse, s.location, starts="07:00", ends="15:30")
    return nurse


class TestAutomaticChoice:
    def test_it_skips_a_nurse_whose_chemo_competency_has_expired(self, s: Any) -> None:
        maria = santos(s)  # her shift starts first: the rules list her first
        sf.make_shift(s.nurse, s.location, starts="08:00", ends="16:30")
        # She is who auto-choice takes when the visit does not need chemo competency ...
        other = injection_order(s, f.make_patient(s.org))
        assert book(s, other, chair=s.chairs["C02"]).appointment.nurse == maria
        # ... but a biologic infusion goes to the competent nurse, though she has a patient.
        booked = book(s, s.order, start=at("09:00"))
        assert booked.appointment.nurse == s.nurse
        assert booked.warnings == ()

    def test_with_nobody_competent_it_books_without_a_nurse_and_says_so(self, s: Any) -> None:
        santos(s)
        booked = book(s, s.order)
        assert booked.appointment.nurse is None
        assert (
            "No nurse on shift is free 12/08/2026 09:00–11:00 with the competencies"
            in (booked.warnings[0])
        )

    def test_find_a_slot_offers_only_a_competent_nurse(self, s: Any) -> None:
        santos(s)
        sf.make_shift(s.nurse, s.location, starts="11:00", ends="19:00")
        found = slots.find_slots(order=s.order, location=s.location, from_date=DAY, days=1)
        assert found.options, "the competent nurse's shift has room"
        assert {o.nurse for o in found.options} == {s.nurse}
        assert found.options[0].start == at("11:00")  # not with Maria at 07:00


class TestExplicitChoice:
    def test_it_refuses_a_nurse_with_an_expired_competency_and_names_both(self, s: Any) -> None:
        maria = santos(s)
        message = refused(s, s.order, nurse=maria)
        assert "Maria Santos: Chemotherapy / biologic administration expired 12/07/2026" in message

    def test_a_competency_expiring_on_the_day_still_counts(self, s: Any) -> None:
        maria = santos(s, chemo_expires=DAY)
        assert book(s, s.order, nurse=maria).appointment.nurse == maria

    def test_it_refuses_a_nurse_with_no_record_of_the_competency(self, s: Any) -> None:
        lpn = sf.make_nurse(s.org, "Tom", "Becker", credential="LPN", competencies={"bls": CURRENT})
        sf.make_shift(lpn, s.location)
        message = refused(s, iron_order(s), nurse=lpn)
        assert "Tom Becker: no Peripheral IV insertion on record" in message
        assert "Chemotherapy" not in message  # iron sucrose is not a chemo/biologic

    def test_a_therapeutic_injection_needs_no_chemo_competency(self, s: Any) -> None:
        lpn = sf.make_nurse(s.org, "Tom", "Becker", credential="LPN", competencies={"bls": CURRENT})
        sf.make_shift(lpn, s.location)
        booked = book(s, injection_order(s), nurse=lpn)
        assert booked.appointment.nurse == lpn

    def test_a_lapsed_bls_rules_the_nurse_out_of_every_patient(self, s: Any) -> None:
        kevin = sf.make_nurse(
            s.org,
            "Kevin",
            "Liu",
            competencies={
                "bls": EXPIRED,
                "piv_insertion": CURRENT,
                "chemo_biologic": CURRENT,
            },
        )
        sf.make_shift(kevin, s.location)
        for order in (injection_order(s), s.order):
            message = refused(s, order, nurse=kevin)
            assert "Kevin Liu: Basic life support (BLS) expired 12/07/2026" in message
        assert book(s, injection_order(s)).appointment.nurse is None  # nor by auto-choice

    def test_assigning_an_incompetent_nurse_later_is_refused(self, s: Any) -> None:
        appointment = book(s, s.order).appointment  # no rota yet: no nurse
        maria = santos(s)
        with pytest.raises(ValidationError, match="Maria Santos: Chemotherapy / biologic"):
            services.appointment_assign_nurse(
                appointment=appointment, user=s.coordinator, nurse=maria
            )
        appointment.refresh_from_db()
        assert appointment.nurse is None

    def test_moving_to_an_incompetent_nurse_is_refused(self, s: Any) -> None:
        sf.make_shift(s.nurse, s.location)
        appointment = book(s, s.order).appointment
        maria = santos(s)
        with pytest.raises(ValidationError, match="Maria Santos: Chemotherapy / biologic"):
            services.appointment_move(appointment=appointment, user=s.coordinator, nurse=maria)
        appointment.refresh_from_db()
        assert appointment.nurse == s.nurse

    def test_a_rearrangement_to_an_incompetent_nurse_is_refused(self, s: Any) -> None:
        # The optimizer's accepted moves are written (and its proposal filtered) this way.
        sf.make_shift(s.nurse, s.location)
        appointment = book(s, s.order).appointment
        maria = santos(s)
        change = services.Change(appointment, at("10:00"), s.chairs["C02"], maria)
        with pytest.raises(ValidationError, match="Maria Santos: Chemotherapy / biologic"):
            services.appointments_rearrange(
                location=s.location, day=DAY, changes=[change], user=s.coordinator, reason="test"
            )
        appointment.refresh_from_db()
        assert (appointment.start, appointment.nurse) == (at("09:00"), s.nurse)


def test_the_rules_name_the_competencies_and_categories_as_the_models_store_them() -> None:
    skills = dict(Competency.Skill.choices)
    for code, name in COMPETENCY_NAMES.items():
        assert skills[code] == name
    assert set(Drug.AdminCategory.values) == ADMIN_CATEGORIES
